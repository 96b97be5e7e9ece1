//! The billing run (B1, B3, B4, B7, I6): activation, the invoices of cycles due, autopay.

use chrono::NaiveDate;
use sqlx::{Acquire, PgConnection, PgPool};

use super::{country_rules, describe, fees, line_text_of, state_from, stored_line_text};
use crate::{
    backend::{
        payment_gateway::{ChargeRequest, PaymentGateway},
        repo::billing::{self as repo, NewCycleInvoice, NewLine, Subscription},
        sealed::DataKeys,
    },
    domain::{
        billing::{
            activation::activated_as_of,
            cycles::{cycle, cycle_containing},
            invoice_dates::{
                AutopayAction, AutopayPolicyTable, autopay_action, invoice_dates, next_retry,
            },
            preview::{invoice_after_cycle, opening_invoice},
        },
        calendar::DateRange,
    },
    error::AppError,
};

/// Rows per batch (one transaction each).
pub const BATCH: i64 = 200;

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunReport {
    pub activated: u64,
    pub invoiced: u64,
    /// Hosting terms renewed (their next term invoiced) and ended (not renewed).
    pub renewed: u64,
    pub ended: u64,
    pub charged: u64,
    pub declined: u64,
    pub action_required: u64,
    /// Rows left for the next run after an error (logged).
    pub errors: u64,
    /// Stopped between two batches (shutdown): the next run goes on from there.
    pub stopped: bool,
}

impl RunReport {
    /// Counts what a hosting renewal did.
    fn count_renewal(&mut self, outcome: crate::backend::hosting::Renewed) {
        use crate::backend::{billing::card::Charged, hosting::Renewed};
        match outcome {
            Renewed::Ended => self.ended += 1,
            Renewed::Renewed(charged) => {
                self.renewed += 1;
                match charged {
                    Charged::Paid => self.charged += 1,
                    Charged::Declined => self.declined += 1,
                    Charged::ToPay => self.action_required += 1,
                }
            }
        }
    }
}

impl std::fmt::Display for RunReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "activated {}, invoiced {}, renewed {}, ended {}, charged {}, declined {}, action required {}, errors {}{}",
            self.activated,
            self.invoiced,
            self.renewed,
            self.ended,
            self.charged,
            self.declined,
            self.action_required,
            self.errors,
            if self.stopped { ", stopped" } else { "" }
        )
    }
}

/// B7: the billing run for `day`: activates what is due (B2), issues the invoices of the
/// cycles that start by `day` (B1, B3, B4), renews the hosting terms that ended before `day`
/// (issue 28 item 5), then charges autopay due by `day` (B3, I6).
/// Running it again for the same day changes nothing.
/// `keys` open the IBANs that direct debits are charged to.
pub async fn run(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    day: NaiveDate,
) -> Result<RunReport, AppError> {
    let (_keep, never) = tokio::sync::watch::channel(false);
    run_until(pool, gateway, keys, day, &never).await
}

/// [`run`], stopping between two batches once `stop` holds `true` (graceful shutdown, issue 9):
/// every batch is one transaction, so what is done is whole and the next run goes on.
pub async fn run_until(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    day: NaiveDate,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<RunReport, AppError> {
    let mut report = RunReport::default();
    let stop = Stop(stop);
    activate_due(pool, day, &mut report, stop).await?;
    if !report.stopped {
        invoice_due(pool, day, &mut report, stop).await?;
    }
    if !report.stopped {
        renew_due(pool, gateway, keys, day, &mut report, stop).await?;
    }
    if !report.stopped {
        autopay_due(pool, gateway, keys, day, &mut report, stop).await?;
    }
    Ok(report)
}

/// The shutdown flag as the batch loops read it.
#[derive(Clone, Copy)]
struct Stop<'a>(&'a tokio::sync::watch::Receiver<bool>);

impl Stop<'_> {
    /// Whether the loop ends after a batch of `done` rows: the last batch, or a shutdown.
    fn after_batch(self, done: usize, report: &mut RunReport) -> bool {
        if i64::try_from(done).unwrap_or(0) < BATCH {
            return true;
        }
        if *self.0.borrow() {
            tracing::info!("billing run stopped between batches");
            report.stopped = true;
            return true;
        }
        false
    }
}

