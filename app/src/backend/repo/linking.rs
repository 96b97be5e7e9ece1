//! Links with the facts the linking rules need (L1–L9), and plans applied in one transaction.

use crate::backend::events::{self, EventKind, Subject};
use sqlx::PgConnection;

use super::parse_column;
use crate::{
    domain::{
        account::ContractStatus,
        lang::Lang,
        linking::{ContractFacts, CustomerFacts, LinkFacts, Plan, Segment, Step},
    },
    error::AppError,
};

/// A contract's columns the linking rules read, with its number.
#[derive(sqlx::FromRow)]
struct ContractColumns {
    contract_id: i64,
    customer_id: i64,
    #[sqlx(try_from = "String")]
    segment: Segment,
    #[sqlx(try_from = "String")]
    status: ContractStatus,
    phone_number: Option<String>,
    tariff_name: Option<String>,
    contract_number: String,
}

impl ContractColumns {
    fn into_facts(self) -> (ContractFacts, String) {
        (
            ContractFacts {
                contract_id: self.contract_id,
                customer_id: self.customer_id,
                segment: self.segment,
                status: self.status,
                phone_number: self.phone_number,
                tariff_name: self.tariff_name,
            },
            self.contract_number,
        )
    }
}

/// A contract's columns with its customer number.
#[derive(sqlx::FromRow)]
struct ContractOfCustomer {
    #[sqlx(flatten)]
    contract: ContractColumns,
    customer_number: String,
}

/// A customer number's columns the linking rules read.
#[derive(sqlx::FromRow)]
struct CustomerColumns {
    customer_number: String,
    #[sqlx(try_from = "String")]
    segment: Segment,
    has_business_history: bool,
}

const CONTRACT_COLUMNS: &str = "ct.id AS contract_id, ct.customer_id, ct.segment, ct.status,
    ct.phone_number, t.name AS tariff_name, ct.contract_number";

