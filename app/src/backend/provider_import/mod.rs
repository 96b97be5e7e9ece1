//! What a provider's systems send through `/provider/v1` (issue 28 item 2), stored by the
//! provider's own ids: customers, the catalogue (tariffs, options), contracts and their
//! options, invoices with their lines and PDFs, payments, messages to a household, move and
//! document statuses, technician windows. Every call runs in the caller's transaction; a refusal writes nothing.
//!
//! The request's shape (required fields, formats) is checked by the API layer; what needs the
//! database (does the customer exist, is the tariff for this service) is checked here.

pub mod catalogue;
pub mod contracts;
pub mod customers;
pub mod invoices;
pub mod payments;
pub mod statuses;
pub mod windows;

use crate::error::AppError;

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
    /// The stored resource already said the same.
    Unchanged,
}

impl Upserted {
    /// `Created` for a new row, otherwise `Updated` when a statement changed something.
    pub fn of(created: bool, changed: bool) -> Self {
        match (created, changed) {
            (true, _) => Upserted::Created,
            (false, true) => Upserted::Updated,
            (false, false) => Upserted::Unchanged,
        }
    }

    /// What an `INSERT … ON CONFLICT DO UPDATE … WHERE <differs> RETURNING xmax = 0` did: no
    /// row when nothing differed, else whether it was new.
    pub fn from_written(written: Option<bool>) -> Self {
        written.map_or(Upserted::Unchanged, |created| Upserted::of(created, true))
    }
}

/// A field of the request at fault, named as the request names it (`lines[2].contract`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub detail: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            detail: detail.into(),
        }
    }
}

/// Why a well-formed request was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Fields name what does not exist or does not fit (422).
    Invalid(Vec<FieldError>),
    /// The request contradicts what is stored (409): what to do instead.
    Conflict(&'static str),
    /// The resource the path names does not exist (404).
    NotFound(&'static str),
}

impl Refused {
    pub fn field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Refused::Invalid(vec![FieldError::new(field, detail)])
    }
}

/// An upsert's result: done, refused, or failed on the portal's side.
pub type Outcome<T = Upserted> = Result<Result<T, Refused>, AppError>;
