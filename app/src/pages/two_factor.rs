//! Two-factor sign-in on the Security page: set up with a QR code and a first code, see the
//! recovery codes once, turn it off with the password.

use leptos::prelude::*;

use crate::{
    api::two_factor::{
        ConfirmTwoFactor, DisableTwoFactor, StartTwoFactor, TwoFactorState, get_two_factor,
    },
    components::{
        action_form::{ActionForm, FormAction},
        form::{Field, FormAlert},
        locale::use_lang,
        page_error::PageError,
    },
    domain::format,
    i18n::*,
    page_data::page_data,
};

/// The two-factor section.
#[component]
pub fn TwoFactorSection() -> impl IntoView {
    let i18n = use_i18n();
    let start = FormAction::<StartTwoFactor>::new();
    let confirm = FormAction::<ConfirmTwoFactor>::new();
    let disable = FormAction::<DisableTwoFactor>::new();
    let data = page_data(
        move || (confirm.version().get(), disable.version().get()),
        |_| get_two_factor(),
    );
    let content = move || {
        Suspend::new(async move {
            match data.await {
                Ok(state) => view! { <TwoFactorBody state start confirm disable /> }.into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <section class="card stack" aria-labelledby="two-factor-heading" data-testid="two-factor">
            <h2 id="two-factor-heading">{t!(i18n, two_factor.title)}</h2>
            <p class="part-note">{t!(i18n, two_factor.intro)}</p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{content}</Suspense>
        </section>
    }
}

#[component]
fn TwoFactorBody(
    state: TwoFactorState,
    start: FormAction<StartTwoFactor>,
    confirm: FormAction<ConfirmTwoFactor>,
    disable: FormAction<DisableTwoFactor>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    // The recovery codes of a confirmation that just happened, shown once.
    let codes = move || confirm.value().get().and_then(Result::ok);
    let codes_view = move || {
        codes().map(|codes| {
            view! {
                <div class="alert alert-info stack" data-testid="recovery-codes">
                    <h3>{t!(i18n, two_factor.codes_title)}</h3>
                    <p>{t!(i18n, two_factor.codes_intro)}</p>
                    <ul class="recovery-codes">
                        {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                    </ul>
                </div>
            }
        })
    };
    match state.enabled_at {
        Some(since) => {
            let error = Signal::derive(move || disable.value().get().and_then(Result::err));
            let left = state.recovery_codes_left;
            view! {
                {codes_view}
                <p data-testid="two-factor-on">
                    <span class="badge badge-confirmed">{t!(i18n, two_factor.on)}</span> " "
                    {t!(i18n, two_factor.since)} " "
                    {move || format::date(since.date(), lang.get())} " · "
                    {t!(i18n, two_factor.codes_left, left = move || left)}
                </p>
                <ActionForm action=disable attr:class="stack" attr:novalidate=true>
                    <FormAlert error />
                    <Field
                        id="two-factor-password"
                        name="current_password"
                        input_type="password"
                        autocomplete="current-password"
                        error
                    >
                        {t!(i18n, security.current_password)}
                    </Field>
                    <button type="submit" class="btn btn-outline" data-testid="two-factor-disable">
                        {t!(i18n, two_factor.disable)}
                    </button>
                </ActionForm>
            }
            .into_any()
        }
        None => {
            let start_error = Signal::derive(move || start.value().get().and_then(Result::err));
            let confirm_error = Signal::derive(move || confirm.value().get().and_then(Result::err));
            let setup = move || {
                start.value().get().and_then(Result::ok).map(|setup| {
                    view! {
                        <ol class="stack setup-steps">
                            <li>
                                {t!(i18n, two_factor.scan)}
                                <div
                                    class="qr"
                                    role="img"
                                    aria-label=move || t_string!(i18n, two_factor.qr_label).to_string()
                                    inner_html=setup.qr_svg.clone()
                                ></div>
                                <p>
                                    {t!(i18n, two_factor.or_type)} " "
                                    <code data-testid="two-factor-secret">{setup.secret.clone()}</code>
                                </p>
                            </li>
                            <li>
                                {t!(i18n, two_factor.enter_first)}
                                <ActionForm action=confirm attr:class="stack" attr:novalidate=true>
                                    <FormAlert error=confirm_error />
                                    <Field
                                        id="two-factor-code"
                                        name="code"
                                        inputmode="numeric"
                                        autocomplete="one-time-code"
                                        error=confirm_error
                                    >
                                        {t!(i18n, two_factor.first_code)}
                                    </Field>
                                    <button type="submit" class="btn btn-primary" data-testid="two-factor-confirm">
                                        {t!(i18n, two_factor.confirm)}
                                    </button>
                                </ActionForm>
                            </li>
                        </ol>
                    }
                })
            };
            view! {
                <p data-testid="two-factor-off">{t!(i18n, two_factor.off)}</p>
                <ActionForm action=start attr:class="stack" attr:novalidate=true>
                    <FormAlert error=start_error />
                    <Field
                        id="two-factor-start-password"
                        name="current_password"
                        input_type="password"
                        autocomplete="current-password"
                        error=start_error
                    >
                        {t!(i18n, security.current_password)}
                    </Field>
                    <button type="submit" class="btn btn-outline" data-testid="two-factor-start">
                        {t!(i18n, two_factor.start)}
                    </button>
                </ActionForm>
                {setup}
            }
            .into_any()
        }
    }
}