/// Plans every statement of this transaction for its values and the tables' current size,
/// foreign-key checks included. A run that writes 100 000 invoices into a young table otherwise
/// keeps the plan its connection cached while the table was small: the check of each invoice
/// line against `invoices` became a sequential scan, 350 ms per batch of lines (issue 10).
async fn plan_for_growing_tables(conn: &mut PgConnection) -> Result<(), AppError> {
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn activate_due(
    pool: &PgPool,
    day: NaiveDate,
    report: &mut RunReport,
    stop: Stop<'_>,
) -> Result<(), AppError> {
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows = repo::lock_unactivated(&mut tx, day, after, BATCH).await?;
        for (id, shipped, connected) in &rows {
            after = *id;
            match activated_as_of(*shipped, *connected, day) {
                Ok(Some(activation)) => {
                    repo::activate(&mut tx, *id, activation).await?;
                    report.activated += 1;
                }
                Ok(None) => {}
                Err(err) => {
                    tracing::error!(subscription = id, ?err, "activation dates inconsistent");
                    report.errors += 1;
                }
            }
        }
        tx.commit().await?;
        if stop.after_batch(rows.len(), report) {
            return Ok(());
        }
    }
}

async fn invoice_due(
    pool: &PgPool,
    day: NaiveDate,
    report: &mut RunReport,
    stop: Stop<'_>,
) -> Result<(), AppError> {
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        plan_for_growing_tables(&mut tx).await?;
        let policies = repo::policies(&mut tx).await?;
        let ids = repo::lock_due(&mut tx, day, after, BATCH).await?;
        after = ids.last().copied().unwrap_or(after);
        // The batch in a dozen statements; should one fail, the batch is redone one
        // subscription at a time, so a bad row holds up no other.
        let mut batch = tx.begin().await?;
        match issue_batch(&mut batch, &ids, day, &policies).await {
            Ok((issued, errors)) => {
                batch.commit().await?;
                report.invoiced += issued;
                report.errors += errors;
            }
            Err(err) => {
                batch.rollback().await?;
                tracing::warn!(error = %err, "batch invoicing failed: one by one");
                for id in &ids {
                    let mut savepoint = tx.begin().await?;
                    match issue_through(&mut savepoint, *id, day, &policies).await {
                        Ok(issued) => {
                            savepoint.commit().await?;
                            report.invoiced += issued;
                        }
                        Err(err) => {
                            savepoint.rollback().await?;
                            tracing::error!(subscription = id, error = %err, "invoicing failed");
                            report.errors += 1;
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        if stop.after_batch(ids.len(), report) {
            return Ok(());
        }
    }
}

/// Issues every cycle that starts by `day` of the (locked) subscriptions `ids`, in rounds of
/// one cycle each (a subscription behind by several cycles takes several rounds), each round
/// in a few set-based statements. Returns the invoices written and the subscriptions left for
/// the next run because their dates are inconsistent (logged). A database error fails the
/// whole call.
async fn issue_batch(
    conn: &mut PgConnection,
    ids: &[i64],
    day: NaiveDate,
    policies: &AutopayPolicyTable,
) -> Result<(u64, u64), AppError> {
    let (mut issued, mut errors) = (0, 0);
    let mut pending = ids.to_vec();
    while !pending.is_empty() {
        let subs = repo::subscriptions_by_ids(conn, &pending).await?;
        let mut due = Vec::new();
        for sub in subs
            .iter()
            .filter(|s| s.next_cycle_start.is_some_and(|start| start <= day))
        {
            match next_cycle(sub) {
                Ok(Some((this_cycle, previous))) => due.push((sub, this_cycle, previous)),
                Ok(None) => {}
                Err(_) => errors += 1,
            }
        }
        let billed: Vec<(i64, DateRange)> = due
            .iter()
            .filter_map(|(sub, _, previous)| previous.map(|p| (sub.id, p)))
            .collect();
        let mut changes = repo::plan_changes_of(conn, &billed).await?;
        let usage_ranges: Vec<(i64, DateRange)> = due
            .iter()
            .filter_map(|(sub, _, previous)| previous.map(|p| (sub.contract_id, p)))
            .collect();
        let mut usage = repo::daily_data_of(conn, &usage_ranges).await?;
        let invoices = due
            .iter()
            .map(|(sub, this_cycle, previous)| {
                cycle_invoice(
                    sub,
                    *this_cycle,
                    *previous,
                    &changes.remove(&sub.id).unwrap_or_default(),
                    usage.remove(&sub.contract_id).unwrap_or_default(),
                    policies,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        issued += repo::insert_cycle_invoices(conn, &invoices).await?;
        pending = due.iter().map(|(sub, _, _)| sub.id).collect();
    }
    Ok((issued, errors))
}

/// Issues every cycle of the (locked) subscription that starts by `day`.
async fn issue_through(
    conn: &mut PgConnection,
    id: i64,
    day: NaiveDate,
    policies: &AutopayPolicyTable,
) -> Result<u64, AppError> {
    let mut issued = 0;
    loop {
        let sub = repo::subscription_by_id(conn, id)
            .await?
            .ok_or(AppError::NotFound)?;
        match sub.next_cycle_start {
            Some(start) if start <= day => {}
            _ => return Ok(issued),
        }
        if issue_next(conn, &sub, policies).await? {
            issued += 1;
        } else {
            // The cycle has its invoice already: nothing moves, so stop here.
            return Ok(issued);
        }
    }
}

/// The cycle a subscription bills next, with the cycle before it whose usage and plan changes
/// that invoice bills (none for the first invoice); `None` when it is not active yet.
fn next_cycle(sub: &Subscription) -> Result<Option<(DateRange, Option<DateRange>)>, AppError> {
    let (Some(activation), Some(start)) = (sub.activated_on, sub.next_cycle_start) else {
        return Ok(None);
    };
    let (n, this_cycle) = cycle_containing(activation, start)
        .ok_or_else(|| AppError::internal("subscription start outside its cycles"))?;
    if this_cycle.start() != start {
        tracing::error!(subscription = sub.id, %start, "next cycle start is not a cycle start");
        return Err(AppError::Internal);
    }
    let previous = match n {
        0 => None,
        _ => Some(cycle(activation, n - 1).ok_or(AppError::Internal)?),
    };
    Ok(Some((this_cycle, previous)))
}

/// The invoice of `this_cycle`: the opening invoice, or the one after `previous` from its
/// unbilled plan changes and data per day.
fn cycle_invoice<'a>(
    sub: &'a Subscription,
    this_cycle: DateRange,
    previous: Option<DateRange>,
    changes: &[repo::PendingPlanChange],
    usage: Vec<crate::domain::billing::preview::DailyUsage>,
    policies: &AutopayPolicyTable,
) -> Result<NewCycleInvoice<'a>, AppError> {
    let (invoice, change_ids) = match previous {
        None => (
            opening_invoice(&fees(sub), sub.currency, this_cycle.start())
                .map_err(|_| AppError::internal("opening invoice of a subscription"))?,
            Vec::new(),
        ),
        Some(previous) => {
            let (state, change_ids) = state_from(sub, previous, changes, usage)?;
            let invoice = invoice_after_cycle(&state).map_err(|err| {
                tracing::error!(subscription = sub.id, ?err, "no invoice for the cycle");
                AppError::Internal
            })?;
            (invoice, change_ids)
        }
    };
    let dates = invoice_dates(
        this_cycle.start(),
        previous.is_none(),
        &country_rules(sub),
        policies,
    )
    .map_err(|_| AppError::internal("cycle invoice of a subscription"))?;
    Ok(NewCycleInvoice {
        subscription: sub,
        cycle: this_cycle,
        issue: dates.issue,
        due: dates.due,
        autopay_on: dates.autopay,
        total: invoice.total.amount(),
        lines: invoice
            .lines
            .iter()
            .map(|l| {
                Ok(NewLine {
                    kind: l.kind.as_str(),
                    description: describe(l, sub.language),
                    text: line_text_of(l).as_ref().map(stored_line_text).transpose()?,
                    amount: l.amount.amount(),
                    vat_rate: l.vat_rate,
                })
            })
            .collect::<Result<_, AppError>>()?,
        billed_cycle: previous,
        plan_change_ids: change_ids,
    })
}

/// Issues the next cycle's invoice of one (locked) subscription; `false` when that cycle has
/// its invoice already.
async fn issue_next(
    conn: &mut PgConnection,
    sub: &Subscription,
    policies: &AutopayPolicyTable,
) -> Result<bool, AppError> {
    let Some((this_cycle, previous)) = next_cycle(sub)? else {
        return Ok(false);
    };
    let (changes, usage) = match previous {
        Some(previous) => (
            repo::plan_changes_in(conn, sub.id, previous).await?,
            repo::daily_data(conn, sub.contract_id, previous).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let new = cycle_invoice(sub, this_cycle, previous, &changes, usage, policies)?;
    Ok(repo::insert_cycle_invoice(conn, &new).await?.is_some())
}

/// The hosting terms that ended before `day`: each renewed (its next term invoiced and
/// charged) or ended (issue 28 item 5), in batches of one transaction, each service in a
/// savepoint, as `autopay_due` does. (One generic loop over both trips the `Send` check of the
/// spawned billing job: the futures of async closures are not provably `Send` for every
/// lifetime, rust-lang/rust#151398.)
async fn renew_due(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    day: NaiveDate,
    report: &mut RunReport,
    stop: Stop<'_>,
) -> Result<(), AppError> {
    use crate::backend::{hosting, repo::hosting as hosting_repo};
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        let ended = hosting_repo::lock_ended_terms(&mut tx, day, after, BATCH).await?;
        for term in &ended {
            after = term.contract_id;
            let mut savepoint = tx.begin().await?;
            let done = hosting::renew_one(&mut savepoint, gateway, keys, term, day).await;
            if let Some(outcome) = close_row(
                savepoint,
                done,
                report,
                ("hosting renewal", term.contract_id),
            )
            .await?
            {
                report.count_renewal(outcome);
            }
        }
        tx.commit().await?;
        if stop.after_batch(ended.len(), report) {
            return Ok(());
        }
    }
}

async fn autopay_due(
    pool: &PgPool,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    day: NaiveDate,
    report: &mut RunReport,
    stop: Stop<'_>,
) -> Result<(), AppError> {
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        plan_for_growing_tables(&mut tx).await?;
        let due = repo::lock_autopay_due(&mut tx, day, after, BATCH).await?;
        for charge in &due {
            after = charge.invoice_id;
            let mut savepoint = tx.begin().await?;
            let done = autopay_one(&mut savepoint, gateway, keys, charge, day, report).await;
            close_row(savepoint, done, report, ("autopay", charge.invoice_id)).await?;
        }
        tx.commit().await?;
        if stop.after_batch(due.len(), report) {
            return Ok(());
        }
    }
}

/// Ends one row's savepoint (`row`: its contract or invoice id, for the log): kept when its work succeeded; rolled back, logged and counted
/// when it failed, so that the batch goes on with the other rows.
async fn close_row<T>(
    savepoint: sqlx::Transaction<'_, sqlx::Postgres>,
    done: Result<T, AppError>,
    report: &mut RunReport,
    (what, row): (&str, i64),
) -> Result<Option<T>, AppError> {
    match done {
        Ok(value) => {
            savepoint.commit().await?;
            Ok(Some(value))
        }
        Err(err) => {
            savepoint.rollback().await?;
            tracing::error!(row, error = %err, "{what} failed");
            report.errors += 1;
            Ok(None)
        }
    }
}

async fn autopay_one(
    conn: &mut PgConnection,
    gateway: &dyn PaymentGateway,
    keys: &DataKeys,
    charge: &repo::DueCharge,
    day: NaiveDate,
    report: &mut RunReport,
) -> Result<(), AppError> {
    if charge.amount_due <= rust_decimal::Decimal::ZERO {
        repo::close_settled(conn, charge.invoice_id).await?;
        return Ok(());
    }
    match autopay_action(charge.method) {
        AutopayAction::ActionRequired => {
            repo::mark_action_required(conn, charge.invoice_id).await?;
            report.action_required += 1;
        }
        AutopayAction::Charge => {
            let attempt = u32::try_from(charge.attempts).unwrap_or(0) + 1;
            let request = ChargeRequest {
                idempotency_key: format!("autopay-{}-{attempt}", charge.invoice_id),
                invoice_number: charge.number.clone(),
                amount: charge.amount_due,
                currency: charge.currency.code().to_string(),
                method: charge.method,
                instrument: charge
                    .instruments
                    .for_method(charge.method, keys)?
                    .unwrap_or_default(),
            };
            if super::card::charge_and_record(conn, gateway, &request, charge.invoice_id, day)
                .await?
            {
                report.charged += 1;
            } else {
                repo::mark_failed(conn, charge.invoice_id, attempt, next_retry(attempt, day))
                    .await?;
                report.declined += 1;
            }
        }
    }
    Ok(())
}
