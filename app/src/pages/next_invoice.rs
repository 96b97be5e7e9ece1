//! I5, B5, B6: the next invoice of each monthly subscription as of today, with the plan
//! change (its proration shown before confirming) and the billing-date request (refused).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::next_invoice::{
        ChangePlan, NextInvoiceView, PlanOption, RequestBillingDateChange, SubscriptionView,
        get_next_invoices,
    },
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice, problem_message, shown_error},
        locale::use_lang,
        money::{DateText, Money},
        page_error::PageError,
    },
    domain::{
        billing::{invoice_dates::PaymentMethod, preview::LineKind},
        format,
    },
    error::AppError,
    i18n::*,
    page_data::page_data,
};

/// The "Next invoice" page.
#[component]
pub fn NextInvoicePage() -> impl IntoView {
    let i18n = use_i18n();
    let change = FormAction::<ChangePlan>::new();
    let billing_date = FormAction::<RequestBillingDateChange>::new();
    let changes = RwSignal::new(0_u32);
    Effect::new(move |_| {
        if let Some(result) = change.value().get()
            && matches!(result, Ok(_) | Err(AppError::Stale))
        {
            changes.update(|n| *n += 1);
        }
    });
    let subscriptions = page_data(move || changes.get(), |_| get_next_invoices());
    let content = move || {
        Suspend::new(async move {
            match subscriptions.await {
                Ok(subs) if subs.is_empty() => {
                    view! { <p class="card" data-testid="no-subscriptions">{t!(i18n, next_invoice.none)}</p> }
                        .into_any()
                }
                Ok(subs) => subs
                    .into_iter()
                    .map(|sub| view! { <SubscriptionCard sub change billing_date /> })
                    .collect_view()
                    .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, next_invoice.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, next_invoice.title)}</h1>
            <p>{t!(i18n, next_invoice.intro)}</p>
            <SuccessNotice
                testid="plan-changed"
                message=move || {
                    matches!(change.value().get(), Some(Ok(_)))
                        .then(|| t!(i18n, next_invoice.plan_changed).into_any())
                }
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

/// The name of a payment method in the current language.
pub fn method_name(method: PaymentMethod) -> AnyView {
    let i18n = use_i18n();
    match method {
        PaymentMethod::Card => t!(i18n, next_invoice.method_card).into_any(),
        PaymentMethod::SepaDebit => t!(i18n, next_invoice.method_sepa).into_any(),
        PaymentMethod::MobileMoney => t!(i18n, next_invoice.method_mobile_money).into_any(),
    }
}

#[component]
fn SubscriptionCard(
    sub: SubscriptionView,
    change: FormAction<ChangePlan>,
    billing_date: FormAction<RequestBillingDateChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading = format!("subscription-{}", sub.id);
    let labelled_by = heading.clone();
    let body = match sub.next.clone() {
        NextInvoiceView::Managed => view! {
            <p class="alert alert-info" data-testid="preview-managed">{t!(i18n, next_invoice.managed)}</p>
        }
        .into_any(),
        NextInvoiceView::AwaitingActivation { activation, issue, due } => view! {
            <p>{t!(i18n, next_invoice.awaiting)}</p>
            <dl class="pairs" data-testid="preview-pending">
                <dt>{t!(i18n, next_invoice.activation)}</dt>
                <dd data-testid="activation-date"><DateText day=activation /></dd>
                <dt>{t!(i18n, next_invoice.issue_date)}</dt>
                <dd><DateText day=issue /></dd>
                <dt>{t!(i18n, next_invoice.due_date)}</dt>
                <dd data-testid="first-due-date"><DateText day=due /></dd>
            </dl>
        }
        .into_any(),
        NextInvoiceView::Preview { .. } => view! { <PreviewTable sub=sub.clone() /> }.into_any(),
    };
    let plans = (!sub.plans.is_empty()).then(|| view! { <PlanForm sub=sub.clone() change /> });
    let date_form = sub
        .anchor_day
        .map(|day| view! { <BillingDateForm id=sub.id day billing_date /> });
    view! {
        <section class="card" aria-labelledby=labelled_by data-testid="subscription">
            <h2 id=heading>{sub.plan_name.clone()}</h2>
            <dl class="pairs">
                <dt>{t!(i18n, next_invoice.contract)}</dt>
                <dd>{sub.contract_number.clone()}</dd>
                <dt>{t!(i18n, next_invoice.plan)}</dt>
                <dd data-testid="current-plan">
                    {sub.plan_name.clone()} " · "
                    <Money amount=sub.plan_price currency=sub.currency.clone() /> " "
                    {t!(i18n, next_invoice.per_month)}
                </dd>
                <dt>{t!(i18n, next_invoice.payment_method)}</dt>
                <dd>{method_name(sub.method)}</dd>
            </dl>
            {body}
            {plans}
            {date_form}
        </section>
    }
    .into_any()
}

#[component]
fn PreviewTable(sub: SubscriptionView) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let NextInvoiceView::Preview {
        cycle,
        issue,
        due,
        autopay,
        lines,
        vat,
        total,
    } = sub.next
    else {
        return ().into_any();
    };
    let currency = sub.currency.clone();
    let caption = format!("preview-caption-{}", sub.id);
    let region_label = caption.clone();
    let rows = lines
        .into_iter()
        .map(|line| {
            let label = match line.kind {
                LineKind::Recurring => view! { {line.label.clone()} }.into_any(),
                LineKind::Proration => {
                    view! { {t!(i18n, next_invoice.line_plan_change)} ": " {line.label.clone()} }
                        .into_any()
                }
                LineKind::Overage => {
                    let gb = line.quantity.unwrap_or(0);
                    view! {
                        {t!(i18n, next_invoice.line_overage)} ": "
                        {move || format::number(gb.into(), 0, lang.get())} " GB"
                    }
                    .into_any()
                }
            };
            let kind = line.kind.as_str();
            view! {
                <tr data-kind=kind>
                    <td>{label}</td>
                    <td class="num"><Money amount=line.amount.amount() currency=currency.clone() /></td>
                </tr>
            }
        })
        .collect_view();
    let vat_rows = vat
        .into_iter()
        .filter(|v| !v.rate.is_zero())
        .map(|v| {
            let rate = v.rate;
            view! {
                <tr>
                    <td>
                        {t!(i18n, next_invoice.vat_included)} " "
                        {move || format::number(rate, 0, lang.get())} " %"
                    </td>
                    <td class="num"><Money amount=v.vat.amount() currency=currency.clone() /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <dl class="pairs">
            <dt>{t!(i18n, next_invoice.cycle)}</dt>
            <dd><DateText day=cycle.0 /> " – " <DateText day=cycle.1 /></dd>
            <dt>{t!(i18n, next_invoice.issue_date)}</dt>
            <dd data-testid="preview-issue-date"><DateText day=issue /></dd>
            <dt>{t!(i18n, next_invoice.due_date)}</dt>
            <dd><DateText day=due /></dd>
            <dt>{t!(i18n, next_invoice.autopay)}</dt>
            <dd><DateText day=autopay /></dd>
        </dl>
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby=region_label>
            <table class="data-table" data-testid="preview-lines">
                <caption id=caption>{t!(i18n, next_invoice.title)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, next_invoice.description)}</th>
                        <th scope="col" class="num">{t!(i18n, next_invoice.amount)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr>
                        <th scope="row">{t!(i18n, next_invoice.total)}</th>
                        <td class="num" data-testid="preview-total">
                            <strong><Money amount=total.amount() currency=currency.clone() /></strong>
                        </td>
                    </tr>
                    {vat_rows}
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn PlanForm(sub: SubscriptionView, change: FormAction<ChangePlan>) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(change);
    let problem = move || error.get().and_then(|e| e.problem_for("tariff_id"));
    let legend = format!("plans-{}", sub.id);
    let choices = sub
        .plans
        .iter()
        .map(|plan: &PlanOption| {
            let id = format!("plan-{}-{}", sub.id, plan.tariff_id);
            let quote = sub.quote(plan);
            let currency = sub.currency.clone();
            let allowance = plan.allowance_gb;
            view! {
                <div class="field-check" data-testid="plan-choice">
                    <input type="radio" id=id.clone() name="tariff_id" value=plan.tariff_id.to_string() />
                    <label for=id>
                        <strong>{plan.name.clone()}</strong> " · "
                        <Money amount=plan.monthly_price currency=currency.clone() /> " "
                        {t!(i18n, next_invoice.per_month)}
                        {allowance.map(|gb| view! { " · " {gb} " " {t!(i18n, next_invoice.gb_included)} })}
                        {quote
                            .map(|q| {
                                view! {
                                    <span class="quote" data-testid="plan-quote">
                                        " · " <Money amount=q.amount() currency=currency.clone() /> " "
                                        {t!(i18n, next_invoice.on_next_invoice)}
                                    </span>
                                }
                            })}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=change attr:class="stack">
            <FormAlert error />
            <input type="hidden" name="subscription_id" value=sub.id.to_string() />
            <input type="hidden" name="quoted_on" value=sub.today.to_string() />
            <fieldset
                class="stack"
                aria-describedby=move || problem().map(|_| "plan-error")
                aria-invalid=move || problem().is_some().then_some("true")
            >
                <legend id=legend>
                    <h3>{t!(i18n, next_invoice.change_plan)}</h3>
                </legend>
                <p class="field-hint">{t!(i18n, next_invoice.change_plan_hint)}</p>
                {choices}
                {move || problem().map(|p| view! { <p class="field-error" id="plan-error">{problem_message(p)}</p> })}
            </fieldset>
            <button type="submit" class="btn btn-primary" data-testid="confirm-plan">
                {t!(i18n, next_invoice.confirm_plan)}
            </button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn BillingDateForm(
    id: i64,
    day: u32,
    billing_date: FormAction<RequestBillingDateChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(billing_date);
    let field_id = format!("billing-day-{id}");
    view! {
        <ActionForm action=billing_date attr:class="stack" attr:novalidate=true>
            <h3>{t!(i18n, next_invoice.billing_date)}</h3>
            <p data-testid="billing-anchor">{t!(i18n, next_invoice.billing_date_current, day = move || day)}</p>
            <input type="hidden" name="subscription_id" value=id.to_string() />
            <Field id=field_id name="billing_day" autocomplete="off" inputmode="numeric" error>
                {t!(i18n, next_invoice.billing_day)}
            </Field>
            <button type="submit" class="btn btn-outline" data-testid="request-billing-date">
                {t!(i18n, next_invoice.request_change)}
            </button>
        </ActionForm>
    }
    .into_any()
}
