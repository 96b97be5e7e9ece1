//! Registration of a login (S1); contracts are linked afterwards.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::auth::Register,
    app::refetch_shell_on_success,
    components::{
        form::{Field, FormAlert},
        locale::{use_lang, use_localized},
    },
    domain::validation::PASSWORD_MIN_CHARS,
    i18n::*,
    paths,
};

/// Register with email and password.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = ServerAction::<Register>::new();
    refetch_shell_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sign_in = use_localized(paths::SIGN_IN);
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
