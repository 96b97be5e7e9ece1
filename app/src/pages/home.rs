//! Home: what the signed-in login may see, by its links (L2): the account overview (H1, H5)
//! for a holder, and the products with usage, options and settings (H2–H4).

pub mod account_overview;
pub mod products;
pub mod settings;

use leptos::prelude::*;
use leptos_meta::Title;

use self::{
    account_overview::AccountOverviewView,
    products::{NoticeBar, ProductList, ProductsContext},
};
use crate::{
    api::{
        home::{HomeOverview, get_home_overview},
        products::get_products,
    },
    components::{locale::use_lang, page_error::PageError},
    i18n::*,
    page_data::page_data,
    paths,
};

/// The Home tab. Both resources belong to the page and are awaited in one `Suspend` (a
/// resource created inside another's `Suspend` hydrates twice); a change on a product reloads
/// the products only.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let context = ProductsContext {
        changes: RwSignal::new(0),
        notice: RwSignal::new(None),
    };
    provide_context(context);
    let overview = page_data(|| (), |_| get_home_overview());
    let products = page_data(
        move || (lang.get(), context.changes.get()),
        |(lang, _)| get_products(lang.code().to_string()),
    );
    let content = move || {
        Suspend::new(async move {
            let overview = overview.await;
            let products = products.await;
            let products_view = move |title: bool| match products.clone() {
                Ok(products) if products.products.is_empty() => None,
                Ok(products) => Some(
                    view! {
                        <section aria-labelledby="products-title" class="products-section">
                            <h2 id="products-title" class:visually-hidden=!title>
                                {t!(i18n, home.products)}
                            </h2>
                            <ProductList products />
                        </section>
                    }
                    .into_any(),
                ),
                Err(error) => Some(view! { <PageError error /> }.into_any()),
            };
            match overview {
                Ok(HomeOverview::Holder(account)) => view! {
                    <AccountOverviewView account=*account />
                    {products_view(true)}
                }
                .into_any(),
                Ok(HomeOverview::UserOnly) => view! {
                    <p class="intro">{t!(i18n, home.user_only_intro)}</p>
                    {products_view(true)}
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
        <Title text=untrack(|| t_string!(i18n, home.title).to_string()) />
        <div class="page">
            <h1>{t!(i18n, home.title)}</h1>
            <NoticeBar notice=context.notice />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>
                {content}
            </Suspense>
        </div>
    }
}
