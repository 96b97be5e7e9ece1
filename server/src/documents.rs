//! `POST /documents` (M3): a multipart upload read as a stream. The holder is checked before
//! the body is read; the file is counted while it arrives and never held beyond 10 MB (the
//! rest is drained and dropped, so the browser gets the answer rather than a reset
//! connection); its type is decided by content. JavaScript clients (`Accept:
//! application/json`) get JSON; a plain form post is sent back to My account with the outcome
//! in the query.

use app::{
    backend::state::AppState,
    domain::{document::MAX_BYTES, lang::Lang, validation::FieldProblem},
    error::AppError,
    paths,
};
use axum::{
    Json,
    extract::{Multipart, State, multipart::Field},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// What the form sent.
#[derive(Default)]
struct Upload {
    lang: Option<Lang>,
    kind: String,
    file_name: String,
    content: Vec<u8>,
    too_large: bool,
    /// A `file` part was read: a second one is refused, not appended (issue 24).
    has_file: bool,
}

/// A short text field, at most 64 bytes.
async fn small_text(field: Field<'_>) -> Result<String, AppError> {
    let text = field.text().await.map_err(|_| bad_body())?;
    Ok(text.chars().take(64).collect())
}

fn bad_body() -> AppError {
    AppError::field("file", FieldProblem::Required)
}

/// Reads the file part chunk by chunk, keeping at most `MAX_BYTES + 1` bytes.
async fn read_file(mut field: Field<'_>, upload: &mut Upload) -> Result<(), AppError> {
    // Control characters (NUL among them, which PostgreSQL refuses) never belong in a name.
    upload.file_name = field
        .file_name()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(255)
        .collect();
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                if upload.too_large {
                    continue;
                }
                if upload.content.len() + chunk.len() > MAX_BYTES {
                    upload.too_large = true;
                    upload.content = Vec::new();
                } else {
                    upload.content.extend_from_slice(&chunk);
                }
            }
            Ok(None) => return Ok(()),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.too_large = true;
                upload.content = Vec::new();
                return Ok(());
            }
            Err(_) => return Err(bad_body()),
        }
    }
}

async fn read(multipart: &mut Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(upload),
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                upload.too_large = true;
                return Ok(upload);
            }
            Err(_) => return Err(bad_body()),
        };
        match field.name() {
            Some("lang") => upload.lang = Lang::parse(&small_text(field).await?),
            Some("kind") => upload.kind = small_text(field).await?,
            Some("file") if upload.has_file => {
                tracing::info!("upload with more than one file part refused");
                return Err(AppError::BadRequest);
            }
            Some("file") => {
                upload.has_file = true;
                read_file(field, &mut upload).await?;
            }
            _ => {}
        }
    }
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let outcome = async {
        let holder = app::api::documents::upload_rights(&state, &headers)
            .await
            .map_err(|err| (err, None))?;
        let upload = read(&mut multipart).await.map_err(|err| (err, None))?;
        if upload.too_large {
            return Err((
                AppError::field("file", FieldProblem::FileTooLarge),
                upload.lang,
            ));
        }
        app::api::documents::store(
            &state,
            holder,
            &upload.kind,
            &upload.file_name,
            &upload.content,
        )
        .await
        .map(|id| (id, upload.lang))
        .map_err(|err| (err, upload.lang))
    };
    let result = outcome.await;
    if wants_json {
        return match result {
            Ok((id, _)) => Json(id).into_response(),
            Err((err, _)) => {
                let status = StatusCode::from_u16(err.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, Json(err)).into_response()
            }
        };
    }
    // A plain form post: back to the page, with the outcome in the query.
    let (target, lang) = match result {
        Ok((_, lang)) => ("?upload=done".to_string(), lang),
        Err((AppError::Unauthenticated, lang)) => {
            return see_other(&paths::localized(
                lang.unwrap_or(paths::DEFAULT_LANG),
                paths::SIGN_IN,
            ));
        }
        Err((err, lang)) => {
            let problem = err
                .problem_for("file")
                .or_else(|| err.problem_for("kind"))
                .map_or("failed".to_string(), |p| {
                    serde_json::to_string(&p)
                        .unwrap_or_default()
                        .trim_matches('"')
                        .to_string()
                });
            (format!("?upload_error={problem}"), lang)
        }
    };
    let lang = lang.unwrap_or(paths::DEFAULT_LANG);
    see_other(&format!(
        "{}{target}",
        paths::localized(lang, paths::ACCOUNT)
    ))
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}
