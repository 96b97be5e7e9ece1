//! The account overview of a holder (H1) and the list of contracts.

use leptos::prelude::*;

use crate::{
    api::home::{AccountOverview, InvoiceSummary},
    components::money::{DateText, Money},
    domain::{
        account::{ContractStatus, InvoiceStatus, Service},
        balance::BalanceState,
    },
    i18n::*,
};

/// Balance, last invoice, customer number, contact data and products.
#[component]
pub fn AccountOverviewView(account: AccountOverview) -> impl IntoView {
    let i18n = use_i18n();
    let currency = account.currency.clone();
    let full_name = match &account.company_name {
        Some(company) => format!("{company} ({} {})", account.first_name, account.last_name),
        None => format!("{} {}", account.first_name, account.last_name),
    };
    let banner = account.old_invoice_layout.then(|| {
        view! {
            <aside class="alert alert-info banner" aria-labelledby="old-layout-title" data-testid="old-layout-banner">
                <h2 id="old-layout-title" class="banner-title">{t!(i18n, home.old_layout_title)}</h2>
                <p>
                    {t!(i18n, home.old_layout_text)} " "
                    <a href=account.old_invoice_help_url.clone() rel="external">
                        {t!(i18n, home.old_layout_link)}
                    </a>
                </p>
            </aside>
        }
    });
    view! {
        {banner}
        <section class="overview" aria-labelledby="overview-title">
            <h2 id="overview-title" class="visually-hidden">{t!(i18n, home.overview)}</h2>
            <dl class="figures">
                <div class="figure figure-balance">
                    <dt>{t!(i18n, home.balance)}</dt>
                    <dd data-testid="balance">
                        <BalanceFigure balance=account.balance currency=currency.clone() />
                    </dd>
                </div>
                <div class="figure">
                    <dt>{t!(i18n, home.last_invoice)}</dt>
                    <dd data-testid="last-invoice">
                        {match account.last_invoice {
                            Some(invoice) => view! { <LastInvoice invoice=invoice /> }.into_any(),
                            None => view! { <span>{t!(i18n, home.no_invoice)}</span> }.into_any(),
                        }}
                    </dd>
                </div>
                <div class="figure">
                    <dt>{t!(i18n, home.customer_number)}</dt>
                    <dd class="figure-value" data-testid="customer-number">
                        {account.customer_number.clone()}
                    </dd>
                </div>
            </dl>
        </section>
        <div class="columns">
            <section class="card" aria-labelledby="contact-title">
                <h2 id="contact-title">{t!(i18n, home.contact)}</h2>
                <address data-testid="contact">
                    <strong>{full_name}</strong>
                    <br />
                    {account.street.clone()}
                    <br />
                    {format!("{} {}", account.postal_code, account.city)}
                </address>
                <dl class="pairs">
                    <dt>{t!(i18n, home.email)}</dt>
                    <dd>{account.email.clone()}</dd>
                    {account
                        .phone
                        .clone()
                        .map(|phone| {
                            view! {
                                <dt>{t!(i18n, home.phone)}</dt>
                                <dd>{crate::domain::format::phone(&phone)}</dd>
                            }
                        })}
                </dl>
            </section>
        </div>
    }
}

#[component]
fn BalanceFigure(balance: BalanceState, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    match balance {
        BalanceState::Due(amount) => view! {
            <span class="figure-value"><Money amount=amount currency=currency /></span>
            <span class="figure-note">{t!(i18n, home.balance_due)}</span>
        }
        .into_any(),
        BalanceState::Credit(amount) => view! {
            <span class="figure-value"><Money amount=amount currency=currency /></span>
            <span class="figure-note">{t!(i18n, home.balance_credit)}</span>
        }
        .into_any(),
        BalanceState::Settled => view! {
            <span class="figure-value">{t!(i18n, home.balance_settled)}</span>
        }
        .into_any(),
    }
}

#[component]
fn LastInvoice(invoice: InvoiceSummary) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="figure-value">
            <Money amount=invoice.total currency=invoice.currency.clone() />
        </span>
        <span class="figure-note">
            {t!(i18n, home.invoice_number)} " " {invoice.number.clone()} " · "
            {t!(i18n, home.issued_on)} " " <DateText day=invoice.issue_date /> " · "
            {t!(i18n, home.due_on)} " " <DateText day=invoice.due_date />
        </span>
        <span class=format!("badge badge-{}", invoice.status.as_str())>
            <InvoiceStatusText status=invoice.status />
        </span>
    }
}

/// The translated status of an invoice.
#[component]
pub fn InvoiceStatusText(status: InvoiceStatus) -> impl IntoView {
    let i18n = use_i18n();
    move || match status {
        InvoiceStatus::Open => t_string!(i18n, invoice_status.open),
        InvoiceStatus::Paid => t_string!(i18n, invoice_status.paid),
        InvoiceStatus::Failed => t_string!(i18n, invoice_status.failed),
        InvoiceStatus::ActionRequired => t_string!(i18n, invoice_status.action_required),
    }
}

/// The translated name of a service.
#[component]
pub fn ServiceName(service: Service) -> impl IntoView {
    let i18n = use_i18n();
    move || match service {
        Service::Tv => t_string!(i18n, service.tv),
        Service::Internet => t_string!(i18n, service.internet),
        Service::Fixed => t_string!(i18n, service.fixed),
        Service::Mobile => t_string!(i18n, service.mobile),
        Service::Satellite => t_string!(i18n, service.satellite),
        Service::Hosting => t_string!(i18n, service.hosting),
    }
}

/// The translated status of a contract.
#[component]
pub fn ContractStatusText(status: ContractStatus) -> impl IntoView {
    let i18n = use_i18n();
    move || match status {
        ContractStatus::Active => t_string!(i18n, contract_status.active),
        ContractStatus::Cancelled => t_string!(i18n, contract_status.cancelled),
        ContractStatus::TakenOver => t_string!(i18n, contract_status.taken_over),
    }
}

/// One contract as a list item: a heading (service or phone number), the tariff, the phone and
/// contract numbers, and the status.
#[component]
pub fn ContractLine(
    heading: AnyView,
    tariff_name: Option<String>,
    /// Shown in the detail line; `None` when the heading already is the phone number.
    phone_number: Option<String>,
    contract_number: String,
    status: ContractStatus,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <li class="product">
            <span class="product-service">{heading}</span>
            <span class="product-tariff">
                {match tariff_name {
                    Some(name) => name.into_any(),
                    None => t!(i18n, home.no_tariff).into_any(),
                }}
            </span>
            <span class="product-meta">
                {phone_number.map(|n| format!("{} · ", crate::domain::format::phone(&n)))}
                {t!(i18n, home.contract_number)} " " {contract_number}
            </span>
            <span class=format!("badge badge-{}", status.as_str())>
                <ContractStatusText status=status />
            </span>
        </li>
    }
}
