//! My account (M1): the contact data form. Every field is checked on the server and its
//! problem shown next to it in the page language; what was typed stays; a save records who
//! changed what and when.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::account::{ContactData, SaveContact, get_contact},
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert, SuccessNotice},
        locale::use_lang,
        page_error::PageError,
    },
    domain::format,
    i18n::*,
    page_data::page_data,
    pages::documents::DocumentsSection,
};

/// The My account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let save = FormAction::<SaveContact>::new();
    // Reloaded after a successful save only: a refused one keeps the form as typed.
    let last_saved = StoredValue::new(0_usize);
    let data = page_data(
        move || {
            let version = save.version().get();
            if save.value().with(|v| matches!(v, Some(Ok(_)))) {
                last_saved.set_value(version);
            }
            last_saved.get_value()
        },
        |_| get_contact(),
    );
    let saved = Signal::derive(move || save.value().get().and_then(Result::ok));
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(data) => view! { <ContactForm data save /> }.into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, account.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, account.title)}</h1>
            <SuccessNotice
                testid="account-notice"
                message=move || {
                    saved
                        .get()
                        .map(|fields| {
                            if fields.is_empty() {
                                t!(i18n, account.unchanged).into_any()
                            } else {
                                t!(i18n, account.saved).into_any()
                            }
                        })
                }
            />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
            <DocumentsSection />
        </div>
    }
}

#[component]
fn ContactForm(data: ContactData, save: FormAction<SaveContact>) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let c = data.contact;
    let last_change = data.last_change.map(|change| {
        let at = change.changed_at;
        let by = change.by.unwrap_or_default();
        view! {
            <p class="part-note" data-testid="last-change">
                {t!(i18n, account.last_change)} " "
                {move || format!("{} {}", format::date(at.date(), lang.get()), format::clock(at))}
                " (UTC) · " {by}
            </p>
        }
    });
    view! {
        <section class="card stack" aria-labelledby="contact-heading">
            <h2 id="contact-heading">{t!(i18n, account.contact_title)}</h2>
            {last_change}
            <ActionForm action=save attr:class="stack" attr:novalidate=true>
                <FormAlert error />
                <div class="inline-pair">
                    <Field id="contact-first-name" name="first_name" autocomplete="given-name" value=c.first_name error>
                        {t!(i18n, account.first_name)}
                    </Field>
                    <Field id="contact-last-name" name="last_name" autocomplete="family-name" value=c.last_name error>
                        {t!(i18n, account.last_name)}
                    </Field>
                </div>
                <Field id="contact-email" name="email" input_type="email" autocomplete="email" value=c.email error>
                    {t!(i18n, account.email)}
                </Field>
                <Field
                    id="contact-phone"
                    name="phone"
                    input_type="tel"
                    autocomplete="tel"
                    value=c.phone.as_deref().map(crate::domain::format::phone).unwrap_or_default()
                    required=false
                    error
                    hint=ViewFn::from(move || t!(i18n, account.phone_hint))
                >
                    {t!(i18n, account.phone)}
                </Field>
                <Field id="contact-street" name="street" autocomplete="street-address" value=c.street error>
                    {t!(i18n, account.street)}
                </Field>
                <div class="inline-pair">
                    <Field id="contact-postal-code" name="postal_code" autocomplete="postal-code" value=c.postal_code error>
                        {t!(i18n, account.postal_code)}
                    </Field>
                    <Field id="contact-city" name="city" autocomplete="address-level2" value=c.city error>
                        {t!(i18n, account.city)}
                    </Field>
                </div>
                <Field
                    id="contact-current-password"
                    name="current_password"
                    input_type="password"
                    autocomplete="current-password"
                    required=false
                    error
                >
                    {t!(i18n, account.password_for_email)}
                </Field>
                <button type="submit" class="btn btn-primary" data-testid="save-contact">
                    {t!(i18n, account.save)}
                </button>
            </ActionForm>
        </section>
    }
}
