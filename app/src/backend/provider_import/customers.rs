//! `PUT /provider/v1/customers/{number}`: a customer number and its holder's details.

use sqlx::PgConnection;

use super::{Outcome, Refused, Upserted};

/// A customer as the provider sends it (checked for shape by the API layer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub number: String,
    /// `business` (L6: business history is kept once the number was business) or `private`.
    pub business: bool,
    /// ISO 3166 alpha-2, one of the countries the portal has VAT rules for.
    pub country: String,
    /// `de`, `fr`, `nl` or `en`: the household's language for mails and messages.
    pub language: String,
    pub first_name: String,
    pub last_name: String,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

/// Creates or updates `customer` of `provider_id`. `password_hash` is the new contract
/// password's hash (L3) when the provider sets or resets it, `None` to keep the stored one.
pub async fn upsert(
    conn: &mut PgConnection,
    provider_id: i64,
    customer: &Customer,
    password_hash: Option<&str>,
) -> Outcome {
    let known_country: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM countries WHERE code = $1)")
            .bind(&customer.country)
            .fetch_one(&mut *conn)
            .await?;
    if !known_country {
        return Ok(Err(Refused::field(
            "country",
            format!("the portal has no VAT rules for {:?}", customer.country),
        )));
    }
    // The row is written only when something differs (a new password always does: its hash
    // is salted), so "unchanged" is answered truthfully.
    let written: Option<bool> = sqlx::query_scalar(
        "INSERT INTO customers AS cu (provider_id, customer_number, segment, has_business_history,
                                      country, language, first_name, last_name, company_name,
                                      email, phone, street, postal_code, city,
                                      contract_password_hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (provider_id, customer_number) DO UPDATE SET
             segment = EXCLUDED.segment,
             has_business_history = cu.has_business_history OR EXCLUDED.has_business_history,
             country = EXCLUDED.country, language = EXCLUDED.language,
             first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
             company_name = EXCLUDED.company_name, email = EXCLUDED.email,
             phone = EXCLUDED.phone, street = EXCLUDED.street,
             postal_code = EXCLUDED.postal_code, city = EXCLUDED.city,
             contract_password_hash = COALESCE(EXCLUDED.contract_password_hash,
                                               cu.contract_password_hash)
         WHERE EXCLUDED.contract_password_hash IS NOT NULL
            OR (cu.segment, cu.has_business_history OR EXCLUDED.has_business_history, cu.country,
                cu.language, cu.first_name, cu.last_name, cu.company_name, cu.email, cu.phone,
                cu.street, cu.postal_code, cu.city)
               IS DISTINCT FROM
               (EXCLUDED.segment, cu.has_business_history, EXCLUDED.country,
                EXCLUDED.language, EXCLUDED.first_name, EXCLUDED.last_name,
                EXCLUDED.company_name, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.street,
                EXCLUDED.postal_code, EXCLUDED.city)
         RETURNING xmax = 0",
    )
    .bind(provider_id)
    .bind(&customer.number)
    .bind(if customer.business {
        "business"
    } else {
        "private"
    })
    .bind(customer.business)
    .bind(&customer.country)
    .bind(&customer.language)
    .bind(&customer.first_name)
    .bind(&customer.last_name)
    .bind(&customer.company_name)
    .bind(&customer.email)
    .bind(&customer.phone)
    .bind(&customer.street)
    .bind(&customer.postal_code)
    .bind(&customer.city)
    .bind(password_hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Ok(Upserted::from_written(written)))
}

/// The id and segment of `number` among `provider_id`'s customers.
pub async fn find(
    conn: &mut PgConnection,
    provider_id: i64,
    number: &str,
) -> Result<Option<(i64, String)>, crate::error::AppError> {
    Ok(sqlx::query_as(
        "SELECT id, segment FROM customers WHERE provider_id = $1 AND customer_number = $2",
    )
    .bind(provider_id)
    .bind(number)
    .fetch_optional(&mut *conn)
    .await?)
}
