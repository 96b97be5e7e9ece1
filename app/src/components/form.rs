//! Form pieces: labelled fields with their error, and translated error messages.

use leptos::prelude::*;

use crate::{
    components::action_form::FormAction,
    domain::validation::{FieldProblem, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    error::AppError,
    i18n::*,
};

/// The customer-facing message for a field problem, in the current language.
pub fn problem_message(problem: FieldProblem) -> AnyView {
    let i18n = use_i18n();
    match problem {
        FieldProblem::Required => t!(i18n, errors.required).into_any(),
        FieldProblem::EmailInvalid => t!(i18n, errors.email_invalid).into_any(),
        FieldProblem::PasswordTooShort => t!(
            i18n,
            errors.password_too_short,
            min = move || PASSWORD_MIN_CHARS
        )
        .into_any(),
        FieldProblem::PasswordTooLong => t!(
            i18n,
            errors.password_too_long,
            max = move || PASSWORD_MAX_CHARS
        )
        .into_any(),
        FieldProblem::PasswordSameAsEmail => t!(i18n, errors.password_same_as_email).into_any(),
        FieldProblem::PasswordsDiffer => t!(i18n, errors.passwords_differ).into_any(),
        FieldProblem::EmailTaken => t!(i18n, errors.email_taken).into_any(),
        FieldProblem::PhoneInvalid => t!(i18n, errors.phone_invalid).into_any(),
        FieldProblem::CodeInvalid => t!(i18n, errors.code_invalid).into_any(),
        FieldProblem::DateInvalid => t!(i18n, errors.date_invalid).into_any(),
        FieldProblem::DateOrder => t!(i18n, errors.date_order).into_any(),
        FieldProblem::PeriodTooLong => t!(i18n, errors.period_too_long).into_any(),
        FieldProblem::IbanInvalid => t!(i18n, errors.iban_invalid).into_any(),
        FieldProblem::IbanChecksum => t!(i18n, errors.iban_checksum).into_any(),
        FieldProblem::AccountHolderInvalid => t!(i18n, errors.account_holder_invalid).into_any(),
        FieldProblem::ConsentMissing => t!(i18n, errors.consent_missing).into_any(),
        FieldProblem::ThresholdInvalid => t!(i18n, errors.threshold_invalid).into_any(),
        FieldProblem::MoveTooSoon => t!(i18n, errors.move_too_soon).into_any(),
        FieldProblem::MoveTooLate => t!(i18n, errors.move_too_late).into_any(),
        FieldProblem::PostalCodeInvalid => t!(i18n, errors.postal_code_invalid).into_any(),
        FieldProblem::AddressInvalid => t!(i18n, errors.address_invalid).into_any(),
        FieldProblem::SlotRequired => t!(i18n, errors.slot_required).into_any(),
        FieldProblem::SlotTaken => t!(i18n, errors.slot_taken).into_any(),
        FieldProblem::SlotUnavailable => t!(i18n, errors.slot_unavailable).into_any(),
        FieldProblem::AppointmentLimit => t!(i18n, errors.appointment_limit).into_any(),
        FieldProblem::NoteTooLong => t!(i18n, errors.note_too_long).into_any(),
        FieldProblem::NameInvalid => t!(i18n, errors.name_invalid).into_any(),
        FieldProblem::AnswerInvalid => t!(i18n, errors.answer_invalid).into_any(),
        FieldProblem::PasswordWeak => t!(i18n, errors.password_weak).into_any(),
        FieldProblem::PasswordWrong => t!(i18n, errors.password_wrong).into_any(),
        FieldProblem::PasswordUnchanged => t!(i18n, errors.password_unchanged).into_any(),
        FieldProblem::FileEmpty => t!(i18n, errors.file_empty).into_any(),
        FieldProblem::FileTooLarge => t!(i18n, errors.file_too_large).into_any(),
        FieldProblem::FileType => t!(i18n, errors.file_type).into_any(),
        FieldProblem::CodeWrong => t!(i18n, errors.code_wrong).into_any(),
        FieldProblem::PlanRequired => t!(i18n, errors.plan_required).into_any(),
        FieldProblem::PlanNotChangeable => t!(i18n, errors.plan_not_changeable).into_any(),
        FieldProblem::PlanUnchanged => t!(i18n, errors.plan_unchanged).into_any(),
        FieldProblem::DayInvalid => t!(i18n, errors.day_invalid).into_any(),
        FieldProblem::BillingDateFixed => t!(i18n, errors.billing_date_fixed).into_any(),
        FieldProblem::PaymentMethodMissing => t!(i18n, errors.payment_method_missing).into_any(),
        FieldProblem::PaymentDeclined => t!(i18n, errors.payment_declined).into_any(),
        FieldProblem::ConfigInvalid => t!(i18n, errors.config_invalid).into_any(),
        FieldProblem::NotUpgradable => t!(i18n, errors.not_upgradable).into_any(),
        FieldProblem::ConfigUnchanged => t!(i18n, errors.config_unchanged).into_any(),
        FieldProblem::DowngradeInTerm => t!(i18n, errors.downgrade_in_term).into_any(),
        FieldProblem::NotADowngrade => t!(i18n, errors.not_a_downgrade).into_any(),
        FieldProblem::DowngradeScheduled => t!(i18n, errors.downgrade_scheduled).into_any(),
        FieldProblem::ControlCharacter => t!(i18n, errors.control_character).into_any(),
        FieldProblem::ResetLinkInvalid => t!(i18n, errors.reset_link_invalid).into_any(),
        FieldProblem::VerifyLinkInvalid => t!(i18n, verify.invalid).into_any(),
        FieldProblem::EmailUnchanged => t!(i18n, errors.email_unchanged).into_any(),
        FieldProblem::ChangeLinkInvalid => t!(i18n, confirm_email.invalid).into_any(),
    }
}

/// The customer-facing message for an error, in the current language.
pub fn error_message(error: &AppError) -> AnyView {
    let i18n = use_i18n();
    match error {
        AppError::Unauthenticated => t!(i18n, errors.unauthenticated).into_any(),
        AppError::InvalidCredentials => t!(i18n, errors.invalid_credentials).into_any(),
        AppError::NotFound => t!(i18n, errors.not_found).into_any(),
        AppError::Invalid(_) => t!(i18n, errors.invalid).into_any(),
        AppError::Unavailable => t!(i18n, errors.unavailable).into_any(),
        AppError::LinkRefused(_) | AppError::LinkProofInvalid | AppError::LinkCodeInvalid => {
            t!(i18n, errors.link_refused).into_any()
        }
        AppError::TooManyAttempts => t!(i18n, errors.too_many_attempts).into_any(),
        AppError::LinkingPaused => t!(i18n, linking.paused_refusal).into_any(),
        AppError::AutopayRequired => t!(i18n, errors.autopay_required).into_any(),
        AppError::Stale => t!(i18n, errors.stale).into_any(),
        AppError::Internal => t!(i18n, errors.internal).into_any(),
        AppError::BadRequest => t!(i18n, errors.bad_request).into_any(),
        AppError::KeyReused => t!(i18n, errors.key_reused).into_any(),
        AppError::InProgress => t!(i18n, errors.in_progress).into_any(),
        AppError::Transport(_) => t!(i18n, errors.transport).into_any(),
    }
}

/// A form-level alert for the last error of an action (announced by screen readers).
#[component]
pub fn FormAlert(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// A field without an input of its own (the whole configuration of a hosting change): its
    /// problem is said here in words, instead of "correct the marked fields" with none marked.
    #[prop(optional)]
    field: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="form-alert-slot" aria-live="assertive">
            {move || {
                error
                    .get()
                    .map(|err| {
                        let text = match field.and_then(|name| err.problem_for(name)) {
                            Some(problem) => problem_message(problem),
                            None => error_message(&err),
                        };
                        view! {
                            <p class="alert alert-error" role="alert" data-testid="form-error">
                                {text}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A labelled input with its hint and its error message, wired with ARIA.
#[component]
pub fn Field(
    /// The element id; also the base of the hint and error ids.
    #[prop(into)]
    id: String,
    /// The form field name (the server function argument).
    name: &'static str,
    /// `text`, `email`, `password` …
    #[prop(default = "text")]
    input_type: &'static str,
    /// The autocomplete token (`username`, `current-password`, `new-password`, `email` …).
    autocomplete: &'static str,
    /// The virtual keyboard to offer (`numeric` for codes).
    #[prop(optional)]
    inputmode: Option<&'static str>,
    /// The value to start with (a form rendered from the address bar keeps what was sent).
    #[prop(optional, into)]
    value: Option<String>,
    /// Whether the field must be filled (announced to assistive technology).
    #[prop(default = true)]
    required: bool,
    /// The last error of the form's action; the field shows its own problem.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// A hint below the label.
    #[prop(optional, into)]
    hint: Option<ViewFn>,
    /// The label.
    children: Children,
) -> impl IntoView {
    let problem = move || error.get().and_then(|e| e.problem_for(name));
    // Without JavaScript a refused post comes back as a new page: the field starts with what
    // was typed, when it is worth keeping (`backend::typed`), rather than the stored value.
    #[cfg(feature = "ssr")]
    let value = error
        .get_untracked()
        .and_then(|_| crate::backend::typed::typed(name))
        .or(value);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let has_hint = hint.is_some();
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if problem().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:field-invalid=move || problem().is_some()>
            <label for=id.clone()>{children()}</label>
            {hint.map(|hint| view! { <p class="field-hint" id=hint_id.clone()>{hint.run()}</p> })}
            <input
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                inputmode=inputmode
                value=value
                aria-required=required.then_some("true")
                aria-invalid=move || problem().is_some().then_some("true")
                aria-describedby=described_by
            />
            {move || {
                problem()
                    .map(|p| {
                        view! {
                            <p class="field-error" id=error_id.clone()>
                                {problem_message(p)}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// The error a form shows itself: the last error of its action, except `Stale`, which
/// reloads the page's data instead (the figures changed under the form).
pub fn shown_error<S>(action: FormAction<S>) -> Signal<Option<AppError>>
where
    S: leptos::server_fn::ServerFn + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| *e != AppError::Stale)
    })
}

/// The status region above a page's content that announces what the last change did.
#[component]
pub fn SuccessNotice<F>(testid: &'static str, message: F) -> impl IntoView
where
    F: Fn() -> Option<AnyView> + Send + Sync + 'static,
{
    view! {
        <div class="notice-slot" role="status" data-testid=testid>
            {move || message().map(|text| view! { <p class="alert alert-success">{text}</p> })}
        </div>
    }
}
