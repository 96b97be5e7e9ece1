//! Pieces shared by the Usage tab and an invoice's consumption: kind names, quantities with
//! their unit, totals per kind and the list of records.

use leptos::prelude::*;
use rust_decimal::Decimal;

use crate::{
    components::{locale::use_lang, money::Money},
    domain::{
        account::UsageKind,
        format,
        usage::{KindTotal, Unit, UsageRow, unit_of},
    },
    i18n::*,
};

/// The translated name of a usage kind.
#[component]
pub fn KindName(kind: UsageKind) -> impl IntoView {
    let i18n = use_i18n();
    move || match kind {
        UsageKind::Data => t_string!(i18n, usage.kind_data),
        UsageKind::Call => t_string!(i18n, usage.kind_call),
        UsageKind::Sms => t_string!(i18n, usage.kind_sms),
        UsageKind::Mms => t_string!(i18n, usage.kind_mms),
        UsageKind::Premium => t_string!(i18n, usage.kind_premium),
    }
}

/// A quantity with its unit: `1.234 MB`, `3,50 min`, `2 SMS`.
#[component]
pub fn Quantity(kind: UsageKind, amount: Decimal) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    move || {
        let lang = lang.get();
        match unit_of(kind) {
            Unit::Megabytes => format!(
                "{} {}",
                format::number(amount, 0, lang),
                t_string!(i18n, usage.unit_mb)
            ),
            Unit::Minutes => format!(
                "{} {}",
                format::number(amount, 2, lang),
                t_string!(i18n, usage.unit_min)
            ),
            Unit::Count => format!(
                "{} {}",
                format::number(amount, 0, lang),
                t_string!(i18n, usage.unit_count)
            ),
        }
    }
}

/// Totals per kind over everything the filter covers.
#[component]
pub fn Totals(totals: Vec<KindTotal>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="totals" data-testid="usage-totals">
            {totals
                .into_iter()
                .map(|t| {
                    let currency = currency.clone();
                    view! {
                        <li class="total" data-kind=t.kind.as_str()>
                            <span class="total-kind"><KindName kind=t.kind /></span>
                            <span class="total-value" data-testid="total-quantity">
                                <Quantity kind=t.kind amount=t.quantity />
                            </span>
                            <span class="total-note">
                                {t.records} " " {t!(i18n, usage.records)}
                                {(!t.charge.is_zero())
                                    .then(|| {
                                        view! {
                                            " · " {t!(i18n, usage.charged)} " "
                                            <Money amount=t.charge currency=currency.clone() />
                                        }
                                    })}
                            </span>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

/// The records, newest first.
#[component]
pub fn UsageTable(rows: Vec<UsageRow>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="usage-list-title">
            <table class="data-table" data-testid="usage-rows">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, usage.when)}</th>
                        <th scope="col">{t!(i18n, usage.line)}</th>
                        <th scope="col">{t!(i18n, usage.kind)}</th>
                        <th scope="col" class="num">{t!(i18n, usage.quantity)}</th>
                        <th scope="col">{t!(i18n, usage.destination)}</th>
                        <th scope="col" class="num">{t!(i18n, usage.charge)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            let when = row.started_at;
                            let currency = currency.clone();
                            view! {
                                <tr data-kind=row.kind.as_str()>
                                    <td>
                                        <time datetime=format::datetime_attr(when)>
                                            {move || {
                                                format!(
                                                    "{} {}",
                                                    format::date(when.date(), lang.get()),
                                                    format::clock(when),
                                                )
                                            }}
                                        </time>
                                    </td>
                                    <td>
                                        {row
                                            .phone_number
                                            .as_deref()
                                            .map(crate::domain::format::phone)
                                            .unwrap_or(row.contract_number.clone())}
                                    </td>
                                    <td><KindName kind=row.kind /></td>
                                    <td class="num"><Quantity kind=row.kind amount=row.quantity /></td>
                                    <td>{row.destination.clone().unwrap_or_default()}</td>
                                    <td class="num"><Money amount=row.charge currency=currency /></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
