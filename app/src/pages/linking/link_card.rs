//! One link with its contracts, warnings and delete action (L1, L7, L9).

use leptos::prelude::*;

use crate::{
    api::linking::{DeleteLink, LinkView, ResumeLinking},
    components::action_form::{ActionForm, FormAction},
    domain::{linking::LinkWarning, rights::Role},
    i18n::*,
    pages::home::account_overview::ContractLine,
};

/// A link of the login.
#[component]
pub fn LinkCard(
    link: LinkView,
    delete: FormAction<DeleteLink>,
    resume: FormAction<ResumeLinking>,
    business_portal_url: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let link_id = link.link_id;
    let customer_number = link.customer_number.clone();
    let title_id = format!("link-{link_id}-title");
    let labelled_by = title_id.clone();
    view! {
        <article
            class="card link-card"
            aria-labelledby=labelled_by
            data-testid=format!("link-{}-{}", link.role.as_str(), link.customer_number)
        >
            <h2 id=title_id>
                <span class=format!("badge badge-role-{}", link.role.as_str())>
                    {match link.role {
                        Role::Holder => t!(i18n, linking.role_holder).into_any(),
                        Role::User => t!(i18n, linking.role_user).into_any(),
                    }}
                </span>
                " " {t!(i18n, linking.customer_number)} " " {link.customer_number.clone()}
            </h2>
            <ul class="products">
                {link
                    .contracts
                    .into_iter()
                    .map(|c| {
                        let phone = c
                            .phone_number
                            .as_deref()
                            .map(crate::domain::format::phone)
                            .unwrap_or_else(|| "—".to_string());
                        view! {
                            <ContractLine
                                heading=phone.into_any()
                                tariff_name=c.tariff_name
                                phone_number=None
                                contract_number=c.contract_number
                                status=c.status
                            />
                        }
                    })
                    .collect_view()}
            </ul>
            {link
                .warnings
                .into_iter()
                .map(|w| match w {
                    LinkWarning::StaleHolder => view! {
                        <p class="alert alert-warn" data-testid="warning-stale">
                            {t!(i18n, linking.warning_stale)}
                        </p>
                    }
                    .into_any(),
                    LinkWarning::LikelyBusinessContract => view! {
                        <p class="alert alert-warn" data-testid="warning-business">
                            {t!(i18n, linking.warning_business)} " "
                            <a href=business_portal_url.clone() rel="external">
                                {t!(i18n, linking.business_portal)}
                            </a>
                        </p>
                    }
                    .into_any(),
                })
                .collect_view()}
            // Wrong proofs from other logins paused linking this number (issue 24 item 4).
            {link.paused.then(|| view! {
                <div class="alert alert-warn" data-testid="linking-paused">
                    <p>{t!(i18n, linking.paused_card)}</p>
                    <ActionForm action=resume>
                        <input type="hidden" name="link_id" value=link_id />
                        <button type="submit" class="btn btn-outline" data-testid="resume-linking">
                            {t!(i18n, linking.resume)}
                        </button>
                    </ActionForm>
                </div>
            })}
            // Deleting asks first, as a disclosure that works without scripts (issue 23).
            <details class="confirm-delete">
                <summary class="btn btn-outline" data-testid="delete-link">
                    {t!(i18n, linking.delete)}
                </summary>
                <div class="confirm-panel">
                    <p>{t!(i18n, linking.delete_question, customer_number = move || customer_number.clone())}</p>
                    <ActionForm action=delete>
                        <input type="hidden" name="link_id" value=link_id />
                        <button type="submit" class="btn btn-primary" data-testid="confirm-delete-link">
                            {t!(i18n, linking.delete_confirm)}
                        </button>
                    </ActionForm>
                </div>
            </details>
        </article>
    }
}
