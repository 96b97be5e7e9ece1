//! The Usage tab (U1–U2): filters in the address bar (type, period, contract), totals per
//! type, a daily chart with a table alternative, the records with paging, and a CSV export.

pub mod parts;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Form, hooks::use_query_map};
use rust_decimal::Decimal;

use self::parts::{KindName, Quantity, Totals, UsageTable};
use crate::{
    api::usage::{UsageQuery, UsageView, get_usage},
    components::{form::Field, locale::use_lang, money::DateText, page_error::PageError},
    domain::{account::UsageKind, format, usage::bar_heights},
    error::AppError,
    i18n::*,
    page_data::page_data,
    paths,
};

/// The Usage tab.
#[component]
pub fn UsagePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_query_map();
    let query = Memo::new(move |_| {
        let p = params.get();
        let get = |k: &str| p.get(k).unwrap_or_default();
        UsageQuery {
            kind: get("kind"),
            period: get("period"),
            from: get("from"),
            to: get("to"),
            contract: get("contract"),
            page: get("page"),
        }
    });
    let usage = page_data(move || query.get(), get_usage);
    let content = move || {
        Suspend::new(async move {
            let q = query.get_untracked();
            match usage.await {
                Ok(view) => view! { <UsageContent view query=q /> }.into_any(),
                Err(error @ AppError::Invalid(_)) => {
                    let error = Signal::stored(Some(error));
                    view! { <FilterForm query=q contracts=Vec::new() error /> }.into_any()
                }
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, usage.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, usage.title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

#[component]
fn UsageContent(view: UsageView, query: UsageQuery) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let csv_href = format!("/usage.csv?{}", query.to_query(None));
    let page_href = {
        let query = query.clone();
        move |page: i64| {
            format!(
                "{}?{}",
                paths::localized(lang.get_untracked(), paths::USAGE),
                query.to_query(Some(page))
            )
        }
    };
    let (page, pages) = (view.page, view.pages);
    let previous = (page > 1).then(|| page_href(page - 1));
    let next = (page < pages).then(|| page_href(page + 1));
    let empty = view.rows.is_empty();
    let range = view.range;
    view! {
        <FilterForm query=query.clone() contracts=view.contracts.clone() error=Signal::stored(None) />
        <p class="intro" data-testid="usage-range">
            <DateText day=range.start() /> " – " <DateText day=range.end() />
        </p>
        <section class="card" aria-labelledby="usage-totals-title">
            <h2 id="usage-totals-title">{t!(i18n, usage.totals)}</h2>
            {if view.totals.is_empty() {
                view! { <p data-testid="usage-empty">{t!(i18n, usage.empty)}</p> }.into_any()
            } else {
                view! { <Totals totals=view.totals.clone() currency=view.currency.clone() /> }
                    .into_any()
            }}
        </section>
        <DailyChart kind=view.chart_kind daily=view.daily.clone() />
        <section class="card" aria-labelledby="usage-list-title">
            <div class="card-head">
                <h2 id="usage-list-title">{t!(i18n, usage.list)}</h2>
                <a class="btn btn-outline" href=csv_href download rel="external" data-testid="usage-csv">
                    {t!(i18n, usage.csv)}
                </a>
            </div>
            {(!empty).then(|| view! { <UsageTable rows=view.rows.clone() currency=view.currency.clone() /> })}
            <nav class="pager" aria-label=move || t_string!(i18n, usage.paging).to_string()>
                {previous.map(|href| view! { <a href=href rel="prev">{t!(i18n, usage.previous)}</a> })}
                <span data-testid="usage-page">
                    {t!(i18n, usage.page_of, page = move || page, pages = move || pages)}
                </span>
                {next.map(|href| view! { <a href=href rel="next" data-testid="usage-next">{t!(i18n, usage.next)}</a> })}
            </nav>
        </section>
    }
    .into_any()
}

/// The filter: a GET form, so the filter lives in the address bar (and works without scripts).
#[component]
fn FilterForm(
    query: UsageQuery,
    contracts: Vec<crate::api::usage::ContractChoice>,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let kind = query.kind.clone();
    let period = query.period.clone();
    let contract = query.contract.clone();
    let custom = period == "custom";
    view! {
        <section class="card" aria-labelledby="usage-filter-title">
            <h2 id="usage-filter-title">{t!(i18n, usage.filter)}</h2>
            <Form method="GET" action="" attr:class="filter-grid" attr:data-testid="usage-filter">
                <div class="field">
                    <label for="usage-kind">{t!(i18n, usage.kind)}</label>
                    <select id="usage-kind" name="kind">
                        <option value="" selected=kind.is_empty()>{t!(i18n, usage.all_kinds)}</option>
                        {UsageKind::ALL
                            .iter()
                            .map(|k| {
                                view! {
                                    <option value=k.as_str() selected=kind == k.as_str()>
                                        <KindName kind=*k />
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="usage-period">{t!(i18n, usage.period)}</label>
                    <select id="usage-period" name="period">
                        <option value="this" selected=period.is_empty() || period == "this">
                            {t!(i18n, usage.this_cycle)}
                        </option>
                        <option value="last" selected=period == "last">{t!(i18n, usage.last_cycle)}</option>
                        <option value="custom" selected=custom>{t!(i18n, usage.custom)}</option>
                    </select>
                </div>
                <Field
                    id="usage-from"
                    name="from"
                    input_type="date"
                    autocomplete="off"
                    value=query.from.clone()
                    required=false
                    error
                >
                    {t!(i18n, usage.from)}
                </Field>
                <Field
                    id="usage-to"
                    name="to"
                    input_type="date"
                    autocomplete="off"
                    value=query.to.clone()
                    required=false
                    error
                >
                    {t!(i18n, usage.to)}
                </Field>
                <div class="field">
                    <label for="usage-contract">{t!(i18n, usage.contract)}</label>
                    <select id="usage-contract" name="contract">
                        <option value="" selected=contract.is_empty()>{t!(i18n, usage.all_contracts)}</option>
                        {contracts
                            .into_iter()
                            .map(|c| {
                                let label = match &c.phone_number {
                                    Some(phone) => {
                                        format!("{} · {}", c.contract_number, crate::domain::format::phone(phone))
                                    }
                                    None => c.contract_number.clone(),
                                };
                                view! {
                                    <option value=c.contract_number.clone() selected=contract == c.contract_number>
                                        {label}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field field-action">
                    <button type="submit" class="btn btn-primary" data-testid="usage-apply">
                        {t!(i18n, usage.apply)}
                    </button>
                </div>
                <p class="field-hint filter-hint">{t!(i18n, usage.custom_hint)}</p>
            </Form>
        </section>
    }
    .into_any()
}

/// Usage per day as bars (SVG drawn by us), with the same figures as a table for screen
/// readers and anyone who prefers numbers.
#[component]
fn DailyChart(kind: UsageKind, daily: Vec<(chrono::NaiveDate, Decimal)>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let values: Vec<Decimal> = daily.iter().map(|(_, v)| *v).collect();
    let heights = bar_heights(&values);
    let width = daily.len().max(1) * 10;
    let bars = heights
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = h.to_string();
            let y = (Decimal::ONE_HUNDRED - heights[i]).to_string();
            view! { <rect x=i * 10 + 1 y=y width="8" height=h></rect> }
        })
        .collect_view();
    let first = daily.first().map(|(d, _)| *d);
    let last = daily.last().map(|(d, _)| *d);
    let rows = daily
        .into_iter()
        .map(|(day, amount)| {
            view! {
                <tr>
                    <th scope="row"><DateText day /></th>
                    <td class="num"><Quantity kind amount /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="usage-chart-title">
            <h2 id="usage-chart-title">
                {t!(i18n, usage.chart_title)} " – " <KindName kind />
            </h2>
            <svg
                class="usage-chart"
                viewBox=format!("0 0 {width} 100")
                preserveAspectRatio="none"
                role="img"
                aria-labelledby="usage-chart-title"
                data-testid="usage-chart"
            >
                {bars}
            </svg>
            <p class="chart-axis" aria-hidden="true">
                <span>{move || first.map(|d| format::date(d, lang.get()))}</span>
                <span>{move || last.map(|d| format::date(d, lang.get()))}</span>
            </p>
            <details>
                <summary>{t!(i18n, usage.chart_table)}</summary>
                <div class="table-scroll" tabindex="0" role="region" aria-labelledby="usage-chart-title">
                    <table class="data-table" data-testid="usage-daily">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, usage.day)}</th>
                                <th scope="col" class="num">{t!(i18n, usage.quantity)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
    .into_any()
}
