//! The hosting household (PRODUCT.md "Demo data", X1–X4): a 12-month VPS with RAM, CPU and
//! disk options, halfway through a 366-day term so that the seed's example (100.00 → 200.00:
//! charge 100.00, credit 50.00, net 50.00) happens today, and a web hosting tariff without
//! upgrades.

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, dec};

use super::{Tx, insert_invoice, insert_link, insert_login, insert_payment};
use crate::BoxError;

/// The hosting login.
pub const HANNAH: &str = "hannah.vogel@example.de";
/// Its password.
pub const PASSWORD: &str = "Hosting-demo-2024";

type Names = [(&'static str, &'static str); 4];

/// One option of the VPS tariff: code, names, unit, values with their term prices, current.
struct Opt {
    code: &'static str,
    names: Names,
    unit: &'static str,
    values: &'static [(i32, Decimal)],
    current: i32,
}

const VPS_OPTIONS: [Opt; 3] = [
    Opt {
        code: "ram",
        names: [
            ("de", "Arbeitsspeicher"),
            ("en", "Memory (RAM)"),
            ("fr", "Mémoire vive"),
            ("nl", "Werkgeheugen"),
        ],
        unit: "GB",
        values: &[
            (2, dec!(20.00)),
            (4, dec!(60.00)),
            (8, dec!(120.00)),
            (16, dec!(200.00)),
        ],
        current: 2,
    },
    Opt {
        code: "cpu",
        names: [
            ("de", "Prozessorkerne"),
            ("en", "CPU cores"),
            ("fr", "Cœurs de processeur"),
            ("nl", "Processorkernen"),
        ],
        unit: "vCPU",
        values: &[(1, dec!(10.00)), (2, dec!(20.00)), (4, dec!(45.00))],
        current: 2,
    },
    Opt {
        code: "disk",
        names: [
            ("de", "SSD-Speicher"),
            ("en", "SSD storage"),
            ("fr", "Stockage SSD"),
            ("nl", "SSD-opslag"),
        ],
        unit: "GB",
        values: &[(50, dec!(20.00)), (100, dec!(40.00)), (200, dec!(80.00))],
        current: 50,
    },
];

fn shift(day: NaiveDate, days: i64) -> Result<NaiveDate, BoxError> {
    let moved = if days >= 0 {
        day.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        day.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.ok_or_else(|| "date out of range".into())
}

async fn tariff(
    tx: &mut Tx<'_>,
    provider_id: i64,
    code: &str,
    name: &str,
    term_price: Decimal,
    upgradable: bool,
) -> Result<i64, BoxError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO tariffs (provider_id, code, service, name, monthly_price, currency,
                              term_months, upgradable, term_price)
         VALUES ($1, $2, 'hosting', $3, 0, 'EUR', 12, $4, $5) RETURNING id",
    )
    .bind(provider_id)
    .bind(code)
    .bind(name)
    .bind(upgradable)
    .bind(term_price)
    .fetch_one(&mut **tx)
    .await?)
}

/// A hosting contract with its service row and the invoice of its term, paid.
#[allow(clippy::too_many_arguments)]
async fn service(
    tx: &mut Tx<'_>,
    provider_id: i64,
    customer_id: i64,
    number: &str,
    tariff_id: i64,
    hostname: &str,
    term: (NaiveDate, NaiveDate),
    price: Decimal,
    label: &str,
) -> Result<i64, BoxError> {
    let contract_id: i64 = sqlx::query_scalar(
        "INSERT INTO contracts (customer_id, contract_number, service, segment, tariff_id, status,
                                start_date)
         VALUES ($1, $2, 'hosting', 'private', $3, 'active', $4) RETURNING id",
    )
    .bind(customer_id)
    .bind(number)
    .bind(tariff_id)
    .bind(term.0)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO hosting_services (contract_id, hostname, term_start, term_end)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(contract_id)
    .bind(hostname)
    .bind(term.0)
    .bind(term.1)
    .execute(&mut **tx)
    .await?;
    let (invoice_id, _, total) = insert_invoice(
        tx,
        provider_id,
        customer_id,
        Some(term),
        term.0,
        term.0,
        "paid",
        None,
        dec!(19),
        &[(
            "recurring",
            label.to_string(),
            Some(contract_id),
            price,
            None,
        )],
    )
    .await?;
    insert_payment(tx, invoice_id, total, term.0, "card", "card •••• 4242").await?;
    Ok(contract_id)
}

/// Writes the hosting household.
pub async fn household(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    let vps_tariff = tariff(tx, provider_id, "VPS-12", "VPS Flex 12", dec!(40.00), true).await?;
    let web_tariff = tariff(
        tx,
        provider_id,
        "WEB-12",
        "Webhosting Basic 12",
        dec!(60.00),
        false,
    )
    .await?;
    let mut options = Vec::new();
    for (position, opt) in VPS_OPTIONS.iter().enumerate() {
        let names = serde_json::json!({
            opt.names[0].0: opt.names[0].1, opt.names[1].0: opt.names[1].1,
            opt.names[2].0: opt.names[2].1, opt.names[3].0: opt.names[3].1,
        });
        let option_id: i64 = sqlx::query_scalar(
            "INSERT INTO hosting_options (tariff_id, code, names, unit, position)
             VALUES ($1, $2, $3::jsonb, $4, $5) RETURNING id",
        )
        .bind(vps_tariff)
        .bind(opt.code)
        .bind(names.to_string())
        .bind(opt.unit)
        .bind(i32::try_from(position)?)
        .fetch_one(&mut **tx)
        .await?;
        for (value, price) in opt.values {
            sqlx::query(
                "INSERT INTO hosting_option_values (option_id, value, term_price) VALUES ($1, $2, $3)",
            )
            .bind(option_id)
            .bind(value)
            .bind(price)
            .execute(&mut **tx)
            .await?;
        }
        options.push((option_id, opt.current));
    }
    let customer_id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (provider_id, customer_number, segment, country, language,
                                first_name, last_name, email, phone, street, postal_code, city,
                                card_last4)
         VALUES ($1, '400001', 'private', 'DE', 'de', 'Hannah', 'Vogel', $2, '+49 160 5550123',
                 'Töpferstraße 7', '96450', 'Coburg', '4242')
         RETURNING id",
    )
    .bind(provider_id)
    .bind(HANNAH)
    .fetch_one(&mut **tx)
    .await?;
    // A 366-day term with 183 days left today: the seed's example, day for day.
    let vps_term = (shift(today, -183)?, shift(today, 182)?);
    let vps = service(
        tx,
        provider_id,
        customer_id,
        "400001-01",
        vps_tariff,
        "vps-4711.lumen-hosting.example",
        vps_term,
        dec!(100.00),
        "VPS Flex 12 (2 GB RAM, 2 vCPU, 50 GB SSD)",
    )
    .await?;
    for (option_id, value) in options {
        sqlx::query(
            "INSERT INTO hosting_config (contract_id, option_id, value) VALUES ($1, $2, $3)",
        )
        .bind(vps)
        .bind(option_id)
        .bind(value)
        .execute(&mut **tx)
        .await?;
    }
    let web_start = shift(today, -100)?;
    service(
        tx,
        provider_id,
        customer_id,
        "400001-02",
        web_tariff,
        "www.vogel-keramik.example",
        (web_start, shift(web_start, 364)?),
        dec!(60.00),
        "Webhosting Basic 12",
    )
    .await?;
    let login_id = insert_login(tx, provider_id, HANNAH, PASSWORD, "de").await?;
    insert_link(tx, login_id, Some(customer_id), None).await?;
    Ok(())
}
