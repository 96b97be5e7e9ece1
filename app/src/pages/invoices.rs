//! Invoices & payments (I1): the last 12 invoices and credit notes, newest first.

pub mod payables;
pub mod payment_section;

use leptos::prelude::*;
use leptos_meta::Title;

use self::{payables::PayablesSection, payment_section::PaymentSection};

use crate::{
    api::{
        invoices::{InvoiceRow, get_invoices, pdf_href},
        payables::{PayInvoice, get_payables},
        payments::{ActivateSepa, RevokeSepa, get_payment_methods},
    },
    app::on_success,
    components::{
        action_form::FormAction,
        form::SuccessNotice,
        locale::use_lang,
        money::{DateText, Money},
        page_error::PageError,
    },
    domain::account::InvoiceKind,
    error::AppError,
    i18n::*,
    page_data::page_data,
    pages::home::account_overview::InvoiceStatusText,
    paths,
};

/// The Invoices & payments tab. Both resources belong to the page and are awaited in one
/// `Suspend` (a resource created inside another's `Suspend` hydrates twice).
#[component]
pub fn InvoicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let activate = FormAction::<ActivateSepa>::new();
    let revoke = FormAction::<RevokeSepa>::new();
    let changes = RwSignal::new(0_u32);
    on_success(activate, move || changes.update(|n| *n += 1));
    on_success(revoke, move || changes.update(|n| *n += 1));
    let pay = FormAction::<PayInvoice>::new();
    let paid = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Some(result) = pay.value().get()
            && matches!(result, Ok(_) | Err(AppError::Stale))
        {
            paid.update(|n| *n += 1);
        }
    });
    let invoices = page_data(move || paid.get(), |_| get_invoices());
    let payables = page_data(move || (paid.get(), changes.get()), |_| get_payables());
    let payments = page_data(move || changes.get(), |_| get_payment_methods());
    let content = move || {
        Suspend::new(async move {
            let rows = match invoices.await {
                Ok(rows) => rows,
                Err(error) => return view! { <PageError error /> }.into_any(),
            };
            let payment = payments.await;
            let payables = payables.await.unwrap_or_default();
            let table = if rows.is_empty() {
                view! { <p class="card" data-testid="no-invoices">{t!(i18n, invoices.empty)}</p> }
                    .into_any()
            } else {
                view! { <InvoiceTable rows /> }.into_any()
            };
            view! {
                <PayablesSection payables pay />
                {table}
                <PaymentSection data=payment activate revoke />
            }
            .into_any()
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, invoices.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, invoices.title)}</h1>
            <p>
                <a href=move || paths::localized(lang.get(), "/invoices/next") data-testid="next-invoice-link">
                    {t!(i18n, next_invoice.link)}
                </a>
            </p>
            <SuccessNotice
                testid="invoice-paid"
                message=move || {
                    matches!(pay.value().get(), Some(Ok(_)))
                        .then(|| t!(i18n, payables.paid).into_any())
                }
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

#[component]
fn InvoiceTable(rows: Vec<InvoiceRow>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" aria-labelledby="invoices-caption">
            <h2 id="invoices-caption">{t!(i18n, invoices.caption)}</h2>
            <div class="table-scroll" tabindex="0" role="region" aria-labelledby="invoices-caption">
                <table class="data-table" data-testid="invoices">
                    <thead>
                        <tr>
                            <th scope="col">{t!(i18n, invoices.number)}</th>
                            <th scope="col">{t!(i18n, invoices.date)}</th>
                            <th scope="col">{t!(i18n, invoices.period)}</th>
                            <th scope="col" class="num">{t!(i18n, invoices.amount)}</th>
                            <th scope="col">{t!(i18n, invoices.due_date)}</th>
                            <th scope="col">{t!(i18n, invoices.status)}</th>
                            <th scope="col">{t!(i18n, invoices.document)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| view! { <InvoiceLine row /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn InvoiceLine(row: InvoiceRow) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let href = move || pdf_href(row.id, lang.get());
    let number = row.number.clone();
    let credit = row.kind == InvoiceKind::CreditNote;
    // A credit note lowers what is owed: shown with a minus.
    let amount = if credit { -row.total } else { row.total };
    let corrects = row.corrects.clone();
    view! {
        <tr data-testid=format!("invoice-{}", row.number) data-kind=row.kind.as_str()>
            <th scope="row">
                <span class="invoice-number">{row.number.clone()}</span>
                {credit
                    .then(|| {
                        view! {
                            <span class="invoice-kind">
                                {t!(i18n, invoices.credit_note)}
                                {corrects
                                    .map(|number| {
                                        view! {
                                            " · " {t!(i18n, invoices.corrects)} " "
                                            <span data-testid="corrects">{number}</span>
                                        }
                                    })}
                            </span>
                        }
                    })}
            </th>
            <td><DateText day=row.issue_date /></td>
            <td>
                {row
                    .period
                    .map(|(start, end)| view! { <DateText day=start /> " – " <DateText day=end /> })}
            </td>
            <td class="num"><Money amount=amount currency=row.currency.clone() /></td>
            <td>
                <DateText day=row.due_date />
                {(row.due_date > row.issue_date && !credit)
                    .then(|| {
                        let days = (row.due_date - row.issue_date).num_days();
                        view! {
                            <span class="invoice-kind" data-testid="net-days">
                                {t!(i18n, invoices.net_days, days = move || days)}
                            </span>
                        }
                    })}
            </td>
            <td>
                <span class=format!("badge badge-{}", row.status.as_str())>
                    <InvoiceStatusText status=row.status />
                </span>
            </td>
            <td>
                // A download, not a page: the router must leave it to the browser.
                <a href=href download rel="external" data-testid="invoice-pdf">
                    {t!(i18n, pdf.download)}
                    <span class="visually-hidden">" " {number.clone()}</span>
                </a>
                {(!credit)
                    .then(|| {
                        let usage = move || {
                            paths::localized(lang.get(), &format!("/invoices/{}/usage", row.id))
                        };
                        view! {
                            " · "
                            <a href=usage data-testid="invoice-usage">
                                {t!(i18n, usage.consumption)}
                                <span class="visually-hidden">" " {number.clone()}</span>
                            </a>
                        }
                    })}
            </td>
        </tr>
    }
    .into_any()
}
