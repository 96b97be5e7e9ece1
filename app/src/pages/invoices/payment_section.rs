//! Direct debit on the Invoices & payments tab (I4): the active mandate with its masked IBAN,
//! reference, creditor id and the next pre-notified debit; activation and cancellation.

use leptos::prelude::*;

use crate::{
    api::payments::{ActivateSepa, MandateView, PaymentMethods, RevokeSepa},
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, problem_message},
        money::{DateText, Money},
        page_error::PageError,
    },
    error::AppError,
    i18n::*,
};

/// The payment section: the page loads its data and owns its actions.
#[component]
pub fn PaymentSection(
    data: Result<PaymentMethods, AppError>,
    activate: FormAction<ActivateSepa>,
    revoke: FormAction<RevokeSepa>,
) -> impl IntoView {
    let i18n = use_i18n();
    let content = match data {
        Ok(data) => view! { <PaymentContent data activate revoke /> }.into_any(),
        Err(error) => view! { <PageError error /> }.into_any(),
    };
    view! {
        <section class="card" aria-labelledby="payment-title" data-testid="payment-section">
            <h2 id="payment-title">{t!(i18n, payment.title)}</h2>
            {content}
        </section>
    }
    .into_any()
}

#[component]
fn PaymentContent(
    data: PaymentMethods,
    activate: FormAction<ActivateSepa>,
    revoke: FormAction<RevokeSepa>,
) -> impl IntoView {
    let i18n = use_i18n();
    let card = data.card_last4.clone();
    view! {
        {data.requires_autopay.then(|| view! { <p class="alert alert-info">{t!(i18n, payment.autopay_required)}</p> })}
        {card.map(|last4| view! { <p data-testid="card">{t!(i18n, payment.card)} " •••• " {last4}</p> })}
        {match data.mandate.clone() {
            Some(mandate) => view! { <ActiveMandate mandate data=data.clone() revoke /> }.into_any(),
            None => view! { <ActivationForm creditor_id=data.creditor_id.clone().unwrap_or_default() activate /> }
                .into_any(),
        }}
    }
    .into_any()
}

#[component]
fn ActiveMandate(
    mandate: MandateView,
    data: PaymentMethods,
    revoke: FormAction<RevokeSepa>,
) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    view! {
        <p>{t!(i18n, payment.active)}</p>
        <dl class="pairs" data-testid="mandate">
            <dt>{t!(i18n, payment.account_holder)}</dt>
            <dd>{mandate.account_holder.clone()}</dd>
            <dt>{t!(i18n, payment.iban)}</dt>
            <dd data-testid="mandate-iban">{mandate.masked_iban.clone()}</dd>
            <dt>{t!(i18n, payment.reference)}</dt>
            <dd data-testid="mandate-reference">{mandate.reference.clone()}</dd>
            <dt>{t!(i18n, payment.signed_on)}</dt>
            <dd><DateText day=mandate.signed_on /></dd>
            <dt>{t!(i18n, payment.creditor_id)}</dt>
            <dd>{mandate.creditor_id.clone()}</dd>
        </dl>
        {data
            .next_debit
            .map(|next| {
                view! {
                    <p data-testid="next-debit">
                        {t!(i18n, payment.next_debit)} " "
                        <Money amount=next.amount currency=next.currency.clone() /> " · "
                        <DateText day=next.debit_date /> ". "
                        {t!(i18n, payment.pre_notification)} " "
                        <DateText day=next.notified_by /> "."
                    </p>
                }
            })}
        <ActionForm action=revoke attr:class="stack">
            <FormAlert error />
            <button type="submit" class="btn btn-outline" data-testid="revoke-sepa">
                {t!(i18n, payment.revoke)}
            </button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn ActivationForm(creditor_id: String, activate: FormAction<ActivateSepa>) -> impl IntoView {
    let i18n = use_i18n();
    let error = Signal::derive(move || activate.value().get().and_then(Result::err));
    let consent_problem = move || error.get().and_then(|e| e.problem_for("consent"));
    view! {
        <p>{t!(i18n, payment.intro)}</p>
        <ActionForm action=activate attr:class="stack" attr:novalidate=true>
            <FormAlert error />
            <Field id="sepa-holder" name="account_holder" autocomplete="name" error>
                {t!(i18n, payment.account_holder)}
            </Field>
            <Field id="sepa-iban" name="iban" autocomplete="off" error>
                {t!(i18n, payment.iban)}
            </Field>
            <div class="field field-check" class:field-invalid=move || consent_problem().is_some()>
                <input
                    id="sepa-consent"
                    type="checkbox"
                    name="consent"
                    aria-invalid=move || consent_problem().is_some().then_some("true")
                    aria-describedby=move || consent_problem().map(|_| "sepa-consent-error")
                />
                <label for="sepa-consent">
                    {t!(i18n, payment.consent)} " " {t!(i18n, payment.creditor_id)} ": " {creditor_id}
                </label>
                {move || {
                    consent_problem()
                        .map(|p| view! { <p class="field-error" id="sepa-consent-error">{problem_message(p)}</p> })
                }}
            </div>
            <Field
                id="sepa-current-password"
                name="current_password"
                input_type="password"
                autocomplete="current-password"
                error
            >
                {t!(i18n, payment.password_confirm)}
            </Field>
            <button type="submit" class="btn btn-primary" data-testid="activate-sepa">
                {t!(i18n, payment.activate)}
            </button>
        </ActionForm>
    }
    .into_any()
}
