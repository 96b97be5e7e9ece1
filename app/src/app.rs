//! The HTML shell, the root component and the routes.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_i18n_router::I18nRoute;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};
use leptos_use::{SameSite, UseCookieOptions};

use crate::{
    api::shell::{ShellData, get_shell_data},
    components::action_form::FormAction,
    components::layout::Layout,
    error::AppError,
    i18n::*,
    page_data::{PageData, page_data},
    pages::{
        account::AccountPage,
        appointment::AppointmentPage,
        email_change::ConfirmEmailPage,
        home::HomePage,
        hosting::{ServicePage, ServicesPage},
        invoice_usage::InvoiceUsagePage,
        invoices::InvoicesPage,
        linking::LinkingPage,
        messages::MessagesPage,
        next_invoice::NextInvoicePage,
        not_found::NotFound,
        notifications::NotificationsPage,
        password_reset::{ForgotPasswordPage, ResetPasswordPage},
        register::{RegisterPage, VerifyEmailPage},
        security::SecurityPage,
        sign_in::SignInPage,
        sign_in_code::SignInCodePage,
        usage::UsagePage,
    },
};

/// Brand and session for the whole page, loaded before the first byte is sent (blocking) so
/// that pages can redirect with a real 302.
pub type ShellResource = PageData<Result<ShellData, AppError>>;

/// The unread count of the navigation once a page has learnt a newer one than the shell's
/// (reading a message); reset whenever the shell reloads (M2).
#[derive(Clone, Copy)]
pub struct UnreadOverride(pub RwSignal<Option<i64>>);

/// Runs `then` each time `action` succeeds. Data is reloaded on success only, so that a form
/// that failed is not rendered anew and keeps what was typed.
pub fn on_success<S>(action: FormAction<S>, then: impl Fn() + 'static)
where
    S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            then();
        }
    });
}

/// Reloads brand and session once `action` succeeds (sign-in, registration, sign-out).
pub fn refetch_shell_on_success<S>(action: FormAction<S>)
where
    S: ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let shell = expect_context::<ShellResource>();
    let unread = expect_context::<UnreadOverride>();
    on_success(action, move || {
        unread.0.set(None);
        shell.refetch();
    });
}

/// Loads the bundle and hydrates once the page has loaded and been painted, when the browser
/// is next idle. Leptos's `HydrationScripts defer` waits for idle time too, but preloads the
/// script and the WASM from `<head>`: when that download ended before the page's largest
/// paint, Lighthouse's phone simulation counted the paint as waiting for the whole WASM
/// (LCP 5.8 s instead of 1 s, one run in eight; issue 10). Until hydration the page works
/// as server-rendered HTML: links and forms do not need it.
/// `bundle` is the path of the bundle's files without their endings (`/pkg/selfcare-<hash>`).
#[component]
fn HydrationAfterPaint(bundle: String) -> impl IntoView {
    let script = format!(
        "{HYDRATE_AFTER_PAINT}({:?}, {:?}, {:?});",
        format!("{bundle}.js"),
        format!("{bundle}_bg.wasm"),
        format!("{bundle}{COMPILE_WORKER_SUFFIX}")
    );
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// How the name of the worker that compiles the WASM ends (`<bundle>_compile.js`, copied from
/// `frontend/compile-worker.js` by `scripts/lib.sh`); the server gives it its own policy.
pub const COMPILE_WORKER_SUFFIX: &str = "_compile.js";

/// The script of [`HydrationAfterPaint`]: `load`, then the first contentful paint as the
/// browser reports it (after the frame was shown; a tab opened in the background waits until
/// it is shown), then idle time (at most 2 s later), then the wasm-bindgen module's `hydrate`
/// export, in a task of its own after the one that instantiated the module (a blocking task
/// shorter by a quarter under Lighthouse's throttling). Browsers without paint timing skip the
/// paint step. The WASM is compiled by a worker (`frontend/compile-worker.js`, served as
/// `<bundle>_compile.js`) that posts the module back, not streamed into `instantiateStreaming`
/// on the page: Chromium decodes a stream on the main thread as its bytes arrive (three tasks
/// of 17–33 ms unthrottled for this bundle). When the worker fails, the glue loads the WASM
/// on the page as it would by default. Until hydration the page works as server-rendered
/// HTML, so a failed download only leaves it that way.
const HYDRATE_AFTER_PAINT: &str = r#"((js, wasm, worker) => {
  const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
  const inWorker = () =>
    new Promise((resolve, reject) => {
      const compiler = new Worker(worker);
      compiler.onmessage = ({ data }) => {
        compiler.terminate();
        data instanceof WebAssembly.Module ? resolve(data) : reject(data);
      };
      compiler.onerror = (error) => {
        compiler.terminate();
        reject(error);
      };
      compiler.postMessage(new URL(wasm, location.href).href);
    });
  const hydrate = () =>
    Promise.all([import(js), inWorker().catch(() => wasm)]).then(([glue, module_or_path]) =>
      glue.default({ module_or_path }).then(nextTask).then(() => glue.hydrate()));
  const whenIdle = () =>
    "requestIdleCallback" in window ? requestIdleCallback(hydrate, { timeout: 2000 }) : hydrate();
  const afterPaint = () => {
    const types = (window.PerformanceObserver && PerformanceObserver.supportedEntryTypes) || [];
    if (!types.includes("paint")) return whenIdle();
    new PerformanceObserver((entries, observer) => {
      if (entries.getEntriesByName("first-contentful-paint").length === 0) return;
      observer.disconnect();
      whenIdle();
    }).observe({ type: "paint", buffered: true });
  };
  if (document.readyState === "complete") afterPaint();
  else addEventListener("load", afterPaint, { once: true });
})"#;

