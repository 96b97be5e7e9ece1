//! Demo data (PRODUCT.md "Demo data"): the provider and its households, with dates relative to
//! "today" so the demo always looks current. Loading is idempotent: a provider that exists is
//! left as it is. Everything is written in one transaction.

pub mod hosting;
mod mobile_de;
pub mod satellite;
mod trio;

use chrono::NaiveDate;
use rust_decimal::{Decimal, dec};
use sqlx::{PgPool, Postgres, Transaction};

use app::{
    backend::{password, sealed::DataKeys},
    domain::billing::{line_text::LineText, numbering::Series},
};

use crate::BoxError;

pub use mobile_de::CONTRACT_PASSWORDS;
pub use trio::trio_expected_balance;

/// The demo provider's slug.
pub const PROVIDER_SLUG: &str = "lumen";

/// A demo login and what it shows.
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub household: &'static str,
}

/// The demo logins, printed by the run command.
pub const LOGINS: &[DemoLogin] = &[
    DemoLogin {
        email: trio::LOGIN_EMAIL,
        password: trio::LOGIN_PASSWORD,
        household: "Belgian Trio household (TV, internet, fixed line, mobile), holder of 100001",
    },
    DemoLogin {
        email: mobile_de::JONAS,
        password: mobile_de::PASSWORD,
        household: "German mobile: holder of 200001, user on 200002 and a legacy business line",
    },
    DemoLogin {
        email: mobile_de::ANNA,
        password: mobile_de::PASSWORD,
        household: "German mobile: holder of 200002, user of one line of 200001",
    },
    DemoLogin {
        email: mobile_de::MAX,
        password: mobile_de::PASSWORD,
        household: "German mobile: only a user link on 200001 (\"make me holder\")",
    },
    DemoLogin {
        email: mobile_de::LENA,
        password: mobile_de::PASSWORD,
        household: "German mobile: stale holder link to 200009 (only contract cancelled)",
    },
    DemoLogin {
        email: satellite::CAMILLE,
        password: satellite::PASSWORD,
        household: "Satellite, card autopay, mid-cycle: next invoice preview, plan change",
    },
    DemoLogin {
        email: satellite::RAFAEL,
        password: satellite::PASSWORD,
        household: "Satellite in Brazil, activates tomorrow: first invoice payable in 7 days",
    },
    DemoLogin {
        email: satellite::AWA,
        password: satellite::PASSWORD,
        household: "Satellite, mobile money: an invoice in \"action required\"",
    },
    DemoLogin {
        email: satellite::PETRA,
        password: satellite::PASSWORD,
        household: "Satellite, managed by an employer: no invoice preview",
    },
    DemoLogin {
        email: hosting::HANNAH,
        password: hosting::PASSWORD,
        household: "Hosting: a VPS halfway through its term (upgrade RAM 2 -> 8 GB: net 50.00), web hosting without upgrades",
    },
];

/// Prints the demo logins and the contract passwords used for linking.
pub fn print_logins() {
    println!("Demo logins:");
    for login in LOGINS {
        println!(
            "  {:<28} {:<16} {}",
            login.email, login.password, login.household
        );
    }
    println!("Contract passwords for linking (customer number / password):");
    for (number, password, what) in CONTRACT_PASSWORDS {
        println!("  {number} / {password:<18} {what}");
    }
}

