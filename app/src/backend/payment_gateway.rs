//! The payment provider behind autopay (B3) and portal payments (I6), as a trait, with the
//! built-in sandbox used by the demo and the tests.
//!
//! Every charge carries an idempotency key: a provider answers a repeated key with its first
//! answer instead of charging again. That is what makes a billing run that dies between the
//! charge and its commit safe to rerun.

use std::{future::Future, pin::Pin};

use rust_decimal::Decimal;
use sqlx::PgPool;

use crate::{domain::billing::invoice_dates::PaymentMethod, error::AppError};

/// One charge to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    pub idempotency_key: String,
    pub invoice_number: String,
    pub amount: Decimal,
    pub currency: String,
    pub method: PaymentMethod,
    /// What is charged: the card's last digits, the mandate's IBAN or the mobile number;
    /// empty when the customer has none for this method.
    pub instrument: String,
}

/// The provider's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded { reference: String },
    Declined { reason: String },
}

/// A boxed future, so that the gateway can live behind `dyn` in the application state.
pub type ChargeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<ChargeOutcome, AppError>> + Send + 'a>>;

/// A payment provider.
pub trait PaymentGateway: Send + Sync + std::fmt::Debug {
    /// Charges once per idempotency key. `Err` only when the provider cannot be reached (the
    /// charge may then be retried with the same key).
    fn charge<'a>(&'a self, request: &'a ChargeRequest) -> ChargeFuture<'a>;
}

/// The sandbox provider: it keeps its ledger in its own table and declines, like the test
/// cards of real providers, every instrument ending in `0002` (and an empty one).
///
/// Like a real provider it does not share the portal's connections: callers charge while
/// holding an invoice's row lock, and requests waiting for that lock may hold every
/// connection of the portal's pool.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub pool: PgPool,
}

impl Sandbox {
    /// A sandbox with its own small pool to the database of `pool`.
    pub fn beside(pool: &PgPool) -> Sandbox {
        let options = (*pool.connect_options()).clone();
        Sandbox {
            pool: sqlx::postgres::PgPoolOptions::new()
                .max_connections(4)
                .connect_lazy_with(options),
        }
    }
}

/// The instrument suffix the sandbox declines.
pub const SANDBOX_DECLINED_SUFFIX: &str = "0002";

impl Sandbox {
    async fn charge_once(&self, request: &ChargeRequest) -> Result<ChargeOutcome, AppError> {
        let digits: String = request
            .instrument
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let succeeded = !digits.is_empty() && !digits.ends_with(SANDBOX_DECLINED_SUFFIX);
        let reference = format!("sbx_{}", uuid::Uuid::new_v4().simple());
        let method = request.method.code();
        sqlx::query(
            "INSERT INTO sandbox_charges (idempotency_key, reference, amount, currency, method,
                                          succeeded)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (idempotency_key) DO NOTHING",
        )
        .bind(&request.idempotency_key)
        .bind(&reference)
        .bind(request.amount)
        .bind(&request.currency)
        .bind(method)
        .bind(succeeded)
        .execute(&self.pool)
        .await?;
        // The first answer for this key, whoever wrote it.
        let (reference, succeeded): (String, bool) = sqlx::query_as(
            "SELECT reference, succeeded FROM sandbox_charges WHERE idempotency_key = $1",
        )
        .bind(&request.idempotency_key)
        .fetch_one(&self.pool)
        .await?;
        Ok(if succeeded {
            ChargeOutcome::Succeeded { reference }
        } else {
            ChargeOutcome::Declined {
                reason: "declined by the sandbox (test instrument)".to_string(),
            }
        })
    }
}

impl PaymentGateway for Sandbox {
    fn charge<'a>(&'a self, request: &'a ChargeRequest) -> ChargeFuture<'a> {
        Box::pin(self.charge_once(request))
    }
}
