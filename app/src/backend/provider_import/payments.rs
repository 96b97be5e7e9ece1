//! `PUT /provider/v1/invoices/{number}/payments/{id}`: a payment (or, negative, a refund) the
//! provider's systems settled, by the provider's id. The invoice is paid once its payments
//! cover its total, and open again when a refund uncovers it.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::{Outcome, Refused, Upserted};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub invoice: String,
    pub id: String,
    /// Negative for a refund; never zero.
    pub amount: Decimal,
    pub paid_on: NaiveDate,
    /// `card`, `sepa`, `mobile_money` or `transfer`.
    pub method: String,
    pub reference: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Target {
    id: i64,
    kind: String,
    total: Decimal,
    paid: Decimal,
}

#[derive(sqlx::FromRow, PartialEq)]
struct Recorded {
    amount: Decimal,
    paid_on: NaiveDate,
    method: String,
    reference: Option<String>,
}

pub async fn upsert(conn: &mut PgConnection, provider_id: i64, payment: &Payment) -> Outcome {
    let target: Option<Target> = sqlx::query_as(
        "SELECT i.id, i.kind, i.total,
                COALESCE((SELECT sum(p.amount) FROM payments p WHERE p.invoice_id = i.id), 0)
                    AS paid
           FROM invoices i WHERE i.provider_id = $1 AND i.number = $2
            FOR UPDATE",
    )
    .bind(provider_id)
    .bind(&payment.invoice)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(target) = target else {
        return Ok(Err(Refused::NotFound(
            "There is no invoice with this number",
        )));
    };
    if target.kind != "invoice" {
        return Ok(Err(Refused::Conflict(
            "a credit note is not paid: record its refund on the invoice it corrects",
        )));
    }
    let recorded: Option<Recorded> = sqlx::query_as(
        "SELECT amount, paid_on, method, reference FROM payments
          WHERE invoice_id = $1 AND provider_payment_id = $2",
    )
    .bind(target.id)
    .bind(&payment.id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(recorded) = recorded {
        let same = recorded
            == Recorded {
                amount: payment.amount,
                paid_on: payment.paid_on,
                method: payment.method.clone(),
                reference: payment.reference.clone(),
            };
        return Ok(if same {
            Ok(Upserted::Unchanged)
        } else {
            Err(Refused::Conflict(
                "a recorded payment is not changed: record a refund with a new id",
            ))
        });
    }
    let paid = target.paid + payment.amount;
    if paid < Decimal::ZERO {
        return Ok(Err(Refused::field(
            "amount",
            format!("refunds {} more than was paid", -paid),
        )));
    }
    sqlx::query(
        "INSERT INTO payments (invoice_id, amount, paid_on, method, reference,
                               provider_payment_id)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(target.id)
    .bind(payment.amount)
    .bind(payment.paid_on)
    .bind(&payment.method)
    .bind(&payment.reference)
    .bind(&payment.id)
    .execute(&mut *conn)
    .await?;
    // Settled: nothing is left for the portal to collect. Uncovered by a refund: open again.
    let settled = paid >= target.total;
    sqlx::query(
        "UPDATE invoices SET
             status = CASE WHEN $2 THEN 'paid' WHEN status = 'paid' THEN 'open' ELSE status END,
             autopay_on = CASE WHEN $2 THEN NULL ELSE autopay_on END
          WHERE id = $1",
    )
    .bind(target.id)
    .bind(settled)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(Upserted::Created))
}