/// Loads the demo provider and households unless the provider already exists.
/// Its IBANs are written in clear and sealed with `keys` before the billing run charges them.
pub async fn load(pool: &PgPool, today: NaiveDate, keys: &DataKeys) -> Result<(), BoxError> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM providers WHERE slug = $1)")
            .bind(PROVIDER_SLUG)
            .fetch_one(pool)
            .await?;
    if exists {
        // The provider keeps publishing technician windows as the days go by.
        let mut tx = pool.begin().await?;
        let provider_id: i64 = sqlx::query_scalar("SELECT id FROM providers WHERE slug = $1")
            .bind(PROVIDER_SLUG)
            .fetch_one(&mut *tx)
            .await?;
        publish_slots(&mut tx, provider_id, today).await?;
        tx.commit().await?;
        tracing::info!("demo data already present");
        bill(pool, today, keys).await?;
        return as_history(pool).await;
    }
    let mut tx = pool.begin().await?;
    let provider_id = provider(&mut tx).await?;
    publish_slots(&mut tx, provider_id, today).await?;
    trio::household(&mut tx, provider_id, today).await?;
    mobile_de::household(&mut tx, provider_id, today).await?;
    satellite::households(&mut tx, provider_id, today).await?;
    hosting::household(&mut tx, provider_id, today).await?;
    // The satellite usage is inserted with plain SQL: give its months their partitions.
    app::backend::repo::usage::adopt_default_rows(&mut tx).await?;
    tx.commit().await?;
    crate::seal_clear_values(pool, keys).await?;
    tracing::info!("demo data loaded");
    bill(pool, today, keys).await?;
    as_history(pool).await?;
    analyze(pool).await
}

