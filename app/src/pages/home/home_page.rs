//! Home: what the signed-in login may see, by its links (L2).

use leptos::prelude::*;
use leptos_meta::Title;

use super::account_overview::{AccountOverviewView, ContractList};
use crate::{
    api::home::{HomeOverview, get_home_overview},
    components::{locale::use_lang, page_error::PageError},
    i18n::*,
    paths,
};

/// The Home tab.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let overview = Resource::new_blocking(|| (), |_| get_home_overview());
    let content = move || {
        Suspend::new(async move {
            match overview.await {
                Ok(HomeOverview::Holder(account)) => {
                    view! { <AccountOverviewView account=*account /> }.into_any()
                }
                Ok(HomeOverview::UserOnly(contracts)) => view! {
                    <p class="intro">{t!(i18n, home.user_only_intro)}</p>
                    <ContractList contracts=contracts />
                }
                .into_any(),
                Ok(HomeOverview::NoLinks) => view! {
                    <section class="card" aria-labelledby="no-links-title">
                        <h2 id="no-links-title">{t!(i18n, home.no_links_title)}</h2>
                        <p>{t!(i18n, home.no_links_text)}</p>
                        <p>
                            <a href=paths::localized(lang.get_untracked(), paths::LINKS)>
                                {t!(i18n, home.link_contracts)}
                            </a>
                        </p>
                    </section>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    view! {
        <Title text=move || t_string!(i18n, home.title).to_string() />
        <div class="page">
            <h1>{t!(i18n, home.title)}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}
