//! Documents (M3): the holder's uploaded ID copies and proofs of address. The upload itself is
//! a streaming multipart route of the server (`POST /documents`, see `server::documents`),
//! which calls [`store`]; downloads go through `GET /documents/{id}` and [`download`].

use chrono::NaiveDateTime;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    domain::document::{DocumentKind, DocumentStatus, FileType},
    error::AppError,
};

#[cfg(feature = "ssr")]
use crate::backend::entry::{self, Holder};

/// One uploaded document, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: i64,
    pub kind: DocumentKind,
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: i32,
    pub status: DocumentStatus,
    /// UTC.
    pub uploaded_at: NaiveDateTime,
}

/// The holder's documents, newest first.
#[server(endpoint = "documents")]
pub async fn get_documents() -> Result<Vec<DocumentView>, AppError> {
    use crate::backend::repo;
    entry::holder(|state, Holder { customer_id, .. }| async move {
        Ok(repo::documents::list(&state.pool, customer_id)
            .await?
            .into_iter()
            .map(DocumentView::from)
            .collect())
    })
    .await
}

#[cfg(feature = "ssr")]
impl From<crate::backend::repo::documents::DocumentRow> for DocumentView {
    fn from(row: crate::backend::repo::documents::DocumentRow) -> Self {
        DocumentView {
            id: row.id,
            kind: row.kind,
            file_name: row.file_name,
            file_type: row.file_type,
            size_bytes: row.size_bytes,
            status: row.status,
            uploaded_at: row.uploaded_at,
        }
    }
}

/// The holder an upload is for: (customer id, login id), checked before the body is read.
#[cfg(feature = "ssr")]
pub async fn upload_rights(
    state: &crate::backend::state::AppState,
    headers: &http::HeaderMap,
) -> Result<(i64, i64), AppError> {
    let access = crate::backend::access::require_access_from(state, headers).await?;
    Ok((access.require_holder()?, access.session.login_id))
}

/// Stores an upload after checking it (kind, emptiness, size, type by content); answers the
/// new document's id. Nothing is stored when a check fails.
#[cfg(feature = "ssr")]
pub async fn store(
    state: &crate::backend::state::AppState,
    (customer_id, login_id): (i64, i64),
    kind: &str,
    file_name: &str,
    content: &[u8],
) -> Result<i64, AppError> {
    use sha2::{Digest, Sha256};

    use crate::{
        backend::repo,
        domain::{
            document::{check_file, safe_file_name},
            validation::FieldProblem,
        },
    };
    let kind = DocumentKind::parse(kind.trim()).ok_or(FieldProblem::Required);
    let file = check_file(content);
    AppError::check_fields([("kind", kind.err()), ("file", file.err())])?;
    let (Ok(kind), Ok(file_type)) = (kind, file) else {
        return Err(AppError::internal(
            "a field check_fields passed did not parse",
        ));
    };
    let name = safe_file_name(file_name, file_type);
    let sha256 = Sha256::digest(content);
    let mut tx = state.pool.begin().await?;
    let id = repo::documents::insert(
        &mut tx,
        &repo::documents::NewDocument {
            customer_id,
            login_id,
            kind,
            file_name: &name,
            file_type,
            content,
            sha256: sha256.as_slice(),
        },
    )
    .await?;
    crate::backend::events::record(
        &mut tx,
        crate::backend::events::Subject::Customer(customer_id),
        crate::backend::events::EventKind::DocumentUploaded,
        serde_json::json!({
            "document": id,
            "kind": kind.as_str(),
            "file_name": name,
            "bytes": content.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        customer_id,
        document_id = id,
        bytes = content.len(),
        "document uploaded"
    );
    Ok(id)
}

/// A document of the signed-in holder's customer number: (file name, MIME type, content).
#[cfg(feature = "ssr")]
pub async fn download(
    state: &crate::backend::state::AppState,
    headers: &http::HeaderMap,
    id: i64,
) -> Result<(String, &'static str, Vec<u8>), AppError> {
    use crate::backend::{access::require_access_from, repo};
    let access = require_access_from(state, headers).await?;
    let customer_id = access.require_holder()?;
    let file = repo::documents::content(&state.pool, customer_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((file.file_name, file.file_type.mime(), file.content))
}
