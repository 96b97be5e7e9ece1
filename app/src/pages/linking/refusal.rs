//! Linking refusals explained, with the next step (L4–L9).

use leptos::prelude::*;

use crate::{domain::linking::LinkRefusal, error::AppError, i18n::*};

/// The explanation of a linking error, or `None` for errors the form shows itself.
#[component]
pub fn LinkingError(
    #[prop(into)] error: Signal<Option<AppError>>,
    business_portal_url: String,
    business_registration_url: String,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let text = match error.get()? {
            AppError::LinkRefused(LinkRefusal::BusinessContract) => {
                let (portal, register) = (
                    business_portal_url.clone(),
                    business_registration_url.clone(),
                );
                return Some(
                    view! {
                        <div class="alert alert-error" role="alert" data-testid="link-refusal">
                            <p>{t!(i18n, linking.refusal_business)}</p>
                            <p>
                                <a href=portal rel="external">{t!(i18n, linking.business_portal)}</a>
                                " · "
                                <a href=register rel="external">{t!(i18n, linking.business_registration)}</a>
                            </p>
                        </div>
                    }
                    .into_any(),
                );
            }
            AppError::LinkRefused(LinkRefusal::BusinessHistory) => view! {
                {t!(i18n, linking.refusal_business_history)}
                " "
                <a href="#link-user">{t!(i18n, linking.link_user_offer)}</a>
            }
            .into_any(),
            AppError::LinkRefused(LinkRefusal::SecondHolder) => view! {
                {t!(i18n, linking.refusal_second_holder)}
                " "
                <a href="#link-user">{t!(i18n, linking.link_user_offer)}</a>
            }
            .into_any(),
            AppError::LinkRefused(LinkRefusal::StaleHolderLink { .. }) => {
                t!(i18n, linking.refusal_stale).into_any()
            }
            AppError::LinkRefused(LinkRefusal::AlreadyLinked) => {
                t!(i18n, linking.refusal_already_linked).into_any()
            }
            AppError::LinkRefused(LinkRefusal::ContractNotActive) => {
                t!(i18n, linking.refusal_not_active).into_any()
            }
            AppError::LinkRefused(LinkRefusal::UnknownLink) | AppError::NotFound => {
                t!(i18n, linking.refusal_unknown).into_any()
            }
            AppError::LinkProofInvalid => t!(i18n, linking.proof_invalid).into_any(),
            AppError::LinkCodeInvalid => t!(i18n, linking.code_invalid).into_any(),
            AppError::TooManyAttempts => t!(i18n, linking.too_many_attempts).into_any(),
            AppError::LinkingPaused => t!(i18n, linking.paused_refusal).into_any(),
            other => crate::components::form::error_message(&other),
        };
        Some(
            view! {
                <p class="alert alert-error" role="alert" data-testid="link-refusal">
                    {text}
                </p>
            }
            .into_any(),
        )
    }
}
