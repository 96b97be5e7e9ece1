//! The inbox of a customer number (M2).

use sqlx::{PgConnection, PgPool};

use crate::error::AppError;

/// Messages shown at most (newest first).
pub const INBOX_SIZE: i64 = 50;

/// The language a household's inbox messages are written in (P4): the one its holder login
/// chose last (sign-in page, language switch), else the customer's stored language. An SQL
/// expression over the customer row `cu`.
pub const HOUSEHOLD_LANGUAGE: &str = "COALESCE(
    (SELECT l.language FROM links k JOIN logins l ON l.id = k.login_id
      WHERE k.customer_id = cu.id AND k.role = 'holder'
      ORDER BY l.language_chosen_at DESC, l.id DESC LIMIT 1),
    cu.language)";

/// A message as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    /// `provider`, `alert`, `linking_code`, `move_status` or `security`.
    pub kind: String,
    pub subject: String,
    pub body: String,
    /// UTC.
    pub received_at: chrono::NaiveDateTime,
    pub read: bool,
}

/// The newest messages of a customer number.
pub async fn latest(pool: &PgPool, customer_id: i64) -> Result<Vec<MessageRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, subject, body, created_at AT TIME ZONE 'UTC' AS received_at,
                read_at IS NOT NULL AS read
           FROM messages
          WHERE customer_id = $1
          ORDER BY created_at DESC, id DESC
          LIMIT $2",
    )
    .bind(customer_id)
    .bind(INBOX_SIZE)
    .fetch_all(pool)
    .await?)
}

/// Unread messages of a customer number (the navigation's count).
pub async fn unread(pool: &PgPool, customer_id: i64) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE customer_id = $1 AND read_at IS NULL",
    )
    .bind(customer_id)
    .fetch_one(pool)
    .await?)
}

/// Marks a message of the customer number read (once; reading again keeps the first time).
/// `false` when the message is not theirs.
pub async fn mark_read(pool: &PgPool, customer_id: i64, message_id: i64) -> Result<bool, AppError> {
    let done = sqlx::query(
        "UPDATE messages SET read_at = COALESCE(read_at, now())
          WHERE id = $1 AND customer_id = $2",
    )
    .bind(message_id)
    .bind(customer_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Puts a message of the product itself in a customer's inbox (in the caller's transaction).
pub async fn insert(
    conn: &mut PgConnection,
    customer_id: i64,
    kind: &str,
    subject: &str,
    body: &str,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO messages (customer_id, kind, subject, body) VALUES ($1, $2, $3, $4)")
        .bind(customer_id)
        .bind(kind)
        .bind(subject)
        .bind(body)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The language a customer number is written to in.
pub async fn language_of(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<crate::domain::lang::Lang, AppError> {
    let code: String = sqlx::query_scalar(&format!(
        "SELECT {HOUSEHOLD_LANGUAGE} FROM customers cu WHERE cu.id = $1"
    ))
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    super::parse_column(
        "household language",
        &code,
        crate::domain::lang::Lang::parse,
    )
}
