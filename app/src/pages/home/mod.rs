//! The Home tab (H1–H5).

pub mod account_overview;
pub mod home_page;
pub mod products;
pub mod settings;
