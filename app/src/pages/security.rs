//! The Security tab (S2): the email address (issue 27), the password, the security question,
//! two-factor sign-in.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{
        email_change::RequestEmailChange,
        security::{ChangePassword, SecurityView, SetSecurityQuestion, get_security},
    },
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice, problem_message},
        locale::use_lang,
        page_error::PageError,
    },
    domain::{
        format,
        security::SecurityQuestion,
        validation::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS},
    },
    i18n::*,
    page_data::page_data,
    pages::two_factor::TwoFactorSection,
};

/// What the last change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    Password,
    Question,
    EmailSent,
}

/// The text of a security question.
fn question_text(question: SecurityQuestion) -> AnyView {
    let i18n = use_i18n();
    match question {
        SecurityQuestion::FirstPet => t!(i18n, security.q_first_pet).into_any(),
        SecurityQuestion::BirthCity => t!(i18n, security.q_birth_city).into_any(),
        SecurityQuestion::FirstSchool => t!(i18n, security.q_first_school).into_any(),
        SecurityQuestion::ChildhoodStreet => t!(i18n, security.q_childhood_street).into_any(),
        SecurityQuestion::FavouriteTeacher => t!(i18n, security.q_favourite_teacher).into_any(),
    }
}

/// The Security page.
#[component]
pub fn SecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let change = FormAction::<ChangePassword>::new();
    let question = FormAction::<SetSecurityQuestion>::new();
    let email = FormAction::<RequestEmailChange>::new();
    let data = page_data(
        move || {
            (
                change.version().get(),
                question.version().get(),
                email.version().get(),
            )
        },
        |_| get_security(),
    );
    let notice = RwSignal::new(None);
    let query = use_query_map();
    // A confirmed new address (`api::email_change::confirm_email_change` comes back here).
    let email_changed = move || query.read().get("email").as_deref() == Some("changed");
    Effect::new(move |_| {
        if let Some(Ok(())) = email.value().get() {
            notice.set(Some(Notice::EmailSent));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            notice.set(Some(Notice::Password));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = question.value().get() {
            notice.set(Some(Notice::Question));
        }
    });
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(data) => view! { <SecurityForms data change question email /> }.into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, security.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, security.title)}</h1>
            <SuccessNotice
                testid="security-notice"
                message=move || {
                    notice
                        .get()
                        .map(|n| match n {
                            Notice::Password => t!(i18n, security.password_changed).into_any(),
                            Notice::Question => t!(i18n, security.question_saved).into_any(),
                            Notice::EmailSent => t!(i18n, security.email_sent).into_any(),
                        })
                }
            />
            <SuccessNotice
                testid="email-changed"
                message=move || email_changed().then(|| t!(i18n, security.email_changed).into_any())
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
            <TwoFactorSection />
        </div>
    }
}

