//! The one invoice writer (B4, X2): numbers from a gapless series under its row lock, the
//! invoice and its lines; the billing run writes its cycle invoices in sets with the same rules.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::Subscription;
use crate::{
    domain::{
        billing::numbering::{Series, format_number},
        calendar::DateRange,
    },
    error::AppError,
};

/// The next gapless number of `series` for the provider in `year`, taken under the series
/// row's lock (released when the transaction ends, so a rollback leaves no gap).
pub async fn next_number(
    conn: &mut PgConnection,
    provider_id: i64,
    series: Series,
    year: i32,
) -> Result<String, AppError> {
    let value: i64 = sqlx::query_scalar(
        "INSERT INTO invoice_number_series (provider_id, series, year, next_value)
         VALUES ($1, $2, $3, 2)
         ON CONFLICT (provider_id, series, year)
         DO UPDATE SET next_value = invoice_number_series.next_value + 1
         RETURNING next_value - 1",
    )
    .bind(provider_id)
    .bind(series.as_str())
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    Ok(format_number(
        series,
        year,
        u64::try_from(value).map_err(|_| AppError::internal("invoice number out of range"))?,
    ))
}

/// One line of an invoice to write.
pub struct NewLine {
    pub kind: &'static str,
    pub description: String,
    /// The text as a kind and parameters (`domain::billing::line_text`), stored as JSON.
    pub text: Option<String>,
    pub amount: Decimal,
    pub vat_rate: Decimal,
}

/// An invoice of a subscription's cycle to write.
pub struct NewCycleInvoice<'a> {
    pub subscription: &'a Subscription,
    pub cycle: DateRange,
    pub issue: NaiveDate,
    pub due: NaiveDate,
    pub autopay_on: NaiveDate,
    pub total: Decimal,
    pub lines: Vec<NewLine>,
    /// The cycle whose usage and plan changes the invoice bills (none for the first one).
    pub billed_cycle: Option<DateRange>,
    pub plan_change_ids: Vec<i64>,
}

/// An invoice to write: a subscription's cycle, a hosting change, or what comes next.
pub struct NewInvoice<'a> {
    pub provider_id: i64,
    pub customer_id: i64,
    /// The contract its lines bill.
    pub contract_id: i64,
    pub currency: &'a str,
    pub issue: NaiveDate,
    pub period: DateRange,
    pub due: NaiveDate,
    pub total: Decimal,
    /// A cycle invoice's subscription and autopay day: one invoice per (subscription, cycle).
    pub subscription: Option<(i64, NaiveDate)>,
    pub lines: &'a [NewLine],
}

/// Writes `invoice` and its lines under the next number of the provider's invoice series;
/// `None` (nothing written, no number used) when it is the invoice of a subscription's cycle
/// that has one already.
pub async fn write(
    conn: &mut PgConnection,
    invoice: &NewInvoice<'_>,
) -> Result<Option<(i64, String)>, AppError> {
    let number = next_number(
        conn,
        invoice.provider_id,
        Series::Invoice,
        invoice.issue.year(),
    )
    .await?;
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                               period_end, due_date, status, currency, total, subscription_id,
                               autopay_on)
         VALUES ($1, $2, 'invoice', $3, $4, $5, $6, $7, 'open', $8, $9, $10, $11)
         ON CONFLICT (subscription_id, period_start) WHERE subscription_id IS NOT NULL
         DO NOTHING
         RETURNING id",
    )
    .bind(invoice.provider_id)
    .bind(invoice.customer_id)
    .bind(&number)
    .bind(invoice.issue)
    .bind(invoice.period.start())
    .bind(invoice.period.end())
    .bind(invoice.due)
    .bind(invoice.currency)
    .bind(invoice.total)
    .bind(invoice.subscription.map(|(id, _)| id))
    .bind(invoice.subscription.map(|(_, autopay_on)| autopay_on))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        // The transaction that took the number rolls back, so the series has no gap.
        return Ok(None);
    };
    let lines = invoice.lines;
    let positions: Vec<i32> = (1..=i32::try_from(lines.len())
        .map_err(|_| AppError::internal("too many invoice lines"))?)
        .collect();
    let kinds: Vec<&str> = lines.iter().map(|l| l.kind).collect();
    let descriptions: Vec<&str> = lines.iter().map(|l| l.description.as_str()).collect();
    let texts: Vec<Option<&str>> = lines.iter().map(|l| l.text.as_deref()).collect();
    let amounts: Vec<Decimal> = lines.iter().map(|l| l.amount).collect();
    let rates: Vec<Decimal> = lines.iter().map(|l| l.vat_rate).collect();
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, line_text,
                                    contract_id, amount, vat_rate)
         SELECT $1, l.position, l.kind, l.description, l.line_text, $2, l.amount, l.vat_rate
           FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::numeric[],
                       $8::numeric[])
                AS l(position, kind, description, line_text, amount, vat_rate)",
    )
    .bind(id)
    .bind(invoice.contract_id)
    .bind(&positions)
    .bind(&kinds)
    .bind(&descriptions)
    .bind(&texts)
    .bind(&amounts)
    .bind(&rates)
    .execute(&mut *conn)
    .await?;
    Ok(Some((id, number)))
}