/// The facts of a customer number, with each contract's number.
pub async fn customer_facts(
    conn: &mut PgConnection,
    customer_id: i64,
) -> Result<(CustomerFacts, String, Vec<String>), AppError> {
    let customer = sqlx::query_as::<_, CustomerColumns>(
        "SELECT customer_number, segment, has_business_history FROM customers WHERE id = $1",
    )
    .bind(customer_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let (contracts, numbers) = sqlx::query_as::<_, ContractColumns>(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts ct LEFT JOIN tariffs t ON t.id = ct.tariff_id
          WHERE ct.customer_id = $1 ORDER BY ct.contract_number"
    ))
    .bind(customer_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(ContractColumns::into_facts)
    .unzip();
    Ok((
        CustomerFacts {
            customer_id,
            segment: customer.segment,
            has_business_history: customer.has_business_history,
            contracts,
        },
        customer.customer_number,
        numbers,
    ))
}

/// The facts of one contract, with its number and its customer number.
pub async fn contract_facts_by_id(
    conn: &mut PgConnection,
    contract_id: i64,
) -> Result<(ContractFacts, String, String), AppError> {
    let row = sqlx::query_as::<_, ContractOfCustomer>(&format!(
        "SELECT {CONTRACT_COLUMNS}, c.customer_number
           FROM contracts ct JOIN customers c ON c.id = ct.customer_id
           LEFT JOIN tariffs t ON t.id = ct.tariff_id
          WHERE ct.id = $1"
    ))
    .bind(contract_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let (facts, number) = row.contract.into_facts();
    Ok((facts, number, row.customer_number))
}

/// A link of a login: the facts the linking rules need, with the numbers the page shows.
#[derive(Debug, Clone)]
pub struct LinkEntry {
    pub facts: LinkFacts,
    pub customer_number: String,
    /// The contract numbers, in the order of the facts' contracts.
    pub contract_numbers: Vec<String>,
}

/// Every link of a login, with its facts and numbers.
pub async fn links_of(conn: &mut PgConnection, login_id: i64) -> Result<Vec<LinkEntry>, AppError> {
    let rows: Vec<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT id, role, customer_id, contract_id FROM links WHERE login_id = $1 ORDER BY id",
    )
    .bind(login_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (link_id, role, customer_id, contract_id) in rows {
        match (role.as_str(), customer_id, contract_id) {
            ("holder", Some(customer_id), None) => {
                let (customer, customer_number, contract_numbers) =
                    customer_facts(conn, customer_id).await?;
                out.push(LinkEntry {
                    facts: LinkFacts::Holder { link_id, customer },
                    customer_number,
                    contract_numbers,
                });
            }
            ("user", None, Some(contract_id)) => {
                let (contract, number, customer_number) =
                    contract_facts_by_id(conn, contract_id).await?;
                out.push(LinkEntry {
                    facts: LinkFacts::User { link_id, contract },
                    customer_number,
                    contract_numbers: vec![number],
                });
            }
            _ => return parse_column("links.role", &role, |_| None),
        }
    }
    Ok(out)
}

/// The facts of every link of a login, for the linking rules.
pub async fn link_facts(
    conn: &mut PgConnection,
    login_id: i64,
) -> Result<Vec<LinkFacts>, AppError> {
    Ok(links_of(conn, login_id)
        .await?
        .into_iter()
        .map(|entry| entry.facts)
        .collect())
}

/// The customer with this number at the provider, with its contract password hash.
pub async fn customer_by_number(
    conn: &mut PgConnection,
    provider_id: i64,
    customer_number: &str,
) -> Result<Option<(i64, Option<String>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, contract_password_hash FROM customers
          WHERE provider_id = $1 AND customer_number = $2",
    )
    .bind(provider_id)
    .bind(customer_number)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Serialises link changes of one login: the rules are decided and applied under this lock.
/// `NO KEY UPDATE` still lets rows that reference the login (failed attempts, recorded on
/// another connection) be inserted meanwhile.
async fn lock_login(conn: &mut PgConnection, login_id: i64) -> Result<(), AppError> {
    sqlx::query("SELECT id FROM logins WHERE id = $1 FOR NO KEY UPDATE")
        .bind(login_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Begins a linking transaction with the login locked (see `lock_login`).
pub async fn begin_locked(
    pool: &sqlx::PgPool,
    login_id: i64,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, AppError> {
    let mut tx = pool.begin().await?;
    lock_login(&mut tx, login_id).await?;
    Ok(tx)
}

/// Applies the steps of a plan in order (inside the caller's transaction).
pub async fn apply_plan(
    conn: &mut PgConnection,
    login_id: i64,
    plan: &Plan,
) -> Result<(), AppError> {
    for step in &plan.steps {
        match *step {
            Step::DeleteLink { link_id } => {
                let deleted: Option<(String, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "DELETE FROM links WHERE id = $1 AND login_id = $2
                     RETURNING role, customer_id, contract_id",
                )
                .bind(link_id)
                .bind(login_id)
                .fetch_optional(&mut *conn)
                .await?;
                let Some((role, customer_id, contract_id)) = deleted else {
                    return Err(AppError::NotFound);
                };
                link_event(
                    conn,
                    EventKind::LinkDeleted,
                    &role,
                    customer_id,
                    contract_id,
                )
                .await?;
            }
            Step::CreateHolder { customer_id } => {
                sqlx::query(
                    "INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'holder', $2)",
                )
                .bind(login_id)
                .bind(customer_id)
                .execute(&mut *conn)
                .await?;
                link_event(
                    conn,
                    EventKind::LinkCreated,
                    "holder",
                    Some(customer_id),
                    None,
                )
                .await?;
            }
            Step::CreateUser { contract_id } => {
                sqlx::query(
                    "INSERT INTO links (login_id, role, contract_id) VALUES ($1, 'user', $2)",
                )
                .bind(login_id)
                .bind(contract_id)
                .execute(&mut *conn)
                .await?;
                link_event(
                    conn,
                    EventKind::LinkCreated,
                    "user",
                    None,
                    Some(contract_id),
                )
                .await?;
            }
        }
    }
    Ok(())
}

/// The provider's event of a link made or deleted: a holder link is the customer's, a user
/// link names the line it opens.
async fn link_event(
    conn: &mut PgConnection,
    kind: EventKind,
    role: &str,
    customer_id: Option<i64>,
    contract_id: Option<i64>,
) -> Result<(), AppError> {
    match (customer_id, contract_id) {
        (Some(customer_id), _) => {
            events::record(
                conn,
                Subject::Customer(customer_id),
                kind,
                serde_json::json!({ "role": role }),
            )
            .await
        }
        (None, Some(contract_id)) => {
            let number: String =
                sqlx::query_scalar("SELECT contract_number FROM contracts WHERE id = $1")
                    .bind(contract_id)
                    .fetch_one(&mut *conn)
                    .await?;
            events::record(
                conn,
                Subject::Contract(contract_id),
                kind,
                serde_json::json!({ "role": role, "contract": number }),
            )
            .await
        }
        (None, None) => Err(AppError::internal("a link without a target")),
    }
}

/// Records a failed proof (wrong contract password or SMS code) of a login against `target`
/// (the customer number or the normalised phone number tried). Written outside the linking
/// transaction, so that it counts although that transaction is rolled back. Answers the
/// target's unreleased failures in the last `target_hours`, this one included (1 without a
/// target: a failure that guessed nothing, counted per login only).
pub async fn record_failed_attempt(
    pool: &sqlx::PgPool,
    login_id: i64,
    kind: &str,
    target: Option<&str>,
    target_hours: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "WITH recorded AS (
             INSERT INTO link_attempts (login_id, kind, target) VALUES ($1, $2, $3)
         )
         SELECT count(*) + 1 FROM link_attempts
          WHERE kind = $2 AND target = $3 AND NOT released
            AND created_at > now() - make_interval(hours => $4)",
    )
    .bind(login_id)
    .bind(kind)
    .bind(target)
    .bind(target_hours)
    .fetch_one(pool)
    .await?)
}

/// Failed proofs of this kind in the last `minutes`.
pub async fn recent_failed_attempts(
    conn: &mut PgConnection,
    login_id: i64,
    kind: &str,
    minutes: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM link_attempts
          WHERE login_id = $1 AND kind = $2 AND created_at > now() - make_interval(mins => $3)",
    )
    .bind(login_id)
    .bind(kind)
    .bind(minutes)
    .fetch_one(&mut *conn)
    .await?)
}

