//! Uploaded documents (M3).

use sqlx::{PgConnection, PgPool};

use crate::{
    domain::document::{DocumentKind, DocumentStatus, FileType},
    error::AppError,
};

/// A stored document, without its content.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: DocumentKind,
    pub file_name: String,
    #[sqlx(rename = "mime_type", try_from = "String")]
    pub file_type: FileType,
    pub size_bytes: i32,
    #[sqlx(try_from = "String")]
    pub status: DocumentStatus,
    /// UTC.
    pub uploaded_at: chrono::NaiveDateTime,
}

/// A document to store.
#[derive(Debug)]
pub struct NewDocument<'a> {
    pub customer_id: i64,
    pub login_id: i64,
    pub kind: DocumentKind,
    pub file_name: &'a str,
    pub file_type: FileType,
    pub content: &'a [u8],
    pub sha256: &'a [u8],
}

/// Stores a document (one statement: it is there whole, or not at all).
pub async fn insert(conn: &mut PgConnection, d: &NewDocument<'_>) -> Result<i64, AppError> {
    let size = i32::try_from(d.content.len())
        .map_err(|_| AppError::internal("document larger than the database column"))?;
    Ok(sqlx::query_scalar(
        "INSERT INTO documents (customer_id, login_id, kind, file_name, mime_type, size_bytes,
                                sha256, content)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(d.customer_id)
    .bind(d.login_id)
    .bind(d.kind.as_str())
    .bind(d.file_name)
    .bind(d.file_type.mime())
    .bind(size)
    .bind(d.sha256)
    .bind(d.content)
    .fetch_one(conn)
    .await?)
}

/// The documents of a customer, newest first (without their content).
pub async fn list(pool: &PgPool, customer_id: i64) -> Result<Vec<DocumentRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, file_name, mime_type, size_bytes, status,
                uploaded_at AT TIME ZONE 'UTC' AS uploaded_at
           FROM documents WHERE customer_id = $1
          ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await?)
}

/// A document's file, as a download sends it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DocumentFile {
    pub file_name: String,
    #[sqlx(rename = "mime_type", try_from = "String")]
    pub file_type: FileType,
    pub content: Vec<u8>,
}

/// A document of this customer, with its content.
pub async fn content(
    pool: &PgPool,
    customer_id: i64,
    id: i64,
) -> Result<Option<DocumentFile>, AppError> {
    Ok(sqlx::query_as(
        "SELECT file_name, mime_type, content FROM documents WHERE id = $1 AND customer_id = $2",
    )
    .bind(id)
    .bind(customer_id)
    .fetch_optional(pool)
    .await?)
}
