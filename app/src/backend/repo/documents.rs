//! Uploaded documents (M3).

use sqlx::{PgPool, Row};

use super::parse_column;
use crate::{
    domain::document::{DocumentKind, DocumentStatus, FileType},
    error::AppError,
};

/// A stored document, without its content.
#[derive(Debug, Clone)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: DocumentKind,
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: i32,
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
pub async fn insert(pool: &PgPool, d: &NewDocument<'_>) -> Result<i64, AppError> {
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
    .fetch_one(pool)
    .await?)
}

/// The documents of a customer, newest first (without their content).
pub async fn list(pool: &PgPool, customer_id: i64) -> Result<Vec<DocumentRow>, AppError> {
    sqlx::query(
        "SELECT id, kind, file_name, mime_type, size_bytes, status,
                uploaded_at AT TIME ZONE 'UTC' AS uploaded_at
           FROM documents WHERE customer_id = $1
          ORDER BY uploaded_at DESC, id DESC",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(DocumentRow {
            id: r.get("id"),
            kind: parse_column("documents.kind", r.get("kind"), DocumentKind::parse)?,
            file_name: r.get("file_name"),
            file_type: parse_column(
                "documents.mime_type",
                r.get("mime_type"),
                FileType::parse_mime,
            )?,
            size_bytes: r.get("size_bytes"),
            status: parse_column("documents.status", r.get("status"), DocumentStatus::parse)?,
            uploaded_at: r.get("uploaded_at"),
        })
    })
    .collect()
}

/// A document of this customer: (file name, type, content).
pub async fn content(
    pool: &PgPool,
    customer_id: i64,
    id: i64,
) -> Result<Option<(String, FileType, Vec<u8>)>, AppError> {
    let row = sqlx::query(
        "SELECT file_name, mime_type, content FROM documents WHERE id = $1 AND customer_id = $2",
    )
    .bind(id)
    .bind(customer_id)
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok((
            r.get("file_name"),
            parse_column(
                "documents.mime_type",
                r.get("mime_type"),
                FileType::parse_mime,
            )?,
            r.get("content"),
        ))
    })
    .transpose()
}
