//! Documents on My account (M3): upload an ID copy or a proof of address with a progress bar,
//! and the list of what was sent with its date and status. The form posts to the streaming
//! upload route (`POST /documents`); without JavaScript it is a plain multipart form post and
//! the server sends the browser back here with the outcome in the query.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, de::IntoDeserializer};

use crate::{
    api::documents::{DocumentView, get_documents},
    components::{
        form::{FormAlert, SuccessNotice, problem_message},
        locale::use_lang,
        page_error::PageError,
    },
    domain::{
        document::{DocumentKind, DocumentStatus, MAX_BYTES},
        format,
        validation::FieldProblem,
    },
    error::AppError,
    i18n::*,
    page_data::page_data,
};

fn kind_text(kind: DocumentKind) -> AnyView {
    let i18n = use_i18n();
    match kind {
        DocumentKind::IdCopy => t!(i18n, documents.kind_id_copy).into_any(),
        DocumentKind::ProofOfAddress => t!(i18n, documents.kind_proof_of_address).into_any(),
    }
}

fn status_text(status: DocumentStatus) -> AnyView {
    let i18n = use_i18n();
    match status {
        DocumentStatus::Received => t!(i18n, documents.status_received).into_any(),
        DocumentStatus::Accepted => t!(i18n, documents.status_accepted).into_any(),
        DocumentStatus::Rejected => t!(i18n, documents.status_rejected).into_any(),
    }
}

/// A file size for people: "834 KB", "2.4 MB".
fn size_text(bytes: i32, lang: crate::domain::lang::Lang) -> String {
    let bytes = rust_decimal::Decimal::from(bytes);
    let kb = rust_decimal::Decimal::from(1024);
    if bytes < kb * kb {
        format!("{} KB", format::number((bytes / kb).ceil(), 0, lang))
    } else {
        format!("{} MB", format::number(bytes / (kb * kb), 1, lang))
    }
}

/// Sends the form with XMLHttpRequest, reporting the upload's progress; calls `done` with the
/// HTTP status (0 when the request failed) and the response text.
#[cfg(feature = "hydrate")]
fn send_with_progress(
    form: &web_sys::HtmlFormElement,
    progress: RwSignal<Option<u32>>,
    done: impl FnOnce(u16, String) + 'static,
) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::{JsCast, closure::Closure};
    let data = web_sys::FormData::new_with_form(form)?;
    let xhr = web_sys::XmlHttpRequest::new()?;
    xhr.open("POST", &form.action())?;
    xhr.set_request_header("Accept", "application/json")?;
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                let share = (event.loaded() / event.total() * 100.0).clamp(0.0, 100.0);
                // Truncation is intended: a share of 0..=100.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                progress.set(Some(share.floor() as u32));
            }
        });
    xhr.upload()?
        .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let request = xhr.clone();
    // The progress handler lives until the request ends, then both are dropped.
    let on_end = Closure::once_into_js(move || {
        drop(on_progress);
        let status = request.status().unwrap_or(0);
        let text = request.response_text().ok().flatten().unwrap_or_default();
        done(status, text);
    });
    xhr.set_onloadend(Some(on_end.unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&data))
}