/// The document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::backend::respond::set_page_csp();
    // The bundle's files share its content-hashed name (`selfcare-<hash>`, see `scripts/lib.sh`).
    let bundle = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    let stylesheet = format!("{bundle}.css");
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=stylesheet />
                // The provider's colours (no inline style: the page policy forbids it).
                <link rel="stylesheet" href="/brand.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options />
                <HydrationAfterPaint bundle />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let shell: ShellResource = page_data(|| (), |_| get_shell_data());
    provide_context(shell);
    provide_context(UnreadOverride(RwSignal::new(None)));
    provide_context(crate::components::flash::ClientFlash(RwSignal::new(None)));

    // The locale cookie is site-wide, like the one `/locale/{code}` sets on the server; without
    // an explicit path each locale prefix would get a cookie of its own. Only the server reads
    // and writes it (leptos_i18n's `cookie` feature is on for `ssr` only, issue 26).
    let cookie_options = UseCookieOptions::default()
        .path("/")
        .same_site(SameSite::Lax)
        .max_age(365 * 24 * 3600 * 1000_i64);

    view! {
        <I18nContextProvider cookie_options=cookie_options>
            <Router>
                <Routes fallback=NotFound>
                    // Async: every page is complete before its first byte, so it reads the same
                    // without JavaScript (out-of-order streaming needs scripts to swap content in)
                    // and redirects and status codes are real.
                    <I18nRoute<Locale, _, _> view=Layout ssr=SsrMode::Async>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/sign-in") view=SignInPage />
                        <Route path=path!("/sign-in/code") view=SignInCodePage />
                        <Route path=path!("/register") view=RegisterPage />
                        <Route path=path!("/verify-email") view=VerifyEmailPage />
                        <Route path=path!("/confirm-email") view=ConfirmEmailPage />
                        <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                        <Route path=path!("/reset-password") view=ResetPasswordPage />
                        <Route path=path!("/links") view=LinkingPage />
                        <Route path=path!("/invoices") view=InvoicesPage />
                        <Route path=path!("/invoices/next") view=NextInvoicePage />
                        <Route path=path!("/invoices/:id/usage") view=InvoiceUsagePage />
                        <Route path=path!("/usage") view=UsagePage />
                        <Route path=path!("/messages") view=MessagesPage />
                        <Route path=path!("/notifications") view=NotificationsPage />
                        <Route path=path!("/appointment") view=AppointmentPage />
                        <Route path=path!("/account") view=AccountPage />
                        <Route path=path!("/security") view=SecurityPage />
                        <Route path=path!("/services") view=ServicesPage />
                        <Route path=path!("/services/:id") view=|| view! { <ServicePage /> } />
                        <Route path=path!("/services/:id/options") view=|| view! { <ServicePage options=true /> } />
                    </I18nRoute<Locale, _, _>>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}
