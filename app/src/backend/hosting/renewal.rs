//! Renewals (issue 28 item 5, BILLING.md "Fixed-term contracts"): on T1 + 1, the day after a
//! term ends, the next term is invoiced at the price of the configuration it will have (a
//! scheduled downgrade applied) and charged to the stored card, as the term was; or, when the
//! provider turned the renewal off, the contract ends with its term. The billing run calls
//! this for each service whose term ended, in its own batches (`billing::run`).

use chrono::{Days, Months};

use crate::{
    backend::{
        billing::{
            card::{self, Charged, Due},
            line_words, stored_line_text,
        },
        payment_gateway::PaymentGateway,
        repo::hosting::{self as repo, EndedTerm, Renewal},
        sealed::DataKeys,
    },
    domain::{billing::line_text::LineText, calendar::DateRange, lang::Lang},
    error::AppError,
};

/// What happened to a service whose term ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewed {
    /// The next term is invoiced; how its charge went.
    Renewed(Charged),
    /// Not renewed (the provider's flag): the contract ended with its term.
    Ended,
}

/// Renews (or ends) the locked service of `ended` on the run's `day`.
pub async fn renew_one(
    conn: &mut sqlx::PgConnection,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    ended: &EndedTerm,
    day: chrono::NaiveDate,
) -> Result<Renewed, AppError> {
    if !ended.auto_renew {
        repo::end_with_term(conn, ended.contract_id, ended.term_end).await?;
        tracing::info!(contract_id = ended.contract_id, term_end = %ended.term_end, "hosting ended with its term");
        return Ok(Renewed::Ended);
    }
    let service = repo::service(conn, ended.customer_id, ended.contract_id, Lang::En, false)
        .await?
        .ok_or_else(|| AppError::internal("an ended term without its service"))?;
    let offer = service.offer()?;
    let config = service
        .scheduled
        .as_ref()
        .map_or(&offer.current, |s| &s.new_config);
    let price = offer
        .price_of(config)
        .ok_or_else(|| AppError::internal("a renewed configuration the catalogue lacks"))?;
    let term = next_term(&service)?;
    let text = LineText::HostingRenewal {
        hostname: service.hostname.clone(),
        from: term.start(),
        to: term.end(),
    };
    let (invoice_id, number) = repo::renew(
        conn,
        &Renewal {
            service: &service,
            term,
            config,
            price,
            issue: day,
            description: &line_words(&text, service.language),
            line_text: &stored_line_text(&text)?,
        },
    )
    .await?;
    let charged = card::charge_stored_card(
        conn,
        gateway,
        keys,
        &Due {
            invoice_id,
            number: &number,
            customer_id: service.customer_id,
            amount: price,
            currency: service.currency,
            key: format!("renewal-{invoice_id}"),
        },
        day,
    )
    .await?;
    tracing::info!(
        contract_id = service.contract_id,
        invoice = %number,
        %price,
        ?charged,
        "hosting renewed"
    );
    Ok(Renewed::Renewed(charged))
}

/// The term after the service's current one: the tariff's months from the day after it ends
/// (a tariff without a term length renews for as many days as the term had).
fn next_term(service: &repo::Service) -> Result<DateRange, AppError> {
    let start = service
        .term_end
        .checked_add_days(Days::new(1))
        .ok_or_else(|| AppError::internal("term end out of range"))?;
    let end = match service.term_months.and_then(|m| u32::try_from(m).ok()) {
        Some(months) => start
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt()),
        None => {
            let days = (service.term_end - service.term_start).num_days();
            start.checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        }
    };
    end.and_then(|end| DateRange::new(start, end))
        .ok_or_else(|| AppError::internal("next term out of range"))
}