/// The demo's invoices and inbox messages are history: none is announced or mailed as news
/// (issue 27). What the portal does after the start is.
async fn as_history(pool: &PgPool) -> Result<(), BoxError> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE invoices SET notified_at = now() WHERE notified_at IS NULL")
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE messages SET mailed_at = now() WHERE mailed_at IS NULL")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Gives the planner statistics for the freshly loaded demo tables (once: a restart finds them
/// there). Autovacuum analyses a table only after 50 changed rows and more, so most demo tables
/// would never get any: the planner then guesses hundreds of rows each and re-plans some
/// prepared statements on every call (issue 10: Home's alerts statement, 125 µs of planning a
/// page).
async fn analyze(pool: &PgPool) -> Result<(), BoxError> {
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// The billing run for today (B7), so that the satellite subscribers show their activation,
/// invoices and autopay from the first page on (the scheduled job repeats it).
async fn bill(pool: &PgPool, today: NaiveDate, keys: &DataKeys) -> Result<(), BoxError> {
    let gateway = app::backend::payment_gateway::Sandbox::beside(pool);
    let report = app::backend::billing::run(pool, &gateway, keys, today).await?;
    tracing::info!(%today, %report, "billing run for the demo");
    Ok(())
}

type Tx<'a> = Transaction<'a, Postgres>;

/// Technician windows (A2) from tomorrow to six weeks ahead, Monday to Saturday, three a day.
async fn publish_slots(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    sqlx::query(
        "INSERT INTO appointment_slots (provider_id, day, starts_at, ends_at)
         SELECT $1, d::date, w.starts_at, w.ends_at
           FROM generate_series($2::date + 1, $2::date + 42, interval '1 day') AS d,
                (VALUES (time '08:00', time '12:00'), (time '12:00', time '16:00'),
                        (time '16:00', time '20:00')) AS w (starts_at, ends_at)
          WHERE extract(isodow FROM d) < 7
         ON CONFLICT (provider_id, day, starts_at) DO NOTHING",
    )
    .bind(provider_id)
    .bind(today)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn provider(tx: &mut Tx<'_>) -> Result<i64, BoxError> {
    for (code, vat, first_due) in [
        ("BE", dec!(21), None),
        ("NL", dec!(21), None),
        ("DE", dec!(19), None),
        ("FR", dec!(20), None),
        ("BR", dec!(0), Some(7)),
    ] {
        sqlx::query(
            "INSERT INTO countries (code, vat_rate, first_invoice_due_days) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(code)
        .bind(vat)
        .bind(first_due)
        .execute(&mut **tx)
        .await?;
    }
    let id = sqlx::query_scalar(
        "INSERT INTO providers (slug, name, color_primary, color_accent, currency, default_language,
                                business_portal_url, business_registration_url, sales_url,
                                support_url, old_invoice_help_url, sepa_creditor_id)
         VALUES ($1, 'Lumen Telecom', '#0b5cad', '#b3261e', 'EUR', 'fr',
                 'https://business.lumen.example/', 'https://business.lumen.example/register',
                 'https://www.lumen.example/sales', 'https://www.lumen.example/support',
                 'https://www.lumen.example/help/old-invoice-layout', 'BE69ZZZ0123456789')
         RETURNING id",
    )
    .bind(PROVIDER_SLUG)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The next gapless number of `series` in `year` (the billing run takes them the same way).
async fn next_number(
    tx: &mut Tx<'_>,
    provider_id: i64,
    series: Series,
    year: i32,
) -> Result<String, BoxError> {
    Ok(app::backend::repo::billing::next_number(tx, provider_id, series, year).await?)
}

/// A tariff of the catalogue.
struct Tariff {
    code: &'static str,
    service: &'static str,
    name: &'static str,
    price: Decimal,
    data_gb: Option<i64>,
    /// Call minutes included; `None` is unlimited.
    minutes: Option<i32>,
}

async fn insert_tariff(tx: &mut Tx<'_>, provider_id: i64, t: &Tariff) -> Result<i64, BoxError> {
    let id = sqlx::query_scalar(
        "INSERT INTO tariffs (provider_id, code, service, name, monthly_price, currency,
                              data_allowance_bytes, overage_price_per_gb, minutes_allowance)
         VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8) RETURNING id",
    )
    .bind(provider_id)
    .bind(t.code)
    .bind(t.service)
    .bind(t.name)
    .bind(t.price)
    .bind(t.data_gb.map(|gb| gb * 1_000_000_000))
    .bind(t.data_gb.map(|_| dec!(2.00)))
    .bind(t.minutes)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A login with a hashed password.
async fn insert_login(
    tx: &mut Tx<'_>,
    provider_id: i64,
    email: &str,
    password: &str,
    language: &str,
) -> Result<i64, BoxError> {
    let hash = password::hash_now(password).map_err(|e| e.to_string())?;
    let id = sqlx::query_scalar(
        "INSERT INTO logins (provider_id, email, password_hash, language) VALUES ($1, $2, $3, $4)
         RETURNING id",
    )
    .bind(provider_id)
    .bind(email)
    .bind(hash)
    .bind(language)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// A holder link (`customer_id`) or a user link (`contract_id`).
async fn insert_link(
    tx: &mut Tx<'_>,
    login_id: i64,
    customer_id: Option<i64>,
    contract_id: Option<i64>,
) -> Result<(), BoxError> {
    let role = if customer_id.is_some() {
        "holder"
    } else {
        "user"
    };
    sqlx::query(
        "INSERT INTO links (login_id, role, customer_id, contract_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(login_id)
    .bind(role)
    .bind(customer_id)
    .bind(contract_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One invoice line: kind, description, contract, gross amount, and the text as kind and
/// parameters where the portal puts it into the reader's language (I2).
type Line = (&'static str, String, Option<i64>, Decimal, Option<LineText>);

/// An invoice (or a credit note correcting `corrects`) with its lines; the total is their sum.
#[allow(clippy::too_many_arguments)]
async fn insert_invoice(
    tx: &mut Tx<'_>,
    provider_id: i64,
    customer_id: i64,
    period: Option<(NaiveDate, NaiveDate)>,
    issue: NaiveDate,
    due: NaiveDate,
    status: &str,
    corrects: Option<i64>,
    vat_rate: Decimal,
    lines: &[Line],
) -> Result<(i64, String, Decimal), BoxError> {
    let series = if corrects.is_some() {
        Series::CreditNote
    } else {
        Series::Invoice
    };
    let number = next_number(tx, provider_id, series, chrono::Datelike::year(&issue)).await?;
    let total: Decimal = lines.iter().map(|l| l.3).sum();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, corrects_invoice_id,
                               issue_date, period_start, period_end, due_date, status, currency,
                               total)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'EUR', $11) RETURNING id",
    )
    .bind(provider_id)
    .bind(customer_id)
    .bind(if corrects.is_some() {
        "credit_note"
    } else {
        "invoice"
    })
    .bind(&number)
    .bind(corrects)
    .bind(issue)
    .bind(period.map(|p| p.0))
    .bind(period.map(|p| p.1))
    .bind(due)
    .bind(status)
    .bind(total)
    .fetch_one(&mut **tx)
    .await?;
    for (position, (kind, description, contract, amount, text)) in lines.iter().enumerate() {
        let text = text
            .as_ref()
            .map(app::backend::billing::stored_line_text)
            .transpose()
            .map_err(|err| format!("line text: {err}"))?;
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id,
                                        amount, vat_rate, line_text)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(i32::try_from(position + 1)?)
        .bind(kind)
        .bind(description)
        .bind(contract)
        .bind(amount)
        .bind(vat_rate)
        .bind(text)
        .execute(&mut **tx)
        .await?;
    }
    Ok((id, number, total))
}

/// A payment settling an invoice.
async fn insert_payment(
    tx: &mut Tx<'_>,
    invoice_id: i64,
    amount: Decimal,
    paid_on: NaiveDate,
    method: &str,
    reference: &str,
) -> Result<(), BoxError> {
    sqlx::query(
        "INSERT INTO payments (invoice_id, amount, paid_on, method, reference)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(invoice_id)
    .bind(amount)
    .bind(paid_on)
    .bind(method)
    .bind(reference)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A month and a half of usage of a line, deterministic per day (so the demo looks the same
/// whenever it is loaded): `kinds` says what the line produces. Records before `billed_until`
/// are billed on `invoice`; `premium_charge` puts one charged premium call in that billed part.
pub(super) struct UsagePlan {
    pub contract_id: i64,
    pub kinds: &'static [app::domain::account::UsageKind],
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub billed_until: NaiveDate,
    pub invoice: Option<i64>,
    pub premium_charge: Decimal,
    /// Megabytes per data session at most (a fixed line's box uses more than a phone).
    pub data_scale: u32,
}

pub(super) async fn insert_usage(tx: &mut Tx<'_>, plan: &UsagePlan) -> Result<u64, BoxError> {
    use app::{backend::repo::usage::NewUsage, domain::account::UsageKind};
    let mut records = Vec::new();
    let mut day = plan.from;
    let mut i: u32 = 0;
    let mut premium_done = false;
    while day <= plan.to {
        let billed = day < plan.billed_until;
        let invoice_id = if billed { plan.invoice } else { None };
        let at = |hour: u32, minute: u32| day.and_hms_opt(hour, minute, 0).ok_or("bad time");
        for kind in plan.kinds {
            let (count, hour) = match kind {
                UsageKind::Data => (2, 8),
                UsageKind::Call => (u32::from(!i.is_multiple_of(3)), 12),
                UsageKind::Sms => (1 + i % 2, 15),
                UsageKind::Mms => (u32::from(i.is_multiple_of(5)), 18),
                UsageKind::Premium => (u32::from(billed && !premium_done && i >= 10), 20),
            };
            for k in 0..count {
                let quantity = match kind {
                    UsageKind::Data => Decimal::from((i * 37 + k * 53) % plan.data_scale + 20),
                    UsageKind::Call | UsageKind::Premium => {
                        Decimal::new(i64::from((i * 7 + k * 3) % 24 + 1) * 25, 2)
                    }
                    UsageKind::Sms | UsageKind::Mms => Decimal::ONE,
                };
                let charge = if *kind == UsageKind::Premium {
                    premium_done = true;
                    plan.premium_charge
                } else {
                    Decimal::ZERO
                };
                let destination = match kind {
                    UsageKind::Data => None,
                    UsageKind::Premium => Some("+32 905 12 345".to_string()),
                    _ => Some(format!(
                        "+32 470 55 {:02} {:02}",
                        i % 100,
                        (i * 7 + k) % 100
                    )),
                };
                records.push(NewUsage {
                    contract_id: plan.contract_id,
                    kind: *kind,
                    started_at: at(hour + 2 * k, (i * 11 + k * 17) % 60)?,
                    quantity,
                    charge,
                    destination,
                    invoice_id,
                    record_id: None,
                });
            }
        }
        day = day.succ_opt().ok_or("date out of range")?;
        i += 1;
    }
    Ok(app::backend::repo::usage::ingest(tx, &records).await?)
}
