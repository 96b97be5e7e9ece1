//! Invoices & payments (I1–I4).

pub mod invoices_page;
pub mod payables;
pub mod payment_section;
