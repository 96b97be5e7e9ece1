//! Switching an option of a line today (H3): the change and its prorated line on the next
//! invoice in one transaction, once per idempotency key, refused as `Stale` when the amount the
//! customer confirmed is no longer today's.

use crate::backend::events::{self, EventKind, Subject};
use rust_decimal::Decimal;

use crate::{
    backend::{
        entry::Holder,
        idempotency::{self, Claim},
        repo::products as repo,
        state::AppState,
    },
    domain::{
        account::ContractStatus,
        billing::proration::switch_cost,
        format,
        products::{ChangeRefusal, OptionChanged, option_prices},
    },
    error::AppError,
    i18n::*,
};

/// A confirmed option switch as the customer sent it.
pub struct Switch<'a> {
    pub contract_number: &'a str,
    pub option_code: &'a str,
    /// On (`true`) or off.
    pub activate: bool,
    /// The prorated amount the customer saw and confirmed.
    pub shown_amount: &'a str,
    pub idempotency_key: &'a str,
}

/// What a switch did.
pub enum Switched {
    /// Switched now; `option_id` names the option for the notice without JavaScript.
    Done {
        changed: OptionChanged,
        option_id: i64,
    },
    /// The same key again: the first answer, nothing written.
    Replayed(OptionChanged),
}

/// Switches the option `request` names for the holder's line.
pub async fn switch_option(
    state: &AppState,
    holder: &Holder,
    request: &Switch<'_>,
) -> Result<Switched, AppError> {
    let customer_id = holder.customer_id;
    let activate = request.activate;
    let shown: Decimal = request
        .shown_amount
        .trim()
        .parse()
        .map_err(|_| AppError::Stale)?;
    let today = state.clock.today();
    let login_id = holder.access.session.login_id;
    let mut tx = state.pool.begin().await?;
    let claimed = (
        request.contract_number,
        request.option_code,
        if activate { "activate" } else { "deactivate" },
        request.shown_amount,
    );
    if let Claim::Replay(answer) = idempotency::claim(
        &mut tx,
        login_id,
        request.idempotency_key,
        "change_option",
        &claimed,
    )
    .await?
    {
        return answer.map(Switched::Replayed);
    }
    let line = repo::lock_line(&mut tx, customer_id, request.contract_number.trim()).await?;
    if line.status != ContractStatus::Active {
        return Err(AppError::NotFound);
    }
    let lang = line.language;
    let option =
        repo::lock_option(&mut tx, line.id, request.option_code.trim(), lang.code()).await?;
    let (old_price, new_price) =
        option_prices(option.monthly_price, option.active().is_some(), activate)
            .map_err(|ChangeRefusal::AlreadyThere| AppError::Stale)?;
    let currency = line.currency;
    // A line not yet in a cycle has no amount on its page, so a confirmation of one is
    // from another state of the page.
    let (cycle, amount) = switch_cost(line.start_date, today, old_price, new_price, currency)
        .ok_or(AppError::Stale)?;
    let amount = amount.amount();
    if amount != shown {
        return Err(AppError::Stale);
    }
    let activation_id = match option.active() {
        None => repo::activate_option(&mut tx, line.id, option.option_id, today).await?,
        Some((id, _)) => {
            repo::deactivate_option(&mut tx, id, today).await?;
            id
        }
    };
    if !amount.is_zero() {
        let locale = locale_of(lang);
        let what = if activate {
            td_string!(locale, settings.line_activated)
        } else {
            td_string!(locale, settings.line_deactivated)
        };
        let description = format!(
            "{} · {} {} · {}–{}",
            option.name,
            what,
            format::date(today, lang),
            format::date(cycle.start(), lang),
            format::date(cycle.end(), lang)
        );
        repo::insert_pending_charge(
            &mut tx,
            &repo::NewPendingCharge {
                line: &line,
                activation_id,
                activate,
                description: &description,
                day: today,
                cycle,
                old_price,
                new_price,
                amount,
            },
        )
        .await?;
    }
    events::record(
        &mut tx,
        Subject::Contract(line.id),
        EventKind::OptionSwitched,
        serde_json::json!({
            "contract": line.contract_number,
            "option": option.code,
            "active": activate,
            "effective_on": today,
            "monthly_price_before": old_price.to_string(),
            "monthly_price_after": new_price.to_string(),
            "prorated_amount": amount.to_string(),
            "currency": currency.code(),
            "cycle_start": cycle.start(),
            "cycle_end": cycle.end(),
        }),
    )
    .await?;
    tracing::info!(
        customer_id,
        contract = %line.contract_number,
        option = %option.code,
        activate,
        %amount,
        "option changed"
    );
    let changed = OptionChanged {
        code: option.code,
        active: activate,
        amount,
        currency: currency.code().to_string(),
    };
    let answer = Ok(changed);
    idempotency::remember(&mut tx, login_id, request.idempotency_key, &answer).await?;
    tx.commit().await?;
    answer.map(|changed| Switched::Done {
        changed,
        option_id: option.option_id,
    })
}
