//! The page frame: skip link, header with brand, navigation, language switcher and account,
//! the page itself, and the footer. Lives inside `I18nRoute` so it follows the URL's locale.

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::{components::Outlet, hooks::use_location};

use super::{
    flash::{FlashNotice, PageFlash},
    locale::{use_lang, use_localized},
};
use crate::{
    api::{
        auth::SignOut,
        shell::{Brand, ShellData},
    },
    app::{ShellResource, UnreadOverride, refetch_shell_on_success},
    components::action_form::{ActionForm, FormAction},
    domain::lang::Lang,
    i18n::*,
    paths,
};

/// The frame around every page.
#[component]
pub fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    let shell = expect_context::<ShellResource>();
    let frame = move || {
        Suspend::new(async move {
            let data = shell.await.ok();
            // Not during the server's first, discarded call (see `past_first_poll`).
            #[cfg(feature = "ssr")]
            crate::page_data::past_first_poll().await;
            let flash = data.as_ref().and_then(|d| d.flash.clone());
            provide_context(PageFlash(flash.clone()));
            let brand = data.as_ref().map(|d| d.brand.clone());
            view! {
                <div class="frame">
                    <a class="skip-link" href="#main">
                        {t!(i18n, layout.skip_to_content)}
                    </a>
                    <Header data=data.clone() />
                    <main id="main" tabindex="-1">
                        <FlashNotice flash />
                        <Outlet />
                    </main>
                    <Footer brand=brand />
                </div>
            }
        })
    };
    // One description for every page (search engines and link previews); the text is taken
    // once, untracked, like the titles.
    let description = untrack(|| t_string!(i18n, layout.description).to_string());
    view! {
        <Meta name="description" content=description />
        <Suspense fallback=|| ()>{frame}</Suspense>
    }
}

#[component]
fn Header(data: Option<ShellData>) -> impl IntoView {
    let i18n = use_i18n();
    let home = use_localized(paths::HOME);
    let brand_name = data
        .as_ref()
        .map(|d| d.brand.name.clone())
        .unwrap_or_default();
    let logo = data.as_ref().and_then(|d| d.brand.logo_path.clone());
    let session = data.and_then(|d| d.session);
    let signed_in = session.is_some();
    let holder = session.as_ref().is_some_and(|s| s.holder);
    let linked = session.as_ref().is_some_and(|s| s.linked);
    let unread = session.as_ref().map_or(0, |s| s.unread);
    let hosting = session.as_ref().is_some_and(|s| s.hosting);
    view! {
        <header class="site-header">
            <div class="header-inner">
                <a class="brand" href=home>
                    {logo.map(|src| view! { <img src=src alt="" width="32" height="32" /> })}
                    <span class="brand-name">{brand_name}</span>
                    <span class="brand-area">{t!(i18n, layout.customer_area)}</span>
                </a>
                <LanguageSwitcher />
            </div>
            <div class="header-inner nav-row">
                <nav aria-label=move || t_string!(i18n, layout.main_nav).to_string()>
                    <ul class="main-nav">
                        {if signed_in {
                            view! {
                                <li>
                                    <NavLink path=paths::HOME>{t!(i18n, layout.nav_home)}</NavLink>
                                </li>
                                {holder
                                    .then(|| {
                                        view! {
                                            <li>
                                                <NavLink path=paths::INVOICES>
                                                    {t!(i18n, layout.nav_invoices)}
                                                </NavLink>
                                            </li>
                                        }
                                    })}
                                {linked
                                    .then(|| {
                                        view! {
                                            <li>
                                                <NavLink path=paths::USAGE>
                                                    {t!(i18n, layout.nav_usage)}
                                                </NavLink>
                                            </li>
                                        }
                                    })}
                                {holder
                                    .then(|| {
                                        view! {
                                            <li>
                                                <NavLink path=paths::MESSAGES>
                                                    {t!(i18n, layout.nav_messages)}
                                                    <UnreadBadge initial=unread />
                                                </NavLink>
                                            </li>
                                            <li>
                                                <NavLink path=paths::APPOINTMENT>
                                                    {t!(i18n, layout.nav_appointment)}
                                                </NavLink>
                                            </li>
                                            <li>
                                                <NavLink path=paths::ACCOUNT>
                                                    {t!(i18n, layout.nav_account)}
                                                </NavLink>
                                            </li>
                                        }
                                    })}
                                {(holder && hosting)
                                    .then(|| {
                                        view! {
                                            <li>
                                                <NavLink path=paths::SERVICES>
                                                    {t!(i18n, layout.nav_services)}
                                                </NavLink>
                                            </li>
                                        }
                                    })}
                                <li>
                                    <NavLink path=paths::LINKS>{t!(i18n, layout.nav_links)}</NavLink>
                                </li>
                            }
                                .into_any()
                        } else {
                            view! {
                                <li>
                                    <NavLink path=paths::SIGN_IN>{t!(i18n, layout.sign_in)}</NavLink>
                                </li>
                                <li>
                                    <NavLink path=paths::REGISTER>{t!(i18n, layout.register)}</NavLink>
                                </li>
                            }
                                .into_any()
                        }}
                    </ul>
                </nav>
                {session.map(|s| view! { <AccountMenu email=s.email /> })}
            </div>
        </header>
    }
}

