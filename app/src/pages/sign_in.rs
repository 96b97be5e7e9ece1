//! The sign-in page: works as a plain form without JavaScript, and enhanced after hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::auth::SignIn,
    app::refetch_shell_on_success,
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice},
        locale::{use_lang, use_localized},
    },
    i18n::*,
    paths,
};

/// Sign in with email and password.
#[component]
pub fn SignInPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = FormAction::<SignIn>::new();
    refetch_shell_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let register = use_localized(paths::REGISTER);
    let forgot = use_localized(paths::FORGOT_PASSWORD);
    let query = use_query_map();
    let reset_done = move || query.read().get("reset").as_deref() == Some("done");
    let email_changed = move || query.read().get("email").as_deref() == Some("changed");
    view! {
        <Title text=untrack(|| t_string!(i18n, sign_in.title).to_string()) />
        <section class="page narrow card" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{t!(i18n, sign_in.title)}</h1>
            <SuccessNotice
                testid="reset-done"
                message=move || reset_done().then(|| t!(i18n, password_reset.done).into_any())
            />
            <SuccessNotice
                testid="email-changed"
                message=move || email_changed().then(|| t!(i18n, security.email_changed).into_any())
            />
            <p>{t!(i18n, sign_in.intro)}</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <FormAlert error=error />
                <Field id="sign-in-email" name="email" input_type="email" autocomplete="username" error=error>
                    {t!(i18n, sign_in.email)}
                </Field>
                <Field
                    id="sign-in-password"
                    name="password"
                    input_type="password"
                    autocomplete="current-password"
                    error=error
                >
                    {t!(i18n, sign_in.password)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="sign-in-submit">
                    {t!(i18n, sign_in.submit)}
                </button>
            </ActionForm>
            <p class="aside">
                <a href=forgot data-testid="forgot-link">{t!(i18n, password_reset.forgot_link)}</a>
            </p>
            <p class="aside">
                {t!(i18n, sign_in.no_account)} " "
                <a href=register>{t!(i18n, sign_in.register_link)}</a>
            </p>
        </section>
    }
}