/// Unreleased failed proofs of this kind against `target`, from any login, in the last `hours`.
pub async fn target_failures(
    conn: &mut PgConnection,
    kind: &str,
    target: &str,
    hours: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM link_attempts
          WHERE kind = $1 AND target = $2 AND NOT released
            AND created_at > now() - make_interval(hours => $3)",
    )
    .bind(kind)
    .bind(target)
    .bind(hours)
    .fetch_one(&mut *conn)
    .await?)
}

/// The targets of a customer: its customer number (contract passwords) and the normalised
/// phone numbers of its lines (codes), as `(kind, target)` conditions on `link_attempts a`.
const TARGETS_OF_CUSTOMER: &str = "(
    (a.kind = 'contract_password'
        AND a.target = (SELECT customer_number FROM customers WHERE id = $1))
    OR (a.kind = 'sms_code' AND a.target IN (
        SELECT regexp_replace(phone_number, '[^0-9+]', '', 'g') FROM contracts
         WHERE customer_id = $1 AND phone_number IS NOT NULL)))";

/// Whether linking the customer's number or one of its lines is paused: `max` unreleased
/// failures against one of its targets in the last `hours`.
pub async fn customer_paused(
    conn: &mut PgConnection,
    customer_id: i64,
    max: i64,
    hours: i32,
) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (
             SELECT 1 FROM link_attempts a
              WHERE {TARGETS_OF_CUSTOMER} AND NOT a.released
                AND a.created_at > now() - make_interval(hours => $3)
              GROUP BY a.kind, a.target HAVING count(*) >= $2)"
    ))
    .bind(customer_id)
    .bind(max)
    .bind(hours)
    .fetch_one(&mut *conn)
    .await?)
}

