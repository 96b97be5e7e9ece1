//! Demo data (PRODUCT.md "Demo data"): the provider and its households, with dates relative to
//! "today" so the demo always looks current. Loading is idempotent: a provider that exists is
//! left as it is.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::{Decimal, dec};
use sqlx::{PgPool, Postgres, Transaction};

use app::backend::password;

use crate::BoxError;

/// The demo provider's slug.
pub const PROVIDER_SLUG: &str = "lumen";

/// A demo login and what it shows.
pub struct DemoLogin {
    pub email: &'static str,
    pub password: &'static str,
    pub household: &'static str,
}

/// The demo logins, printed by the run command.
pub const LOGINS: &[DemoLogin] = &[DemoLogin {
    email: "claire.dubois@example.be",
    password: "Trio-demo-2024",
    household: "Belgian Trio household (TV, internet, fixed line, mobile), holder of 100001",
}];

/// Prints the demo logins.
pub fn print_logins() {
    println!("Demo logins:");
    for login in LOGINS {
        println!(
            "  {:<28} {:<16} {}",
            login.email, login.password, login.household
        );
    }
}

/// Loads the demo provider and households unless the provider already exists.
pub async fn load(pool: &PgPool, today: NaiveDate) -> Result<(), BoxError> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM providers WHERE slug = $1)")
            .bind(PROVIDER_SLUG)
            .fetch_one(pool)
            .await?;
    if exists {
        tracing::info!("demo data already present");
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    let provider_id = provider(&mut tx).await?;
    trio_household(&mut tx, provider_id, today).await?;
    tx.commit().await?;
    tracing::info!("demo data loaded");
    Ok(())
}

type Tx<'a> = Transaction<'a, Postgres>;

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

struct Tariff {
    code: &'static str,
    service: &'static str,
    name: &'static str,
    price: Decimal,
    data_gb: Option<i64>,
}

const TRIO_TARIFFS: [Tariff; 4] = [
    Tariff {
        code: "TRIO-TV",
        service: "tv",
        name: "Trio TV",
        price: dec!(22.00),
        data_gb: None,
    },
    Tariff {
        code: "TRIO-NET",
        service: "internet",
        name: "Trio Internet 200",
        price: dec!(38.00),
        data_gb: Some(500),
    },
    Tariff {
        code: "TRIO-FIX",
        service: "fixed",
        name: "Trio Fixed",
        price: dec!(9.00),
        data_gb: None,
    },
    Tariff {
        code: "MOB-10",
        service: "mobile",
        name: "Mobile 10 GB",
        price: dec!(15.00),
        data_gb: Some(10),
    },
];

