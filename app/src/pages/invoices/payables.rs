//! B3, I6: the invoices that wait for the customer (autopay declined, or mobile money to
//! complete), each with a form that pays it once, whatever the clicks.

use leptos::prelude::*;

use crate::{
    api::payables::{PayInvoice, PayReason, PayableView},
    components::{
        action_form::{ActionForm, FormAction},
        form::{FormAlert, problem_message, shown_error},
        money::{DateText, Money},
    },
    i18n::*,
    pages::next_invoice::method_name,
};

/// The section; nothing when no invoice waits.
#[component]
pub fn PayablesSection(payables: Vec<PayableView>, pay: FormAction<PayInvoice>) -> impl IntoView {
    let i18n = use_i18n();
    if payables.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="card" aria-labelledby="payables-title" data-testid="payables">
            <h2 id="payables-title">{t!(i18n, payables.title)}</h2>
            {payables
                .into_iter()
                .map(|payable| view! { <PayableForm payable pay /> })
                .collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn PayableForm(payable: PayableView, pay: FormAction<PayInvoice>) -> impl IntoView {
    let i18n = use_i18n();
    let error = shown_error(pay);
    let problem = move || error.get().and_then(|e| e.problem_for("method"));
    let error_id = format!("pay-{}-error", payable.invoice_id);
    let legend_id = format!("pay-{}-legend", payable.invoice_id);
    let reason = match payable.reason {
        PayReason::MobileMoney => t!(i18n, payables.action_required).into_any(),
        PayReason::Declined => t!(i18n, payables.failed).into_any(),
        PayReason::Due => t!(i18n, payables.due).into_any(),
    };
    let first = payable.methods.first().map(|m| m.method);
    let choices = payable
        .methods
        .iter()
        .map(|choice| {
            let id = format!("pay-{}-{}", payable.invoice_id, choice.method.code());
            view! {
                <div class="field-check">
                    <input
                        type="radio"
                        id=id.clone()
                        name="method"
                        value=choice.method.code()
                        checked=Some(choice.method) == first
                    />
                    <label for=id>{method_name(choice.method)} " " {choice.masked.clone()}</label>
                </div>
            }
        })
        .collect_view();
    let has_methods = !payable.methods.is_empty();
    let testid = format!("payable-{}", payable.number);
    let labelled_by = legend_id.clone();
    let error_id_for_aria = error_id.clone();
    view! {
        <div class="payable stack" data-testid=testid>
            <p>
                <strong>{payable.number.clone()}</strong> " · " <DateText day=payable.issue_date />
                " · " {t!(i18n, payables.amount_due)} " "
                <Money amount=payable.amount_due currency=payable.currency.clone() />
            </p>
            <p class="alert alert-warning">{reason}</p>
            {if has_methods {
                view! {
                    <ActionForm action=pay attr:class="stack">
                        <FormAlert error />
                        <input type="hidden" name="invoice_id" value=payable.invoice_id.to_string() />
                        <input type="hidden" name="idempotency_key" value=payable.idempotency_key.clone() />
                        <fieldset
                            class="stack"
                            aria-labelledby=labelled_by
                            aria-describedby=move || problem().map(|_| error_id_for_aria.clone())
                        >
                            <legend id=legend_id>{t!(i18n, payables.pay_with)}</legend>
                            {choices}
                            {move || {
                                problem()
                                    .map(|p| view! { <p class="field-error" id=error_id.clone()>{problem_message(p)}</p> })
                            }}
                        </fieldset>
                        <button type="submit" class="btn btn-primary" data-testid="pay-invoice">
                            {t!(i18n, payables.pay)}
                            <span class="visually-hidden">" " {payable.number.clone()}</span>
                        </button>
                    </ActionForm>
                }
                .into_any()
            } else {
                view! { <p>{t!(i18n, payables.no_method)}</p> }.into_any()
            }}
        </div>
    }
    .into_any()
}
