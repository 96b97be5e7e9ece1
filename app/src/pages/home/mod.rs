//! The Home tab (H1; H2–H5 follow).

pub mod account_overview;
pub mod home_page;