struct OptionDef {
    code: &'static str,
    service: &'static str,
    names: [&'static str; 4], // de, fr, nl, en
    price: Decimal,
    active_for_trio: bool,
}

const OPTIONS: [OptionDef; 8] = [
    OptionDef {
        code: "TV-SPORT",
        service: "tv",
        names: [
            "Sport-Paket",
            "Bouquet Sport",
            "Sportpakket",
            "Sport bouquet",
        ],
        price: dec!(9.99),
        active_for_trio: true,
    },
    OptionDef {
        code: "TV-DECODER",
        service: "tv",
        names: [
            "Zusätzlicher Decoder",
            "Décodeur supplémentaire",
            "Extra decoder",
            "Additional decoder",
        ],
        price: dec!(5.00),
        active_for_trio: false,
    },
    OptionDef {
        code: "NET-MAILBOX",
        service: "internet",
        names: [
            "Zusätzliches Postfach",
            "Boîte mail supplémentaire",
            "Extra mailbox",
            "Extra mailbox",
        ],
        price: dec!(1.50),
        active_for_trio: true,
    },
    OptionDef {
        code: "NET-DATA100",
        service: "internet",
        names: [
            "Datenoption 100 GB",
            "Option data 100 GB",
            "Data-optie 100 GB",
            "Data option 100 GB",
        ],
        price: dec!(5.00),
        active_for_trio: false,
    },
    OptionDef {
        code: "FIX-PEAK",
        service: "fixed",
        names: [
            "Gratis Anrufe zur Hauptzeit",
            "Appels gratuits en heures pleines",
            "Gratis bellen tijdens piekuren",
            "Free calls at peak hours",
        ],
        price: dec!(5.00),
        active_for_trio: true,
    },
    OptionDef {
        code: "FIX-BARRING",
        service: "fixed",
        names: [
            "Anrufsperre",
            "Restriction d'appels",
            "Oproepblokkering",
            "Call barring",
        ],
        price: dec!(0.00),
        active_for_trio: false,
    },
    OptionDef {
        code: "MOB-DATA5",
        service: "mobile",
        names: ["Daten +5 GB", "Data +5 GB", "Data +5 GB", "Data +5 GB"],
        price: dec!(5.00),
        active_for_trio: true,
    },
    OptionDef {
        code: "MOB-UNLIMITED",
        service: "mobile",
        names: [
            "Unbegrenzt telefonieren",
            "Appels illimités",
            "Onbeperkt bellen",
            "Unlimited calls",
        ],
        price: dec!(10.00),
        active_for_trio: false,
    },
];

/// The first day of the cycle containing `today` for a cycle anchored on `anchor_day` (≤ 28).
fn cycle_start(today: NaiveDate, anchor_day: u32) -> NaiveDate {
    let this_month = today.with_day(anchor_day).unwrap_or(today);
    if today.day() >= anchor_day {
        this_month
    } else {
        this_month
            .checked_sub_months(Months::new(1))
            .unwrap_or(this_month)
    }
}

/// The usage charge outside the bundle on the Trio invoice of month `i` (deterministic, so
/// the demo's figures do not depend on the day it is loaded).
fn trio_usage_charge(i: u32) -> Decimal {
    Decimal::new(i64::from((i * 37 + 11) % 600), 2)
}

/// Total of the recurring part of a Trio invoice: tariffs plus active options.
fn trio_recurring_total() -> Decimal {
    TRIO_TARIFFS.iter().map(|t| t.price).sum::<Decimal>()
        + OPTIONS
            .iter()
            .filter(|o| o.active_for_trio)
            .map(|o| o.price)
            .sum::<Decimal>()
}

/// The Trio household's open balance: the last invoice is open, a credit note of 12.40
/// is not yet settled; everything else is paid.
pub fn trio_expected_balance() -> Decimal {
    trio_recurring_total() + trio_usage_charge(TRIO_MONTHS - 1) - TRIO_CREDIT
}

const TRIO_MONTHS: u32 = 14;
const TRIO_CREDIT: Decimal = dec!(12.40);
const BE_VAT: Decimal = dec!(21);

async fn next_number(
    tx: &mut Tx<'_>,
    provider_id: i64,
    series: &str,
    year: i32,
) -> Result<String, BoxError> {
    let value: i64 = sqlx::query_scalar(
        "INSERT INTO invoice_number_series (provider_id, series, year, next_value)
         VALUES ($1, $2, $3, 2)
         ON CONFLICT (provider_id, series, year)
         DO UPDATE SET next_value = invoice_number_series.next_value + 1
         RETURNING next_value - 1",
    )
    .bind(provider_id)
    .bind(series)
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    Ok(match series {
        "credit_note" => format!("CN-{year}-{value:06}"),
        _ => format!("{year}-{value:06}"),
    })
}

async fn trio_household(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    let latest_cycle = cycle_start(today, 5);
    let first_cycle = latest_cycle
        .checked_sub_months(Months::new(TRIO_MONTHS - 1))
        .ok_or("date out of range")?;

    let mut tariff_ids = Vec::new();
    for t in &TRIO_TARIFFS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tariffs (provider_id, code, service, name, monthly_price, currency,
                                  data_allowance_bytes, overage_price_per_gb)
             VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7) RETURNING id",
        )
        .bind(provider_id)
        .bind(t.code)
        .bind(t.service)
        .bind(t.name)
        .bind(t.price)
        .bind(t.data_gb.map(|gb| gb * 1_000_000_000))
        .bind(t.data_gb.map(|_| dec!(2.00)))
        .fetch_one(&mut **tx)
        .await?;
        tariff_ids.push(id);
    }
    let mut option_ids = Vec::new();
    for o in &OPTIONS {
        let names = serde_json::json!({
            "de": o.names[0], "fr": o.names[1], "nl": o.names[2], "en": o.names[3]
        });
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO options (provider_id, code, service, names, monthly_price, currency)
             VALUES ($1, $2, $3, $4, $5, 'EUR') RETURNING id",
        )
        .bind(provider_id)
        .bind(o.code)
        .bind(o.service)
        .bind(names)
        .bind(o.price)
        .fetch_one(&mut **tx)
        .await?;
        option_ids.push(id);
    }

    let contract_password = password::hash_now("Trio-100001").map_err(|e| e.to_string())?;
    let customer_id: i64 = sqlx::query_scalar(
        "INSERT INTO customers (provider_id, customer_number, segment, country, language,
                                first_name, last_name, email, phone, street, postal_code, city,
                                contract_password_hash)
         VALUES ($1, '100001', 'private', 'BE', 'fr', 'Claire', 'Dubois',
                 'claire.dubois@example.be', '+32 470 12 34 56', 'Rue des Tilleuls 12',
                 '4000', 'Liège', $2)
         RETURNING id",
    )
    .bind(provider_id)
    .bind(contract_password)
    .fetch_one(&mut **tx)
    .await?;

    let phones = [
        None,
        None,
        Some("+32 4 221 43 87"),
        Some("+32 470 12 34 56"),
    ];
    let mut contract_ids = Vec::new();
    for (i, t) in TRIO_TARIFFS.iter().enumerate() {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contracts (customer_id, contract_number, service, segment, phone_number,
                                    tariff_id, status, start_date)
             VALUES ($1, $2, $3, 'private', $4, $5, 'active', $6) RETURNING id",
        )
        .bind(customer_id)
        .bind(format!("100001-{:02}", i + 1))
        .bind(t.service)
        .bind(phones[i])
        .bind(tariff_ids[i])
        .bind(first_cycle)
        .fetch_one(&mut **tx)
        .await?;
        contract_ids.push(id);
    }
    for (o, option_id) in OPTIONS.iter().zip(&option_ids) {
        if !o.active_for_trio {
            continue;
        }
        let index = TRIO_TARIFFS
            .iter()
            .position(|t| t.service == o.service)
            .ok_or("option without contract")?;
        sqlx::query(
            "INSERT INTO contract_options (contract_id, option_id, activated_on) VALUES ($1, $2, $3)",
        )
        .bind(contract_ids[index])
        .bind(option_id)
        .bind(first_cycle)
        .execute(&mut **tx)
        .await?;
    }

    let login_hash = password::hash_now(LOGINS[0].password).map_err(|e| e.to_string())?;
    let login_id: i64 = sqlx::query_scalar(
        "INSERT INTO logins (provider_id, email, password_hash, language) VALUES ($1, $2, $3, 'fr')
         RETURNING id",
    )
    .bind(provider_id)
    .bind(LOGINS[0].email)
    .bind(login_hash)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("INSERT INTO links (login_id, role, customer_id) VALUES ($1, 'holder', $2)")
        .bind(login_id)
        .bind(customer_id)
        .execute(&mut **tx)
        .await?;

    let mut invoice_ids = Vec::new();
    for i in 0..TRIO_MONTHS {
        let start = first_cycle
            .checked_add_months(Months::new(i))
            .ok_or("date out of range")?;
        let end = start
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .ok_or("date out of range")?;
        let due = start + chrono::Days::new(14);
        let latest = i == TRIO_MONTHS - 1;
        let mut lines: Vec<(&str, String, Option<i64>, Decimal)> = Vec::new();
        for (t, contract) in TRIO_TARIFFS.iter().zip(&contract_ids) {
            lines.push(("recurring", t.name.to_string(), Some(*contract), t.price));
        }
        for o in OPTIONS.iter().filter(|o| o.active_for_trio) {
            let index = TRIO_TARIFFS
                .iter()
                .position(|t| t.service == o.service)
                .ok_or("option without contract")?;
            lines.push((
                "option",
                o.names[1].to_string(),
                Some(contract_ids[index]),
                o.price,
            ));
        }
        lines.push((
            "usage",
            "Appels hors forfait".to_string(),
            Some(contract_ids[2]),
            trio_usage_charge(i),
        ));
        let total: Decimal = lines.iter().map(|l| l.3).sum();
        let number = next_number(tx, provider_id, "invoice", start.year()).await?;
        let invoice_id: i64 = sqlx::query_scalar(
            "INSERT INTO invoices (provider_id, customer_id, kind, number, issue_date, period_start,
                                   period_end, due_date, status, currency, total)
             VALUES ($1, $2, 'invoice', $3, $4, $4, $5, $6, $7, 'EUR', $8) RETURNING id",
        )
        .bind(provider_id)
        .bind(customer_id)
        .bind(&number)
        .bind(start)
        .bind(end)
        .bind(due)
        .bind(if latest { "open" } else { "paid" })
        .bind(total)
        .fetch_one(&mut **tx)
        .await?;
        for (position, (kind, description, contract, amount)) in lines.iter().enumerate() {
            sqlx::query(
                "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id,
                                            amount, vat_rate)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(invoice_id)
            .bind(i32::try_from(position + 1)?)
            .bind(kind)
            .bind(description)
            .bind(contract)
            .bind(amount)
            .bind(BE_VAT)
            .execute(&mut **tx)
            .await?;
        }
        if !latest {
            sqlx::query(
                "INSERT INTO payments (invoice_id, amount, paid_on, method, reference)
                 VALUES ($1, $2, $3, 'transfer', $4)",
            )
            .bind(invoice_id)
            .bind(total)
            .bind(due - chrono::Days::new(3))
            .bind(format!("+++{number}+++"))
            .execute(&mut **tx)
            .await?;
        }
        invoice_ids.push((invoice_id, start));
    }

    // A credit note correcting the invoice of four months before the latest, not yet settled.
    let (corrected_id, corrected_start) = invoice_ids[(TRIO_MONTHS - 5) as usize];
    let credit_date = corrected_start + chrono::Days::new(10);
    let number = next_number(tx, provider_id, "credit_note", credit_date.year()).await?;
    let credit_id: i64 = sqlx::query_scalar(
        "INSERT INTO invoices (provider_id, customer_id, kind, number, corrects_invoice_id,
                               issue_date, due_date, status, currency, total)
         VALUES ($1, $2, 'credit_note', $3, $4, $5, $5, 'open', 'EUR', $6) RETURNING id",
    )
    .bind(provider_id)
    .bind(customer_id)
    .bind(&number)
    .bind(corrected_id)
    .bind(credit_date)
    .bind(TRIO_CREDIT)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO invoice_lines (invoice_id, position, kind, description, contract_id, amount, vat_rate)
         VALUES ($1, 1, 'correction', 'Compensation interruption de service internet', $2, $3, $4)",
    )
    .bind(credit_id)
    .bind(contract_ids[1])
    .bind(TRIO_CREDIT)
    .bind(BE_VAT)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_start_on_anchor_day() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(cycle_start(d(2026, 11, 22), 5), d(2026, 11, 5));
        assert_eq!(cycle_start(d(2026, 11, 5), 5), d(2026, 11, 5));
        assert_eq!(cycle_start(d(2026, 11, 4), 5), d(2026, 10, 5));
        assert_eq!(cycle_start(d(2026, 1, 1), 5), d(2025, 12, 5));
    }

    #[test]
    fn trio_balance_is_last_invoice_minus_credit() {
        // 105.49 recurring + 4.92 usage on the 14th invoice − 12.40 credit.
        assert_eq!(trio_expected_balance(), dec!(98.01));
    }
}
