//! Sign-in and registration (S1).

pub mod register_page;
pub mod sign_in_code;
pub mod sign_in_page;
