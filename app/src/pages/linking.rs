//! "Linked contracts" (L1): the login's links, linking as holder, "make me holder".

pub mod link_card;
pub mod link_user;
pub mod refusal;

use leptos::prelude::*;
use leptos_meta::Title;

use self::{link_card::LinkCard, link_user::LinkUserCard, refusal::LinkingError};
use crate::{
    api::linking::{
        ConfirmLinkCode, DeleteLink, LinkHolder, LinkingOverview, MakeMeHolder, RequestLinkCode,
        ResumeLinking, get_links,
    },
    app::{ShellResource, on_success},
    components::{
        action_form::{ActionForm, FormAction},
        flash::{ClientFlash, use_flash},
        form::Field,
        page_error::PageError,
    },
    domain::{flash::Flash, rights::Role},
    i18n::*,
    page_data::page_data,
};

/// The linking page.
#[component]
pub fn LinkingPage() -> impl IntoView {
    let i18n = use_i18n();
    let link_holder = FormAction::<LinkHolder>::new();
    let delete = FormAction::<DeleteLink>::new();
    let resume = FormAction::<ResumeLinking>::new();
    let make_holder = FormAction::<MakeMeHolder>::new();
    let request_code = FormAction::<RequestLinkCode>::new();
    let confirm_code = FormAction::<ConfirmLinkCode>::new();
    let changes = RwSignal::new(0_u32);
    // A changed link changes the rights, and so the navigation (Invoices for holders).
    let shell = expect_context::<ShellResource>();
    let reload = move || {
        changes.update(|n| *n += 1);
        shell.refetch();
    };
    on_success(link_holder, reload);
    let client_flash = expect_context::<ClientFlash>();
    on_success(delete, move || {
        client_flash.show(Flash::LinkDeleted);
        reload();
    });
    on_success(resume, move || {
        client_flash.show(Flash::LinkingResumed);
        reload();
    });
    on_success(make_holder, reload);
    on_success(confirm_code, move || {
        // The code is spent: the next user link starts with a new request.
        request_code.value().set(None);
        reload();
    });
    let overview = page_data(move || changes.get(), |_| get_links());
    let content = move || {
        Suspend::new(async move {
            match overview.await {
                Ok(data) => view! {
                    <LinkingContent data link_holder delete resume make_holder request_code confirm_code />
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=untrack(|| t_string!(i18n, linking.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, linking.title)}</h1>
            <p class="intro">{t!(i18n, linking.intro)}</p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}

#[component]
fn LinkingContent(
    data: LinkingOverview,
    link_holder: FormAction<LinkHolder>,
    delete: FormAction<DeleteLink>,
    resume: FormAction<ResumeLinking>,
    make_holder: FormAction<MakeMeHolder>,
    request_code: FormAction<RequestLinkCode>,
    confirm_code: FormAction<ConfirmLinkCode>,
) -> impl IntoView {
    let i18n = use_i18n();
    let portal = data.business_portal_url.clone();
    let registration = data.business_registration_url.clone();
    let holder_error = Signal::derive(move || link_holder.value().get().and_then(Result::err));
    // After a refused plain form post (JavaScript off) the form keeps the number typed.
    let typed_number = use_flash()
        .and_then(|flash| flash.typed_customer_number().map(str::to_string))
        .unwrap_or_default();
    let make_holder_error = Signal::derive(move || make_holder.value().get().and_then(Result::err));
    let delete_error = Signal::derive(move || {
        delete
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| resume.value().get().and_then(Result::err))
    });
    let user_links: Vec<_> = data
        .links
        .iter()
        .filter(|l| l.role == Role::User)
        .map(|l| {
            let phone = l
                .contracts
                .first()
                .and_then(|c| c.phone_number.as_deref().map(crate::domain::format::phone))
                .unwrap_or_default();
            (l.link_id, format!("{} · {}", l.customer_number, phone))
        })
        .collect();
    let has_links = !data.links.is_empty();
    let (make_holder_portal, make_holder_registration) = (portal.clone(), registration.clone());
    let (user_portal, user_registration) = (portal.clone(), registration.clone());
    view! {
        <LinkingError error=delete_error business_portal_url=portal.clone() business_registration_url=registration.clone() />
        <section aria-labelledby="links-title">
            <h2 id="links-title" class="visually-hidden">{t!(i18n, linking.your_links)}</h2>
            {(!has_links).then(|| view! { <p class="card" data-testid="no-links">{t!(i18n, linking.no_links)}</p> })}
            <div class="link-list" data-testid="links">
                {data
                    .links
                    .into_iter()
                    .map(|link| view! { <LinkCard link delete resume business_portal_url=portal.clone() /> }.into_any())
                    .collect_view()}
            </div>
        </section>
        <div class="columns">
            <section class="card" aria-labelledby="link-holder-title">
                <h2 id="link-holder-title">{t!(i18n, linking.link_holder_title)}</h2>
                <p>{t!(i18n, linking.link_holder_intro)}</p>
                <ActionForm action=link_holder attr:class="stack" attr:novalidate=true>
                    <LinkingError
                        error=holder_error
                        business_portal_url=portal.clone()
                        business_registration_url=registration.clone()
                    />
                    <Field
                        id="link-customer-number"
                        name="customer_number"
                        autocomplete="off"
                        value=typed_number
                        error=holder_error
                    >
                        {t!(i18n, linking.customer_number)}
                    </Field>
                    <Field
                        id="link-contract-password"
                        name="contract_password"
                        input_type="password"
                        autocomplete="off"
                        error=holder_error
                    >
                        {t!(i18n, linking.contract_password)}
                    </Field>
                    <button type="submit" class="btn btn-primary" data-testid="link-holder-submit">
                        {t!(i18n, linking.link_holder_submit)}
                    </button>
                </ActionForm>
            </section>
            <LinkUserCard
                request=request_code
                confirm=confirm_code
                business_portal_url=user_portal
                business_registration_url=user_registration
            />
            {(!user_links.is_empty())
                .then(|| {
                    view! {
                        <section class="card" aria-labelledby="make-holder-title">
                            <h2 id="make-holder-title">{t!(i18n, linking.make_holder)}</h2>
                            <p>{t!(i18n, linking.make_holder_intro)}</p>
                            <ActionForm action=make_holder attr:class="stack" attr:novalidate=true>
                                <LinkingError
                                    error=make_holder_error
                                    business_portal_url=make_holder_portal.clone()
                                    business_registration_url=make_holder_registration.clone()
                                />
                                <div class="field">
                                    <label for="make-holder-link">{t!(i18n, linking.make_holder_which)}</label>
                                    <select id="make-holder-link" name="link_id">
                                        {user_links
                                            .into_iter()
                                            .map(|(id, label)| view! { <option value=id>{label}</option> })
                                            .collect_view()}
                                    </select>
                                </div>
                                <Field
                                    id="make-holder-password"
                                    name="contract_password"
                                    input_type="password"
                                    autocomplete="off"
                                    error=make_holder_error
                                >
                                    {t!(i18n, linking.contract_password)}
                                </Field>
                                <button type="submit" class="btn btn-primary" data-testid="make-holder-submit">
                                    {t!(i18n, linking.make_holder_submit)}
                                </button>
                            </ActionForm>
                        </section>
                    }
                        .into_any()
                })}
        </div>
    }
    .into_any()
}
