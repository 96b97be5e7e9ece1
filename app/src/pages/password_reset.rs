//! Forgotten passwords (issue 27): ask for a link, then choose a new password with it. Both
//! are plain forms that work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::password_reset::{RequestPasswordReset, ResetPassword, reset_link_valid},
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice},
        locale::{use_lang, use_localized},
        page_error::PageError,
    },
    domain::validation::PASSWORD_MIN_CHARS,
    i18n::*,
    page_data::page_data,
    paths,
};

/// "Forgot your password?": the address of the login; the same answer for every address.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = FormAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let sign_in = use_localized(paths::SIGN_IN);
    view! {
        <Title text=untrack(|| t_string!(i18n, password_reset.request_title).to_string()) />
        <section class="page narrow card" aria-labelledby="forgot-title">
            <h1 id="forgot-title">{t!(i18n, password_reset.request_title)}</h1>
            <SuccessNotice
                testid="reset-sent"
                message=move || sent().then(|| t!(i18n, password_reset.request_sent).into_any())
            />
            <p>{t!(i18n, password_reset.request_intro)}</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <FormAlert error=error />
                <Field id="forgot-email" name="email" input_type="email" autocomplete="email" error=error>
                    {t!(i18n, password_reset.email)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="forgot-submit">
                    {t!(i18n, password_reset.request_submit)}
                </button>
            </ActionForm>
            <p class="aside">
                <a href=sign_in>{t!(i18n, password_reset.back_to_sign_in)}</a>
            </p>
        </section>
    }
}

/// The reset link's page: a new password, or word that the link can no longer be used.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let valid = page_data(token, reset_link_valid);
    let action = FormAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let forgot = use_localized(paths::FORGOT_PASSWORD);
    let password_hint = ViewFn::from(move || {
        t!(
            i18n,
            register.password_hint,
            min = move || PASSWORD_MIN_CHARS
        )
    });
    let content = move || {
        let password_hint = password_hint.clone();
        Suspend::new(async move {
            match valid.await {
                Ok(true) => view! {
                    <p>{t!(i18n, password_reset.reset_intro)}</p>
                    <ActionForm action=action attr:class="stack" attr:novalidate=true>
                        <input type="hidden" name="lang" value=move || lang.get().code() />
                        <input type="hidden" name="token" value=token />
                        <FormAlert error=error field="token" />
                        <Field
                            id="reset-password"
                            name="password"
                            input_type="password"
                            autocomplete="new-password"
                            error=error
                            hint=password_hint
                        >
                            {t!(i18n, password_reset.new_password)}
                        </Field>
                        <Field
                            id="reset-password-confirm"
                            name="password_confirm"
                            input_type="password"
                            autocomplete="new-password"
                            error=error
                        >
                            {t!(i18n, password_reset.new_password_confirm)}
                        </Field>
                        <button type="submit" class="btn btn-primary" data-testid="reset-submit">
                            {t!(i18n, password_reset.reset_submit)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                Ok(false) => view! {
                    <p class="alert alert-error" role="alert" data-testid="reset-link-invalid">
                        {t!(i18n, errors.reset_link_invalid)}
                    </p>
                    <p>
                        <a href=forgot>{t!(i18n, password_reset.request_again)}</a>
                    </p>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, password_reset.reset_title).to_string()) />
        <section class="page narrow card" aria-labelledby="reset-title">
            <h1 id="reset-title">{t!(i18n, password_reset.reset_title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </section>
    }
}
