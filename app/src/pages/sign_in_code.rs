//! The second step of a sign-in with two-factor sign-in on: a code from the authenticator app
//! or a recovery code.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::two_factor::VerifySignIn,
    app::refetch_shell_on_success,
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert},
        locale::{use_lang, use_localized},
    },
    error::AppError,
    i18n::*,
    paths,
};

/// Enter the code.
#[component]
pub fn SignInCodePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let action = FormAction::<VerifySignIn>::new();
    refetch_shell_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sign_in = use_localized(paths::SIGN_IN);
    let over = move || {
        matches!(
            error.get(),
            Some(AppError::Unauthenticated | AppError::TooManyAttempts)
        )
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, two_factor.code_title).to_string()) />
        <section class="page narrow card" aria-labelledby="code-title">
            <h1 id="code-title">{t!(i18n, two_factor.code_title)}</h1>
            <p>{t!(i18n, two_factor.code_intro)}</p>
            <ActionForm action=action attr:class="stack" attr:novalidate=true>
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <FormAlert error=Signal::derive(move || error.get().filter(|_| !over())) />
                <Field
                    id="sign-in-code"
                    name="code"
                    autocomplete="one-time-code"
                    error=error
                    hint=ViewFn::from(move || t!(i18n, two_factor.code_hint))
                >
                    {t!(i18n, two_factor.code)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="code-submit">
                    {t!(i18n, two_factor.code_submit)}
                </button>
            </ActionForm>
            {move || {
                over()
                    .then(|| {
                        view! {
                            <p class="alert alert-error" role="alert" data-testid="code-over">
                                {t!(i18n, two_factor.code_over)} " "
                                <a href=sign_in>{t!(i18n, two_factor.sign_in_again)}</a>
                            </p>
                        }
                    })
            }}
        </section>
    }
}
