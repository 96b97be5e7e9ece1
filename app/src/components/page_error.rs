//! What a page shows when its data cannot be loaded.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use super::{form::error_message, locale::use_lang};
use crate::{error::AppError, paths};

/// Sends visitors without a session to sign-in (in their language); shows any other error.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    let lang = use_lang();
    match error {
        AppError::Unauthenticated => {
            let to = paths::localized(lang.get_untracked(), paths::SIGN_IN);
            view! { <Redirect path=to /> }.into_any()
        }
        other => {
            // A page the login may not see answers with the error's status (404 for "not
            // yours"), also when it is opened by typing its address.
            #[cfg(feature = "ssr")]
            if let (Some(options), Ok(status)) = (
                use_context::<leptos_axum::ResponseOptions>(),
                http::StatusCode::from_u16(other.status_code()),
            ) {
                options.set_status(status);
            }
            view! {
            <p class="alert alert-error" role="alert">
                {error_message(&other)}
            </p>
            }
            .into_any()
        }
    }
}