/// Writes the invoice of a cycle with its lines ([`write`]), marks what it bills, and moves
/// the subscription to the next cycle. `None` when that cycle already has its invoice.
pub async fn insert_cycle_invoice(
    conn: &mut PgConnection,
    new: &NewCycleInvoice<'_>,
) -> Result<Option<(i64, String)>, AppError> {
    let s = new.subscription;
    let Some((id, number)) = write(
        conn,
        &NewInvoice {
            provider_id: s.provider_id,
            customer_id: s.customer_id,
            contract_id: s.contract_id,
            currency: s.currency.code(),
            issue: new.issue,
            period: new.cycle,
            due: new.due,
            total: new.total,
            subscription: Some((s.id, new.autopay_on)),
            lines: &new.lines,
        },
    )
    .await?
    else {
        return Ok(None);
    };
    if !new.plan_change_ids.is_empty() {
        sqlx::query("UPDATE plan_changes SET invoice_id = $1 WHERE id = ANY($2)")
            .bind(id)
            .bind(&new.plan_change_ids)
            .execute(&mut *conn)
            .await?;
    }
    if let Some(billed) = new.billed_cycle {
        // I3: the consumption behind this invoice.
        sqlx::query(
            "UPDATE usage_records SET invoice_id = $1
              WHERE contract_id = $2 AND usage_date BETWEEN $3 AND $4 AND invoice_id IS NULL",
        )
        .bind(id)
        .bind(s.contract_id)
        .bind(billed.start())
        .bind(billed.end())
        .execute(&mut *conn)
        .await?;
    }
    let next = new
        .cycle
        .end()
        .succ_opt()
        .ok_or_else(|| AppError::internal("cycle ends on the last representable day"))?;
    sqlx::query("UPDATE subscriptions SET next_cycle_start = $2 WHERE id = $1")
        .bind(s.id)
        .bind(next)
        .execute(&mut *conn)
        .await?;
    Ok(Some((id, number)))
}

