//! Forms that post to a server function, with and without JavaScript.
//!
//! Leptos's `ActionForm` turns the form's fields into the server function's argument type in
//! the browser (serde_qs), then encodes that value again (serde_qs) to send it: both the
//! decoder and the encoder, and a `Deserialize` of every form's arguments, were in the browser
//! bundle for a body the browser has already encoded (issue 26). [`ActionForm`] sends the
//! form's own `application/x-www-form-urlencoded` body, the same bytes a browser without
//! JavaScript posts, and only the answer is decoded, with the page data's JSON decoder.
//!
//! [`FormAction`] holds what the page shows: the last answer and its version. On the server it
//! starts with the error of a post made without JavaScript (Leptos's `ServerActionError`), like
//! Leptos's `ServerAction`.

use std::marker::PhantomData;

use leptos::{
    prelude::*,
    server::ServerActionError,
    server_fn::{
        Http, ServerFn,
        codec::{Json, PostUrl},
        error::ServerFnUrlError,
    },
};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// The answer of a form's server function.
pub type Answer<S> = Result<<S as ServerFn>::Output, AppError>;

/// The state of a form posting to the server function `S`: its last answer and a version
/// bumped by every answer.
pub struct FormAction<S: ServerFn> {
    inner: Action<String, Answer<S>>,
    // Made once, with the action: `Action::value` and `Action::version` make a new signal in
    // the current owner at every call, so a closure calling them on each run left signals to
    // owners that go away. With them made at every call, a double click on "pay" panicked
    // ("a reactive value that has already been disposed") in 1 of 2 desktop runs; not since.
    value: MappedSignal<Option<Answer<S>>>,
    version: RwSignal<usize>,
    server_fn: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for FormAction<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for FormAction<S> {}

impl<S> FormAction<S>
where
    S: ServerFn<Protocol = Http<PostUrl, Json>, Error = AppError>,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    /// A form's action; on the server, with the refusal of a post made without JavaScript to
    /// this server function, when there was one.
    #[track_caller]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        let refused = use_context::<ServerActionError>().and_then(|error| {
            (error.path() == S::PATH)
                .then(|| ServerFnUrlError::<AppError>::decode_err(error.err()))
                .map(Err)
        });
        let inner = Action::new_with_value(refused, |body: &String| {
            post_form::<S::Output>(S::PATH, body.clone())
        });
        Self {
            inner,
            value: inner.value(),
            version: inner.version(),
            server_fn: PhantomData,
        }
    }
}

impl<S: ServerFn + 'static> FormAction<S>
where
    S::Output: Send + Sync + 'static,
{
    /// The last answer, `None` before the first.
    pub fn value(&self) -> MappedSignal<Option<Answer<S>>> {
        self.value
    }

    /// How many answers came back (or were refused in the browser): data that depends on the
    /// form reloads when it changes.
    pub fn version(&self) -> RwSignal<usize> {
        self.version
    }

    fn dispatch_body(&self, body: String) {
        self.inner.dispatch(body);
    }
}

/// A `<form method="post">` to the server function of `action`: without JavaScript the
/// browser posts it (the server answers with the page again); with it, the same body goes by
/// `fetch` and the answer lands in `action`.
#[component]
pub fn ActionForm<S>(
    /// Where the answer goes.
    action: FormAction<S>,
    /// The fields and buttons.
    children: Children,
) -> impl IntoView
where
    S: ServerFn + 'static,
    S::Output: Send + Sync + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if ev.default_prevented() {
            return;
        }
        ev.prevent_default();
        match encoded_form(&ev) {
            Some(body) => action.dispatch_body(body),
            None => {
                action.value().set(Some(Err(AppError::Transport(
                    "the form could not be read".to_owned(),
                ))));
                action.version().update(|n| *n += 1);
            }
        }
    };
    view! {
        <form action=S::url() method="post" on:submit=on_submit>
            {children()}
        </form>
    }
}

/// The form of a submit event as the browser would post it, with the button that sent it.
#[cfg(feature = "hydrate")]
fn encoded_form(ev: &leptos::ev::SubmitEvent) -> Option<String> {
    let data = leptos::form::form_data_from_event(ev).ok()?;
    let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
    params.to_string().as_string()
}

#[cfg(not(feature = "hydrate"))]
fn encoded_form(_: &leptos::ev::SubmitEvent) -> Option<String> {
    None
}

/// Posts an encoded form to a server function and decodes its answer: JSON on success, the
/// error's own encoding on a 4xx or 5xx; a redirect the server asked for is followed by the
/// router's hook, as for any server function.
#[cfg(feature = "hydrate")]
async fn post_form<O: DeserializeOwned>(path: &'static str, body: String) -> Result<O, AppError> {
    use leptos::server_fn::{
        ContentType,
        client::{Client, browser::BrowserClient},
        codec::JsonEncoding,
        error::FromServerFnError,
        request::ClientReq,
        response::ClientRes,
    };
    let request = <BrowserClient as Client<AppError>>::Request::try_new_post(
        path,
        PostUrl::CONTENT_TYPE,
        JsonEncoding::CONTENT_TYPE,
        body,
    )?;
    let response = <BrowserClient as Client<AppError>>::send(request).await?;
    let status = ClientRes::<AppError>::status(&response);
    let location = ClientRes::<AppError>::location(&response);
    let redirected = ClientRes::<AppError>::has_redirect(&response);
    let bytes = ClientRes::<AppError>::try_into_bytes(response).await?;
    let answer = if (400..=599).contains(&status) {
        Err(AppError::de(bytes))
    } else {
        serde_json::from_slice(&bytes).map_err(|e| AppError::Transport(e.to_string()))
    }?;
    if (300..=399).contains(&status) || redirected {
        leptos::server_fn::redirect::call_redirect_hook(&location);
    }
    Ok(answer)
}

/// Forms are posted by the browser; the server never dispatches one.
#[cfg(not(feature = "hydrate"))]
async fn post_form<O>(_: &'static str, _: String) -> Result<O, AppError> {
    Err(AppError::Internal)
}
