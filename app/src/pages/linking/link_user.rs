//! "Link as user" ("User links" in LINKING.md): the phone number gets a one-time code by SMS,
//! the code proves the line.

use leptos::prelude::*;

use super::refusal::LinkingError;
use crate::{
    api::linking::{ConfirmLinkCode, RequestLinkCode},
    components::action_form::{ActionForm, FormAction},
    components::{flash::use_flash, form::Field},
    i18n::*,
};

/// The two steps of a user link: request a code, then enter it.
#[component]
pub fn LinkUserCard(
    request: FormAction<RequestLinkCode>,
    confirm: FormAction<ConfirmLinkCode>,
    business_portal_url: String,
    business_registration_url: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let request_error = Signal::derive(move || request.value().get().and_then(Result::err));
    let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    // The number the code went to, and whether to say that it went: from the answer in the
    // browser, or, after a plain form post (JavaScript off), from the page's notice.
    let from_flash = use_flash().and_then(|flash| {
        flash
            .code_step()
            .map(|(phone, announce)| (phone.to_string(), announce))
    });
    let sent = move || match request.value().get() {
        Some(Ok(answer)) => Some((answer.phone_number, true)),
        Some(Err(_)) => None,
        None => from_flash
            .clone()
            .filter(|_| confirm.value().get() != Some(Ok(()))),
    };
    let (portal, registration) = (
        business_portal_url.clone(),
        business_registration_url.clone(),
    );
    let code_step = move || {
        let (portal, registration) = (portal.clone(), registration.clone());
        sent().map(move |(phone, announce)| {
            let shown = crate::domain::format::phone(&phone);
            view! {
                {announce
                    .then(|| {
                        view! {
                            <p class="alert alert-info" role="status" data-testid="code-sent">
                                {t!(i18n, linking.code_sent, phone = move || shown.clone())}
                            </p>
                        }
                    })}
                <ActionForm action=confirm attr:class="stack" attr:novalidate=true>
                    <LinkingError
                        error=confirm_error
                        business_portal_url=portal
                        business_registration_url=registration
                    />
                    <input type="hidden" name="phone_number" value=phone />
                    <Field
                        id="link-code"
                        name="code"
                        autocomplete="one-time-code"
                        inputmode="numeric"
                        error=confirm_error
                    >
                        {t!(i18n, linking.code)}
                    </Field>
                    <button type="submit" class="btn btn-primary" data-testid="link-user-submit">
                        {t!(i18n, linking.link_user_submit)}
                    </button>
                </ActionForm>
            }
        })
    };
    view! {
        <section class="card" id="link-user" aria-labelledby="link-user-title">
            <h2 id="link-user-title">{t!(i18n, linking.link_user_title)}</h2>
            <p>{t!(i18n, linking.link_user_intro)}</p>
            <ActionForm action=request attr:class="stack" attr:novalidate=true>
                <LinkingError
                    error=request_error
                    business_portal_url=business_portal_url
                    business_registration_url=business_registration_url
                />
                <Field
                    id="link-phone"
                    name="phone_number"
                    input_type="tel"
                    autocomplete="tel"
                    error=request_error
                >
                    {t!(i18n, linking.phone_number)}
                </Field>
                <button type="submit" class="btn btn-outline" data-testid="send-code">
                    {t!(i18n, linking.send_code)}
                </button>
            </ActionForm>
            {code_step}
        </section>
    }
    .into_any()
}