/// Releases every failure against the customer's targets: linking them is open again (the
/// per-login counts still see them). Answers how many were released.
pub async fn release_customer(conn: &mut PgConnection, customer_id: i64) -> Result<u64, AppError> {
    let done = sqlx::query(&format!(
        "UPDATE link_attempts a SET released = true WHERE {TARGETS_OF_CUSTOMER} AND NOT a.released"
    ))
    .bind(customer_id)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// The customer a contract belongs to.
pub async fn customer_of_contract(
    conn: &mut PgConnection,
    contract_id: i64,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("SELECT customer_id FROM contracts WHERE id = $1")
            .bind(contract_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// The provider's business portal and its registration page (L5, L9).
pub async fn business_portal(
    conn: &mut PgConnection,
    provider_id: i64,
) -> Result<(String, String), AppError> {
    Ok(sqlx::query_as(
        "SELECT business_portal_url, business_registration_url FROM providers WHERE id = $1",
    )
    .bind(provider_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// The contract with this phone number (compared in the normalised `+<digits>` form) at the
/// provider, if any.
pub async fn contract_by_phone(
    conn: &mut PgConnection,
    provider_id: i64,
    phone_number: &str,
) -> Result<Option<i64>, AppError> {
    // Several contracts may have carried the number over time: the active one wins, then the
    // newest.
    Ok(sqlx::query_scalar(
        "SELECT ct.id FROM contracts ct JOIN customers c ON c.id = ct.customer_id
          WHERE c.provider_id = $1
            AND regexp_replace(ct.phone_number, '[^0-9+]', '', 'g') = $2
            AND ct.phone_number IS NOT NULL
          ORDER BY ct.status = 'active' DESC, ct.start_date DESC, ct.id DESC
          LIMIT 1",
    )
    .bind(provider_id)
    .bind(phone_number)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Codes requested by a login in the last `minutes`.
pub async fn recent_code_requests(
    conn: &mut PgConnection,
    login_id: i64,
    minutes: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM link_codes
          WHERE login_id = $1 AND created_at > now() - make_interval(mins => $2)",
    )
    .bind(login_id)
    .bind(minutes)
    .fetch_one(&mut *conn)
    .await?)
}

/// Stores a new code for (login, contract), retiring the login's earlier unused codes for that
/// contract, and queues its SMS, in the caller's transaction.
pub async fn create_code(
    conn: &mut PgConnection,
    login_id: i64,
    contract_id: i64,
    code_hash: &[u8],
    ttl_minutes: i32,
    language: Lang,
    sms_body: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE link_codes SET used_at = now()
          WHERE login_id = $1 AND contract_id = $2 AND used_at IS NULL",
    )
    .bind(login_id)
    .bind(contract_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO link_codes (login_id, contract_id, code_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
    )
    .bind(login_id)
    .bind(contract_id)
    .bind(code_hash)
    .bind(ttl_minutes)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO sms_outbox (customer_id, phone_number, body, language)
         SELECT customer_id, phone_number, $2, $3 FROM contracts WHERE id = $1",
    )
    .bind(contract_id)
    .bind(sms_body)
    .bind(language.code())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The login's live code for a contract: unused, not expired, with wrong entries left.
pub async fn live_code(
    conn: &mut PgConnection,
    login_id: i64,
    contract_id: i64,
    max_attempts: i32,
) -> Result<Option<(i64, Vec<u8>)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, code_hash FROM link_codes
          WHERE login_id = $1 AND contract_id = $2 AND used_at IS NULL
            AND expires_at > now() AND attempts < $3
          ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(login_id)
    .bind(contract_id)
    .bind(max_attempts)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Counts a wrong entry against a code, outside the caller's transaction (like
/// `record_failed_attempt`), so it counts although that transaction is rolled back.
pub async fn count_code_attempt(pool: &sqlx::PgPool, code_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE link_codes SET attempts = attempts + 1 WHERE id = $1")
        .bind(code_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Marks a code used, in the caller's transaction: it fails (`false`) when it was used meanwhile.
pub async fn use_code(conn: &mut PgConnection, code_id: i64) -> Result<bool, AppError> {
    let done =
        sqlx::query("UPDATE link_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL")
            .bind(code_id)
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}
