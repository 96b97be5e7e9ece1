//! The next invoice as it stands today (B5, I5).

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{country_rules, state_for};
use crate::{
    backend::repo::billing::{self as repo, Subscription},
    domain::{
        billing::{
            activation::activated_as_of,
            cycles::cycle_containing,
            invoice_dates::{InvoiceDates, invoice_dates},
            preview::InvoicePreview,
        },
        calendar::DateRange,
    },
    error::AppError,
};

/// The next invoice of a subscription as of `today` (B5, I5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextInvoice {
    /// Not activated yet: the first invoice comes on the activation day.
    AwaitingActivation {
        activation: NaiveDate,
        dates: InvoiceDates,
    },
    /// Billed through a reseller or employer: no preview (B5).
    Managed,
    /// The preview, the current cycle and the next invoice's dates.
    Preview {
        cycle: DateRange,
        preview: InvoicePreview,
        dates: InvoiceDates,
    },
}

/// B5: the next invoice of `sub` as it stands on `today`.
pub async fn next_invoice(
    conn: &mut PgConnection,
    sub: &Subscription,
    today: NaiveDate,
) -> Result<NextInvoice, AppError> {
    if sub.managed {
        return Ok(NextInvoice::Managed);
    }
    let policies = repo::policies(conn).await?;
    let rules = country_rules(sub);
    let recorded = sub.activated_on.filter(|a| *a <= today);
    let computed = activated_as_of(sub.shipped_on, sub.first_connected_on, today)
        .map_err(|_| AppError::internal("activation date of a subscription"))?;
    let activation = match recorded.or(computed) {
        Some(activation) => activation,
        None => {
            let activation = crate::domain::billing::activation::activation_date(
                sub.shipped_on,
                sub.first_connected_on.filter(|c| *c <= today),
            )
            .map_err(|_| AppError::internal("activation date of a subscription"))?;
            let dates = invoice_dates(activation, true, &rules, &policies)
                .map_err(|_| AppError::internal("invoice dates of a subscription"))?;
            return Ok(NextInvoice::AwaitingActivation { activation, dates });
        }
    };
    let (_, current) = cycle_containing(activation, today)
        .ok_or_else(|| AppError::internal("current cycle of a subscription"))?;
    let (state, _) = state_for(conn, sub, current).await?;
    let preview = crate::domain::billing::preview::preview(&state, today).map_err(|err| {
        tracing::error!(subscription = sub.id, ?err, "no preview");
        AppError::Internal
    })?;
    let dates = invoice_dates(preview.issue_date, false, &rules, &policies)
        .map_err(|_| AppError::internal("invoice dates of the next invoice"))?;
    Ok(NextInvoice::Preview {
        cycle: current,
        preview,
        dates,
    })
}