/// The documents section of My account.
#[component]
pub fn DocumentsSection() -> impl IntoView {
    let i18n = use_i18n();
    let lang = use_lang();
    let query = use_query_map();
    let uploads = RwSignal::new(0_u32);
    let progress = RwSignal::new(None::<u32>);
    let busy = RwSignal::new(false);
    // Without JavaScript the outcome comes back in the query.
    let (posted_ok, posted_error) = query.with_untracked(|q| {
        let problem = q.get("upload_error").map(|raw| {
            let parsed: Result<FieldProblem, serde::de::value::Error> =
                FieldProblem::deserialize(raw.as_str().into_deserializer());
            parsed.map_or(AppError::Internal, |p: FieldProblem| {
                AppError::field("file", p)
            })
        });
        (q.get("upload").is_some_and(|v| v == "done"), problem)
    });
    let uploaded = RwSignal::new(posted_ok);
    let error = RwSignal::new(posted_error);
    let list = page_data(move || uploads.get(), |_| get_documents());
    let file_problem = move || error.get().and_then(|e| e.problem_for("file"));

    let on_submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(form) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
            else {
                return;
            };
            event.prevent_default();
            if busy.get_untracked() {
                return;
            }
            busy.set(true);
            uploaded.set(false);
            error.set(None);
            progress.set(Some(0));
            let sending = form.clone();
            let sent = send_with_progress(&sending, progress, move |status, text| {
                busy.set(false);
                if status == 200 {
                    progress.set(Some(100));
                    uploaded.set(true);
                    form.reset();
                    uploads.update(|n| *n += 1);
                } else {
                    progress.set(None);
                    let answer = serde_json::from_str::<AppError>(&text)
                        .unwrap_or_else(|_| AppError::Transport(format!("HTTP {status}")));
                    error.set(Some(answer));
                }
            });
            if sent.is_err() {
                busy.set(false);
                progress.set(None);
                error.set(Some(AppError::Transport("upload".into())));
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };

    let items = move || {
        Suspend::new(async move {
            match list.await {
                Ok(documents) if documents.is_empty() => {
                    view! { <p data-testid="no-documents">{t!(i18n, documents.none)}</p> }.into_any()
                }
                Ok(documents) => view! {
                    <ul class="plain-list document-list" data-testid="documents">
                        {documents.into_iter().map(|d| view! { <DocumentItem document=d /> }).collect_view()}
                    </ul>
                }
                .into_any(),
                Err(error) => view! { <PageError error /> }.into_any(),
            }
        })
    };
    let max_mb = MAX_BYTES / (1024 * 1024);
    view! {
        <section class="card stack" aria-labelledby="documents-heading">
            <h2 id="documents-heading">{t!(i18n, documents.title)}</h2>
            <p class="part-note">{t!(i18n, documents.intro, max = move || max_mb)}</p>
            <SuccessNotice
                testid="upload-notice"
                message=move || uploaded.get().then(|| t!(i18n, documents.uploaded).into_any())
            />
            <form
                method="post"
                action="/documents"
                enctype="multipart/form-data"
                class="stack"
                novalidate
                on:submit=on_submit
            >
                <FormAlert error=Signal::derive(move || error.get()) />
                <input type="hidden" name="lang" value=move || lang.get().code() />
                <div class="field">
                    <label for="document-kind">{t!(i18n, documents.kind)}</label>
                    <select id="document-kind" name="kind">
                        {DocumentKind::ALL
                            .into_iter()
                            .map(|k| view! { <option value=k.as_str()>{kind_text(k)}</option> })
                            .collect_view()}
                    </select>
                </div>
                <div class="field" class:field-invalid=move || file_problem().is_some()>
                    <label for="document-file">{t!(i18n, documents.file)}</label>
                    <p class="field-hint" id="document-file-hint">{t!(i18n, documents.file_hint, max = move || max_mb)}</p>
                    <input
                        id="document-file"
                        name="file"
                        type="file"
                        accept="application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
                        aria-invalid=move || file_problem().is_some().then_some("true")
                        aria-describedby=move || {
                            if file_problem().is_some() {
                                "document-file-hint document-file-error"
                            } else {
                                "document-file-hint"
                            }
                        }
                    />
                    {move || {
                        file_problem()
                            .map(|p| view! { <p class="field-error" id="document-file-error">{problem_message(p)}</p> })
                    }}
                </div>
                {move || {
                    progress
                        .get()
                        .map(|share| {
                            view! {
                                <div class="upload-progress">
                                    <label for="upload-progress">{t!(i18n, documents.progress)}</label>
                                    <progress id="upload-progress" max="100" value=share data-testid="upload-progress">
                                        {format!("{share} %")}
                                    </progress>
                                    <span aria-hidden="true">{format!("{share} %")}</span>
                                </div>
                            }
                        })
                }}
                <button type="submit" class="btn btn-primary" data-testid="upload-submit" disabled=move || busy.get()>
                    {t!(i18n, documents.upload)}
                </button>
            </form>
            <h3>{t!(i18n, documents.sent)}</h3>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true"></p> }>{items}</Suspense>
        </section>
    }
}

#[component]
fn DocumentItem(document: DocumentView) -> impl IntoView {
    let lang = use_lang();
    let at = document.uploaded_at;
    let size = document.size_bytes;
    let status = document.status;
    view! {
        <li class="document" data-testid="document">
            <a href=format!("/documents/{}", document.id) download=document.file_name.clone()>
                {document.file_name.clone()}
            </a>
            <span class="part-note">
                {kind_text(document.kind)} " · " {move || size_text(size, lang.get())} " · "
                {move || format!("{} {} (UTC)", format::date(at.date(), lang.get()), format::clock(at))}
            </span>
            <span class=format!("badge badge-{}", status.as_str()) data-testid="document-status">
                {status_text(status)}
            </span>
        </li>
    }
}
