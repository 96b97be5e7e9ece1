//! Contact data of a customer (M1) and the record of its changes.

use chrono::NaiveDateTime;
use sqlx::{PgConnection, PgPool};

use crate::{
    domain::contact::{Contact, FieldChange},
    error::AppError,
};

const CONTACT_COLUMNS: &str =
    "first_name, last_name, email, phone, street, postal_code, city, trim(country) AS country";

/// A customer's contact columns, with the country their postal code is checked for.
#[derive(sqlx::FromRow)]
struct ContactRow {
    first_name: String,
    last_name: String,
    email: String,
    phone: Option<String>,
    street: String,
    postal_code: String,
    city: String,
    country: String,
}

impl ContactRow {
    fn into_parts(self) -> (Contact, String) {
        (
            Contact {
                first_name: self.first_name,
                last_name: self.last_name,
                email: self.email,
                phone: self.phone,
                street: self.street,
                postal_code: self.postal_code,
                city: self.city,
            },
            self.country,
        )
    }
}

/// The contact data and the country of a customer.
pub async fn read(pool: &PgPool, customer_id: i64) -> Result<(Contact, String), AppError> {
    let row = sqlx::query_as::<_, ContactRow>(&format!(
        "SELECT {CONTACT_COLUMNS} FROM customers WHERE id = $1"
    ))
    .bind(customer_id)
    .fetch_one(pool)
    .await?;
    Ok(row.into_parts())
}

/// The same, with the customer row locked for the change that follows (in a transaction).
pub async fn lock(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<(Contact, String), AppError> {
    let row = sqlx::query_as::<_, ContactRow>(&format!(
        "SELECT {CONTACT_COLUMNS} FROM customers WHERE id = $1 FOR UPDATE"
    ))
    .bind(customer_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.into_parts())
}

/// Writes the new contact data and the record of what changed (same transaction).
pub async fn update(
    conn: &mut PgConnection,
    customer_id: i64,
    login_id: i64,
    contact: &Contact,
    changes: &[FieldChange],
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE customers
            SET first_name = $2, last_name = $3, email = $4, phone = $5, street = $6,
                postal_code = $7, city = $8
          WHERE id = $1",
    )
    .bind(customer_id)
    .bind(&contact.first_name)
    .bind(&contact.last_name)
    .bind(&contact.email)
    .bind(&contact.phone)
    .bind(&contact.street)
    .bind(&contact.postal_code)
    .bind(&contact.city)
    .execute(&mut *conn)
    .await?;
    let fields: Vec<&str> = changes.iter().map(|c| c.field).collect();
    let olds: Vec<Option<String>> = changes.iter().map(|c| c.old.clone()).collect();
    let news: Vec<Option<String>> = changes.iter().map(|c| c.new.clone()).collect();
    sqlx::query(
        "INSERT INTO contact_changes (customer_id, login_id, changes)
         SELECT $1, $2, jsonb_object_agg(f, jsonb_build_object('old', o, 'new', n))
           FROM unnest($3::text[], $4::text[], $5::text[]) AS u (f, o, n)",
    )
    .bind(customer_id)
    .bind(login_id)
    .bind(&fields)
    .bind(&olds)
    .bind(&news)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The latest change: when (UTC), by which login (its email, if it still exists), and the
/// names of the changed fields.
pub async fn last_change(
    pool: &PgPool,
    customer_id: i64,
) -> Result<Option<(NaiveDateTime, Option<String>, Vec<String>)>, AppError> {
    let row: Option<(chrono::DateTime<chrono::Utc>, Option<String>, Vec<String>)> = sqlx::query_as(
        "SELECT cc.changed_at, l.email,
                ARRAY(SELECT jsonb_object_keys(cc.changes)) AS fields
           FROM contact_changes cc LEFT JOIN logins l ON l.id = cc.login_id
          WHERE cc.customer_id = $1
          ORDER BY cc.changed_at DESC, cc.id DESC LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(at, email, fields)| (at.naive_utc(), email, fields)))
}
