//! The page for unknown paths.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{components::locale::use_localized, i18n::*, paths};

/// 404: said plainly, with a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    let home = use_localized(paths::HOME);
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=untrack(|| t_string!(i18n, not_found.title).to_string()) />
        <main id="main" class="page narrow">
            <h1>{t!(i18n, not_found.title)}</h1>
            <p>{t!(i18n, not_found.text)}</p>
            <p>
                <a href=home>{t!(i18n, not_found.home_link)}</a>
            </p>
        </main>
    }
}
