//! Registration of a login (S1); contracts are linked afterwards.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::auth::{Register, VerifyEmail, verification_valid},
    app::refetch_shell_on_success,
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

/// Register with email and password.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = FormAction::<Register>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sign_in = use_localized(paths::SIGN_IN);
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let password_hint = ViewFn::from(move || {
        t!(
            i18n,
            register.password_hint,
            min = move || PASSWORD_MIN_CHARS
        )
    });
    view! {
        <Title text=untrack(|| t_string!(i18n, register.title).to_string()) />
        <section class="page narrow card" aria-labelledby="register-title">
            <h1 id="register-title">{t!(i18n, register.title)}</h1>
            <SuccessNotice
                testid="register-sent"
                message=move || sent().then(|| t!(i18n, register.sent).into_any())
            />
            <p>{t!(i18n, register.intro)}</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <FormAlert error=error />
                <Field id="register-email" name="email" input_type="email" autocomplete="email" error=error>
                    {t!(i18n, register.email)}
                </Field>
                <Field
                    id="register-password"
                    name="password"
                    input_type="password"
                    autocomplete="new-password"
                    error=error
                    hint=password_hint
                >
                    {t!(i18n, register.password)}
                </Field>
                <Field
                    id="register-password-confirm"
                    name="password_confirm"
                    input_type="password"
                    autocomplete="new-password"
                    error=error
                >
                    {t!(i18n, register.password_confirm)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="register-submit">
                    {t!(i18n, register.submit)}
                </button>
            </ActionForm>
            <p class="aside">
                {t!(i18n, register.have_account)} " "
                <a href=sign_in>{t!(i18n, register.sign_in_link)}</a>
            </p>
        </section>
    }
}

/// The verification link's page: one button makes the login and signs it in (issue 27).
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let valid = page_data(token, verification_valid);
    let action = FormAction::<VerifyEmail>::new();
    refetch_shell_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let register = use_localized(paths::REGISTER);
    let content = move || {
        Suspend::new(async move {
            match valid.await {
                Ok(true) => view! {
                    <p>{t!(i18n, verify.intro)}</p>
                    <ActionForm action=action attr:class="stack">
                        <input type="hidden" name="lang" value=move || lang.get().code() />
                        <input type="hidden" name="token" value=token />
                        <FormAlert error=error field="token" />
                        <button type="submit" class="btn btn-primary" data-testid="verify-submit">
                            {t!(i18n, verify.submit)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                Ok(false) => view! {
                    <p class="alert alert-error" role="alert" data-testid="verify-link-invalid">
                        {t!(i18n, verify.invalid)}
                    </p>
                    <p>
                        <a href=register>{t!(i18n, verify.register_again)}</a>
                    </p>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, verify.title).to_string()) />
        <section class="page narrow card" aria-labelledby="verify-title">
            <h1 id="verify-title">{t!(i18n, verify.title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </section>
    }
}