/// The unread messages next to the Messages link (M2): the shell's count, or a newer one.
#[component]
fn UnreadBadge(initial: i64) -> impl IntoView {
    let i18n = use_i18n();
    let unread = expect_context::<UnreadOverride>();
    move || {
        let count = unread.0.get().unwrap_or(initial);
        (count > 0).then(|| {
            view! {
                <span class="nav-count" data-testid="unread-count">
                    {count.to_string()}
                    <span class="visually-hidden">" " {t!(i18n, layout.unread)}</span>
                </span>
            }
        })
    }
}

/// A navigation link that marks the current page with `aria-current`.
#[component]
fn NavLink(path: &'static str, children: Children) -> impl IntoView {
    let href = use_localized(path);
    let location = use_location();
    let current = move || {
        let (_, bare) = paths::split_locale(&location.pathname.get());
        (bare == path).then_some("page")
    };
    view! {
        <a href=href aria-current=current>
            {children()}
        </a>
    }
}

#[component]
fn AccountMenu(email: String) -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let sign_out = FormAction::<SignOut>::new();
    refetch_shell_on_success(sign_out);
    view! {
        <div class="account">
            <span class="account-email">
                <span class="visually-hidden">{t!(i18n, layout.signed_in_as)} " "</span>
                {email}
            </span>
            <NavLink path=paths::SECURITY>{t!(i18n, layout.nav_security)}</NavLink>
            <ActionForm action=sign_out attr:class="inline-form">
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <button type="submit" class="btn btn-secondary" data-testid="sign-out">
                    {t!(i18n, layout.sign_out)}
                </button>
            </ActionForm>
        </div>
    }
}

/// Links to the same page in every language. Plain links through `/locale/{code}`, which sets
/// the preference cookie and redirects, so switching works with and without JavaScript.
#[component]
fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_lang();
    let location = use_location();
    let bare_path = move || paths::split_locale(&location.pathname.get()).1;
    view! {
        <nav class="lang-switcher" aria-label=move || t_string!(i18n, layout.language).to_string()>
            <ul>
                {Lang::ALL
                    .into_iter()
                    .map(|lang| {
                        let href = move || format!("/locale/{}?next={}", lang.code(), bare_path());
                        view! {
                            <li>
                                <a
                                    href=href
                                    rel="external"
                                    hreflang=lang.code()
                                    lang=lang.code()
                                    aria-current=move || (current.get() == lang).then_some("true")
                                    data-testid=format!("lang-{}", lang.code())
                                >
                                    <span aria-hidden="true">{lang.code().to_ascii_uppercase()}</span>
                                    <span class="visually-hidden">{lang.endonym()}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn Footer(brand: Option<Brand>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="site-footer">
            {brand
                .map(|b| {
                    view! {
                        <a href=b.support_url rel="external">
                            {t!(i18n, layout.support)}
                        </a>
                        <span>"© " {b.name}</span>
                    }
                })}
        </footer>
    }
}
