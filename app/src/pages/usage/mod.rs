//! Usage (U1–U2) and the consumption behind one invoice (I3).

pub mod invoice_usage_page;
pub mod usage_page;
pub mod usage_parts;