/// Writes many cycle invoices at once, as [`insert_cycle_invoice`] writes one: numbers taken
/// in order (one series update per provider and year, under its row lock), the invoices, their
/// lines, the plan changes and usage they bill, the subscriptions' next cycle. The caller holds
/// the subscriptions' locks and has left out cycles already invoiced; if one still exists the
/// whole call fails (the caller rolls back and goes one by one). Returns the invoices written.
pub async fn insert_cycle_invoices(
    conn: &mut PgConnection,
    invoices: &[NewCycleInvoice<'_>],
) -> Result<u64, AppError> {
    if invoices.is_empty() {
        return Ok(0);
    }
    // Numbers: one reservation of `count` consecutive values per provider and year.
    let mut counts: std::collections::BTreeMap<(i64, i32), i64> = Default::default();
    for new in invoices {
        *counts
            .entry((new.subscription.provider_id, new.issue.year()))
            .or_default() += 1;
    }
    let mut next: HashMap<(i64, i32), i64> = HashMap::new();
    for ((provider_id, year), count) in &counts {
        let first: i64 = sqlx::query_scalar(
            "INSERT INTO invoice_number_series (provider_id, series, year, next_value)
             VALUES ($1, $2, $3, 1 + $4)
             ON CONFLICT (provider_id, series, year)
             DO UPDATE SET next_value = invoice_number_series.next_value + $4
             RETURNING next_value - $4",
        )
        .bind(provider_id)
        .bind(Series::Invoice.as_str())
        .bind(year)
        .bind(count)
        .fetch_one(&mut *conn)
        .await?;
        next.insert((*provider_id, *year), first);
    }
    let mut numbers = Vec::with_capacity(invoices.len());
    for new in invoices {
        let value = next
            .get_mut(&(new.subscription.provider_id, new.issue.year()))
            .ok_or_else(|| AppError::internal("numbering series missing for a new invoice"))?;
        numbers.push(format_number(
            Series::Invoice,
            new.issue.year(),
            u64::try_from(*value).map_err(|_| AppError::internal("invoice number out of range"))?,
        ));
        *value += 1;
    }
    let column =
        |f: &dyn Fn(&NewCycleInvoice<'_>) -> i64| invoices.iter().map(f).collect::<Vec<_>>();
    let subscription_ids = column(&|n| n.subscription.id);
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                               period_end, due_date, status, currency, total, subscription_id,
                               autopay_on)
         SELECT provider_id, customer_id, 'invoice', number, issue, cycle_start, cycle_end, due,
                'open', currency, total, subscription_id, autopay_on
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::date[], $5::date[],
                       $6::date[], $7::date[], $8::text[], $9::numeric[], $10::bigint[],
                       $11::date[])
                AS n(provider_id, customer_id, number, issue, cycle_start, cycle_end, due,
                     currency, total, subscription_id, autopay_on)
         ON CONFLICT (subscription_id, period_start) WHERE subscription_id IS NOT NULL
         DO NOTHING
         RETURNING id, subscription_id",
    )
    .bind(column(&|n| n.subscription.provider_id))
    .bind(column(&|n| n.subscription.customer_id))
    .bind(&numbers)
    .bind(invoices.iter().map(|n| n.issue).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.cycle.start()).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.cycle.end()).collect::<Vec<_>>())
    .bind(invoices.iter().map(|n| n.due).collect::<Vec<_>>())
    .bind(
        invoices
            .iter()
            .map(|n| n.subscription.currency.code())
            .collect::<Vec<_>>(),
    )
    .bind(invoices.iter().map(|n| n.total).collect::<Vec<_>>())
    .bind(&subscription_ids)
    .bind(invoices.iter().map(|n| n.autopay_on).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    if rows.len() != invoices.len() {
        // A cycle was invoiced after all: the reserved numbers must not be used.
        return Err(AppError::Stale);
    }
    let invoice_of: HashMap<i64, i64> = rows
        .into_iter()
        .map(|(id, subscription_id)| (subscription_id, id))
        .collect();
    let mut ids = Vec::with_capacity(invoices.len());
    for new in invoices {
        ids.push(
            *invoice_of
                .get(&new.subscription.id)
                .ok_or_else(|| AppError::internal("new invoice without its id"))?,
        );
    }

    let (mut line_invoice, mut line_position, mut line_kind, mut line_text) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut line_contract, mut line_amount, mut line_rate) = (Vec::new(), Vec::new(), Vec::new());
    let mut line_words: Vec<Option<&str>> = Vec::new();
    let (mut change_ids, mut change_invoices) = (Vec::new(), Vec::new());
    let (mut usage_contracts, mut usage_starts, mut usage_ends, mut usage_invoices) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut next_starts = Vec::with_capacity(invoices.len());
    for (new, id) in invoices.iter().zip(&ids) {
        for (position, line) in (1_i32..).zip(&new.lines) {
            line_invoice.push(*id);
            line_position.push(position);
            line_kind.push(line.kind);
            line_text.push(line.description.as_str());
            line_words.push(line.text.as_deref());
            line_contract.push(new.subscription.contract_id);
            line_amount.push(line.amount);
            line_rate.push(line.vat_rate);
        }
        for change in &new.plan_change_ids {
            change_ids.push(*change);
            change_invoices.push(*id);
        }
        if let Some(billed) = new.billed_cycle {
            usage_contracts.push(new.subscription.contract_id);
            usage_starts.push(billed.start());
            usage_ends.push(billed.end());
            usage_invoices.push(*id);
        }
        next_starts.push(
            new.cycle
                .end()
                .succ_opt()
                .ok_or_else(|| AppError::internal("cycle ends on the last representable day"))?,
        );
    }
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id, amount,
                                    vat_rate, line_text)
         SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::bigint[],
                              $6::numeric[], $7::numeric[], $8::text[])",
    )
    .bind(&line_invoice)
    .bind(&line_position)
    .bind(&line_kind)
    .bind(&line_text)
    .bind(&line_contract)
    .bind(&line_amount)
    .bind(&line_rate)
    .bind(&line_words)
    .execute(&mut *conn)
    .await?;
    if !change_ids.is_empty() {
        sqlx::query(
            "UPDATE plan_changes pc SET invoice_id = m.invoice_id
               FROM unnest($1::bigint[], $2::bigint[]) AS m(id, invoice_id)
              WHERE pc.id = m.id",
        )
        .bind(&change_ids)
        .bind(&change_invoices)
        .execute(&mut *conn)
        .await?;
    }
    if !usage_contracts.is_empty() {
        // I3: the consumption behind each invoice.
        sqlx::query(
            "UPDATE usage_records u SET invoice_id = m.invoice_id
               FROM unnest($1::bigint[], $2::date[], $3::date[], $4::bigint[])
                    AS m(contract_id, s, e, invoice_id)
              WHERE u.contract_id = m.contract_id AND u.usage_date BETWEEN m.s AND m.e
                AND u.invoice_id IS NULL",
        )
        .bind(&usage_contracts)
        .bind(&usage_starts)
        .bind(&usage_ends)
        .bind(&usage_invoices)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(
        "UPDATE subscriptions s SET next_cycle_start = m.next
           FROM unnest($1::bigint[], $2::date[]) AS m(id, next)
          WHERE s.id = m.id",
    )
    .bind(&subscription_ids)
    .bind(&next_starts)
    .execute(&mut *conn)
    .await?;
    Ok(ids.len() as u64)
}
