//! Confirming a new email address with the link sent to it (issue 27 item 4). Works signed in
//! or not: the link may be opened on another device than the one that asked.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::email_change::{ConfirmEmailChange, email_change_valid},
    app::refetch_shell_on_success,
    components::{
        action_form::{ActionForm, FormAction},
        form::FormAlert,
        locale::{use_lang, use_localized},
        page_error::PageError,
    },
    i18n::*,
    page_data::page_data,
    paths,
};

/// The confirmation page: the new address and a button (mail scanners open links, so the
/// link alone changes nothing).
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let valid = page_data(token, email_change_valid);
    let action = FormAction::<ConfirmEmailChange>::new();
    // The header shows the login's address.
    refetch_shell_on_success(action);
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let security = use_localized(paths::SECURITY);
    let content = move || {
        Suspend::new(async move {
            match valid.await {
                Ok(Some(new_email)) => view! {
                    <p>
                        {t!(i18n, confirm_email.intro)} " "
                        <strong class="break-anywhere" data-testid="confirm-new-email">{new_email}</strong>
                    </p>
                    <ActionForm action=action attr:class="stack">
                        <input type="hidden" name="lang" value=move || lang.get().code() />
                        <input type="hidden" name="token" value=token />
                        <FormAlert error=error field="token" />
                        <button type="submit" class="btn btn-primary" data-testid="confirm-email-submit">
                            {t!(i18n, confirm_email.submit)}
                        </button>
                    </ActionForm>
                }
                .into_any(),
                Ok(None) => view! {
                    <p class="alert alert-error" role="alert" data-testid="confirm-link-invalid">
                        {t!(i18n, confirm_email.invalid)}
                    </p>
                    <p>
                        <a href=security>{t!(i18n, confirm_email.security_link)}</a>
                    </p>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, confirm_email.title).to_string()) />
        <section class="page narrow card" aria-labelledby="confirm-email-title">
            <h1 id="confirm-email-title">{t!(i18n, confirm_email.title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </section>
    }
}
