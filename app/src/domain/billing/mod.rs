//! The billing rules of BILLING.md as pure functions: cycles (B1), activation (B2), invoice and
//! autopay dates (B3, B4, B6), prorations (H3, B5), the invoice preview (B5), fixed-term option
//! upgrades (X2, X3), VAT and invoice numbers. Every function takes "today" as an argument.

pub mod activation;
pub mod cycles;
pub mod invoice_dates;
pub mod line_text;
pub mod numbering;
pub mod preview;
pub mod proration;
pub mod upgrade;
pub mod vat;
