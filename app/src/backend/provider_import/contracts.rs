//! `PUT /provider/v1/contracts/{number}`: a contract (a line) of a customer number, its tariff,
//! status and, when sent, the set of options running on it.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{FieldError, Outcome, Refused, Upserted, customers};
use crate::{backend::repo::hosting, error::AppError};

/// A contract as the provider sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    pub number: String,
    /// The provider's customer number the contract belongs to.
    pub customer: String,
    pub service: String,
    pub phone_number: Option<String>,
    /// A tariff code of the catalogue, of the contract's service.
    pub tariff: Option<String>,
    /// `active`, `cancelled` or `taken_over`.
    pub status: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    /// The option codes running on the line; `None` leaves the options as they are.
    pub options: Option<Vec<String>>,
    /// Whether a hosting service renews at the end of its term (issue 28 item 5); `None`
    /// leaves it as it is.
    pub auto_renew: Option<bool>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: i64,
    customer_id: i64,
    provider_id: i64,
    service: String,
}

/// Creates or updates `contract` of `provider_id`. Options the set no longer names end
/// `today`; new ones start `today` (on the start date for a new contract).
pub async fn upsert(
    conn: &mut PgConnection,
    provider_id: i64,
    contract: &Contract,
    today: NaiveDate,
) -> Outcome {
    let Some((customer_id, segment)) =
        customers::find(conn, provider_id, &contract.customer).await?
    else {
        return Ok(Err(Refused::field(
            "customer",
            format!(
                "no customer {:?}: send it with PUT /provider/v1/customers/{{number}} first",
                contract.customer
            ),
        )));
    };
    let tariff_id = match &contract.tariff {
        None => None,
        Some(code) => {
            let found: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, service FROM tariffs WHERE provider_id = $1 AND code = $2",
            )
            .bind(provider_id)
            .bind(code)
            .fetch_optional(&mut *conn)
            .await?;
            match found {
                Some((id, service)) if service == contract.service => Some(id),
                Some(_) => {
                    return Ok(Err(Refused::field(
                        "tariff",
                        format!("tariff {code:?} is not for {}", contract.service),
                    )));
                }
                None => {
                    return Ok(Err(Refused::field(
                        "tariff",
                        format!("no tariff {code:?} in the catalogue"),
                    )));
                }
            }
        }
    };
    let option_ids = match &contract.options {
        None => None,
        Some(codes) => match option_ids(conn, provider_id, &contract.service, codes).await? {
            Ok(ids) => Some(ids),
            Err(problems) => return Ok(Err(Refused::Invalid(problems))),
        },
    };
    let stored: Option<Stored> = sqlx::query_as(
        "SELECT c.id, c.customer_id, cu.provider_id, c.service
           FROM contracts c JOIN customers cu ON cu.id = c.customer_id
          WHERE c.contract_number = $1
            FOR UPDATE OF c",
    )
    .bind(&contract.number)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(s) = &stored {
        let refusal = if s.provider_id != provider_id {
            Some("this contract number is taken: contract numbers are unique in the portal")
        } else if s.customer_id != customer_id {
            Some("a contract stays with its customer number: end it and send a new contract number")
        } else if s.service != contract.service {
            Some("a contract keeps its service: end it and send a new contract number")
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Ok(Err(Refused::Conflict(refusal)));
        }
    }
    // Written only when something differs, so "unchanged" is answered truthfully.
    let written: Option<(i64, bool)> = sqlx::query_as(
        "INSERT INTO contracts AS c (customer_id, contract_number, service, segment,
                                     phone_number, tariff_id, status, start_date, end_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (contract_number) DO UPDATE SET
             segment = EXCLUDED.segment, phone_number = EXCLUDED.phone_number,
             tariff_id = EXCLUDED.tariff_id, status = EXCLUDED.status,
             start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date
         WHERE (c.segment, c.phone_number, c.tariff_id, c.status, c.start_date, c.end_date)
               IS DISTINCT FROM
               (EXCLUDED.segment, EXCLUDED.phone_number, EXCLUDED.tariff_id, EXCLUDED.status,
                EXCLUDED.start_date, EXCLUDED.end_date)
         RETURNING id, xmax = 0",
    )
    .bind(customer_id)
    .bind(&contract.number)
    .bind(&contract.service)
    .bind(&segment)
    .bind(&contract.phone_number)
    .bind(tariff_id)
    .bind(&contract.status)
    .bind(contract.start_date)
    .bind(contract.end_date)
    .fetch_optional(&mut *conn)
    .await?;
    let (contract_id, created, mut changed) = match (written, stored) {
        (Some((id, created)), _) => (id, created, true),
        (None, Some(s)) => (s.id, false, false),
        (None, None) => return Err(AppError::internal("a new contract not written")),
    };
    if let Some(ids) = option_ids {
        let starts = if created { contract.start_date } else { today };
        let ended = sqlx::query(
            "UPDATE contract_options SET deactivated_on = GREATEST($3, activated_on)
              WHERE contract_id = $1 AND deactivated_on IS NULL AND option_id <> ALL($2)",
        )
        .bind(contract_id)
        .bind(&ids)
        .bind(today)
        .execute(&mut *conn)
        .await?;
        let started = sqlx::query(
            "INSERT INTO contract_options (contract_id, option_id, activated_on)
             SELECT $1, o, $3 FROM unnest($2::bigint[]) AS o
              WHERE NOT EXISTS (SELECT 1 FROM contract_options co
                                 WHERE co.contract_id = $1 AND co.option_id = o
                                   AND co.deactivated_on IS NULL)",
        )
        .bind(contract_id)
        .bind(&ids)
        .bind(starts)
        .execute(&mut *conn)
        .await?;
        changed |= ended.rows_affected() + started.rows_affected() > 0;
    }
    if let Some(auto_renew) = contract.auto_renew {
        match hosting::set_auto_renew(conn, contract_id, auto_renew).await? {
            Some(flipped) => changed |= flipped,
            None => {
                return Ok(Err(Refused::field(
                    "auto_renew",
                    "this contract has no hosting service to renew",
                )));
            }
        }
    }
    Ok(Ok(Upserted::of(created, changed)))
}

/// The ids of the option `codes` of `service`, or a problem per code that is not one.
async fn option_ids(
    conn: &mut PgConnection,
    provider_id: i64,
    service: &str,
    codes: &[String],
) -> Result<Result<Vec<i64>, Vec<FieldError>>, AppError> {
    let found: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT code, id, service FROM options WHERE provider_id = $1 AND code = ANY($2)",
    )
    .bind(provider_id)
    .bind(codes)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::with_capacity(codes.len());
    let mut problems = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match found.iter().find(|(c, _, _)| c == code) {
            Some((_, id, s)) if s == service => ids.push(*id),
            Some(_) => problems.push(FieldError::new(
                format!("options[{i}]"),
                format!("option {code:?} is not for {service}"),
            )),
            None => problems.push(FieldError::new(
                format!("options[{i}]"),
                format!("no option {code:?} in the catalogue"),
            )),
        }
    }
    Ok(if problems.is_empty() {
        Ok(ids)
    } else {
        Err(problems)
    })
}
