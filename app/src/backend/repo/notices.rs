//! Who gets a household's notices by mail, and what each login turned off (issue 27 item 5).

use sqlx::{PgConnection, PgPool};

use crate::{domain::notices::NoticeKind, error::AppError};

/// The holder logins of a customer number that get a notice of kind `optional` by mail (all of
/// them for a notice that cannot be turned off): (login id, address).
pub async fn recipients(
    conn: &mut PgConnection,
    customer_id: i64,
    optional: Option<NoticeKind>,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT l.id, l.email FROM links k JOIN logins l ON l.id = k.login_id
          WHERE k.customer_id = $1 AND k.role = 'holder'
            AND ($2::text IS NULL OR NOT EXISTS (
                 SELECT 1 FROM notice_preferences p
                  WHERE p.login_id = l.id AND p.kind = $2 AND NOT p.by_mail))
          ORDER BY l.id",
    )
    .bind(customer_id)
    .bind(optional.map(NoticeKind::as_str))
    .fetch_all(&mut *conn)
    .await?)
}

/// The kinds a login turned off.
pub async fn turned_off(pool: &PgPool, login_id: i64) -> Result<Vec<NoticeKind>, AppError> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM notice_preferences WHERE login_id = $1 AND NOT by_mail",
    )
    .bind(login_id)
    .fetch_all(pool)
    .await?;
    Ok(kinds.iter().filter_map(|k| NoticeKind::parse(k)).collect())
}

/// Stores a login's choice for every kind, in one statement.
pub async fn save(
    pool: &PgPool,
    login_id: i64,
    choices: &[(NoticeKind, bool)],
) -> Result<(), AppError> {
    let kinds: Vec<&str> = choices.iter().map(|(k, _)| k.as_str()).collect();
    let by_mail: Vec<bool> = choices.iter().map(|(_, on)| *on).collect();
    sqlx::query(
        "INSERT INTO notice_preferences (login_id, kind, by_mail)
         SELECT $1, kind, by_mail FROM unnest($2::text[], $3::bool[]) AS c(kind, by_mail)
         ON CONFLICT (login_id, kind) DO UPDATE SET by_mail = EXCLUDED.by_mail",
    )
    .bind(login_id)
    .bind(&kinds)
    .bind(&by_mail)
    .execute(pool)
    .await?;
    Ok(())
}