#[component]
fn SecurityForms(
    data: SecurityView,
    change: FormAction<ChangePassword>,
    question: FormAction<SetSecurityQuestion>,
    email: FormAction<RequestEmailChange>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let email_error = Signal::derive(move || email.value().get().and_then(Result::err));
    let pending = data.pending_email.map(|pending| {
        let at = pending.expires_at;
        view! {
            <p class="alert alert-info" data-testid="email-pending">
                {t!(i18n, security.email_pending)} " " <strong class="break-anywhere">{pending.email}</strong> ". "
                {t!(i18n, security.email_pending_until)} " "
                {move || format!("{} {} (UTC).", format::date(at.date(), lang.get()), format::clock(at))}
            </p>
        }
    });
    let change_error = Signal::derive(move || change.value().get().and_then(Result::err));
    let question_error = Signal::derive(move || question.value().get().and_then(Result::err));
    let question_problem = move || question_error.get().and_then(|e| e.problem_for("question"));
    let changed_at = data.password_changed_at.map(|at| {
        view! {
            <p class="part-note" data-testid="password-changed-at">
                {t!(i18n, security.password_changed_on)} " "
                {move || format!("{} {} (UTC)", format::date(at.date(), lang.get()), format::clock(at))}
            </p>
        }
    });
    let current = data.question;
    let options = SecurityQuestion::ALL
        .into_iter()
        .map(|q| {
            view! {
                <option value=q.as_str() selected=current == Some(q)>
                    {question_text(q)}
                </option>
            }
        })
        .collect_view();
    view! {
        <section class="card stack" aria-labelledby="email-heading">
            <h2 id="email-heading">{t!(i18n, security.email_title)}</h2>
            <p class="part-note">{t!(i18n, security.email_intro)}</p>
            <p data-testid="current-email">
                {t!(i18n, security.email_current)} " " <strong class="break-anywhere">{data.email}</strong>
            </p>
            {pending}
            <ActionForm action=email attr:class="stack" attr:novalidate=true>
                <FormAlert error=email_error />
                <Field id="new-email" name="new_email" input_type="email" autocomplete="email" error=email_error>
                    {t!(i18n, security.new_email)}
                </Field>
                <Field
                    id="email-current-password"
                    name="current_password"
                    input_type="password"
                    autocomplete="current-password"
                    error=email_error
                >
                    {t!(i18n, security.current_password)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="change-email">
                    {t!(i18n, security.email_submit)}
                </button>
            </ActionForm>
        </section>
        <section class="card stack" aria-labelledby="password-heading">
            <h2 id="password-heading">{t!(i18n, security.password_title)}</h2>
            {changed_at}
            <p class="part-note">{t!(i18n, security.password_intro)}</p>
            <ActionForm action=change attr:class="stack" attr:novalidate=true>
                <FormAlert error=change_error />
                <Field
                    id="current-password"
                    name="current_password"
                    input_type="password"
                    autocomplete="current-password"
                    error=change_error
                >
                    {t!(i18n, security.current_password)}
                </Field>
                <Field
                    id="new-password"
                    name="new_password"
                    input_type="password"
                    autocomplete="new-password"
                    error=change_error
                    hint=ViewFn::from(move || {
                        t!(
                            i18n, security.new_password_hint, min = move || PASSWORD_MIN_CHARS, max = move || PASSWORD_MAX_CHARS
                        )
                    })
                >
                    {t!(i18n, security.new_password)}
                </Field>
                <Field
                    id="new-password-confirm"
                    name="new_password_confirm"
                    input_type="password"
                    autocomplete="new-password"
                    error=change_error
                >
                    {t!(i18n, security.new_password_confirm)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="change-password">
                    {t!(i18n, security.change_password)}
                </button>
            </ActionForm>
        </section>
        <section class="card stack" aria-labelledby="question-heading">
            <h2 id="question-heading">{t!(i18n, security.question_title)}</h2>
            <p class="part-note">{t!(i18n, security.question_intro)}</p>
            <p data-testid="current-question">
                {match current {
                    Some(q) => view! { {t!(i18n, security.question_current)} " " <strong>{question_text(q)}</strong> }.into_any(),
                    None => t!(i18n, security.question_none).into_any(),
                }}
            </p>
            <ActionForm action=question attr:class="stack" attr:novalidate=true>
                <FormAlert error=question_error />
                <div class="field" class:field-invalid=move || question_problem().is_some()>
                    <label for="security-question">{t!(i18n, security.question)}</label>
                    <select
                        id="security-question"
                        name="question"
                        aria-invalid=move || question_problem().is_some().then_some("true")
                        aria-describedby=move || question_problem().map(|_| "security-question-error")
                    >
                        <option value="" selected=current.is_none()>{t!(i18n, security.question_choose)}</option>
                        {options}
                    </select>
                    {move || {
                        question_problem()
                            .map(|p| view! { <p class="field-error" id="security-question-error">{problem_message(p)}</p> })
                    }}
                </div>
                <Field
                    id="security-answer"
                    name="answer"
                    autocomplete="off"
                    error=question_error
                    hint=ViewFn::from(move || t!(i18n, security.answer_hint))
                >
                    {t!(i18n, security.answer)}
                </Field>
                <Field
                    id="question-current-password"
                    name="current_password"
                    input_type="password"
                    autocomplete="current-password"
                    error=question_error
                >
                    {t!(i18n, security.current_password)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="save-question">
                    {t!(i18n, security.save_question)}
                </button>
            </ActionForm>
        </section>
    }
}
