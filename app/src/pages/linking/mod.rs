//! The linking page (L1–L9).

pub mod link_card;
pub mod link_user;
pub mod linking_page;
pub mod refusal;
