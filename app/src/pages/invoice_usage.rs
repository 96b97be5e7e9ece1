//! The consumption behind one invoice (I3): the records billed on it, with totals per type.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::usage::parts::{Totals, UsageTable};
use crate::{
    api::usage::get_invoice_usage,
    components::{locale::use_localized, page_error::PageError},
    error::AppError,
    i18n::*,
    page_data::page_data,
    paths,
};

/// `/invoices/{id}/usage`.
#[component]
pub fn InvoiceUsagePage() -> impl IntoView {
    let i18n = use_i18n();
    let params = use_params_map();
    let back = use_localized(paths::INVOICES);
    let id = move || params.get().get("id").and_then(|id| id.parse::<i64>().ok());
    let usage = page_data(id, |id| async move {
        match id {
            Some(id) => get_invoice_usage(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let content = move || {
        Suspend::new(async move {
            match usage.await {
                Ok(data) => view! {
                    <p class="intro" data-testid="invoice-usage-number">
                        {t!(i18n, usage.invoice_intro)} " " {data.number.clone()}
                    </p>
                    <section class="card" aria-labelledby="usage-totals-title">
                        <h2 id="usage-totals-title">{t!(i18n, usage.totals)}</h2>
                        {if data.totals.is_empty() {
                            view! { <p data-testid="usage-empty">{t!(i18n, usage.invoice_empty)}</p> }
                                .into_any()
                        } else {
                            view! { <Totals totals=data.totals.clone() currency=data.currency.clone() /> }
                                .into_any()
                        }}
                    </section>
                    <section class="card" aria-labelledby="usage-list-title">
                        <h2 id="usage-list-title">{t!(i18n, usage.list)}</h2>
                        <UsageTable rows=data.rows currency=data.currency />
                    </section>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, usage.invoice_title).to_string()) />
        <div class="page">
            <p><a href=back>{t!(i18n, usage.back_to_invoices)}</a></p>
            <h1>{t!(i18n, usage.invoice_title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}
