//! Shared UI pieces: layout, locale helpers, money and dates, forms.

pub mod action_form;
pub mod flash;
pub mod form;
pub mod layout;
pub mod locale;
pub mod money;
pub mod page_error;
