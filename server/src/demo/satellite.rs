//! The satellite-internet subscribers (PRODUCT.md "Demo data", B1–B7, I5, I6): one paying by
//! card, one in Brazil the day before activation, one paying by mobile money, one managed.
//! Only the subscriptions are written here; the billing run (run on start with the demo)
//! activates them and issues their invoices, so the demo shows what the engine does.

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, dec};

use super::{Tx, insert_link, insert_login};
use crate::BoxError;

/// The password of every satellite login.
pub const PASSWORD: &str = "Satellite-demo-2024";
/// Card autopay, mid-cycle with usage (the preview and the plan change).
pub const CAMILLE: &str = "camille.martin@example.fr";
/// Brazil, activated tomorrow: the first invoice is payable within 7 days (B4).
pub const RAFAEL: &str = "rafael.souza@example.com.br";
/// Mobile money: the first invoice waits in "action required" (I6).
pub const AWA: &str = "awa.diop@example.fr";
/// Billed through an employer: no preview (B5).
pub const PETRA: &str = "petra.wagner@example.de";

struct Plan {
    code: &'static str,
    name: &'static str,
    price: Decimal,
    currency: &'static str,
    data_gb: i64,
}

const PLANS: [Plan; 5] = [
    Plan {
        code: "SAT-50",
        name: "Sky 50",
        price: dec!(29.00),
        currency: "EUR",
        data_gb: 50,
    },
    Plan {
        code: "SAT-100",
        name: "Sky 100",
        price: dec!(49.00),
        currency: "EUR",
        data_gb: 100,
    },
    Plan {
        code: "SAT-200",
        name: "Sky 200",
        price: dec!(79.00),
        currency: "EUR",
        data_gb: 200,
    },
    Plan {
        code: "SAT-BR-100",
        name: "Céu 100",
        price: dec!(199.00),
        currency: "BRL",
        data_gb: 100,
    },
    Plan {
        code: "SAT-BR-200",
        name: "Céu 200",
        price: dec!(299.00),
        currency: "BRL",
        data_gb: 200,
    },
];

/// One subscriber.
struct Subscriber {
    login: &'static str,
    number: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    country: &'static str,
    language: &'static str,
    managed: bool,
    phone: &'static str,
    card_last4: Option<&'static str>,
    street: &'static str,
    postal_code: &'static str,
    city: &'static str,
    plan: &'static str,
    method: &'static str,
    /// Days before today the equipment was shipped, and connected (if it was).
    shipped_days_ago: u64,
    connected_days_ago: Option<u64>,
    /// Data used per day over the last 45 days, in GB.
    daily_gb: i64,
}

const SUBSCRIBERS: [Subscriber; 4] = [
    Subscriber {
        login: CAMILLE,
        number: "300001",
        first_name: "Camille",
        last_name: "Martin",
        country: "FR",
        language: "fr",
        managed: false,
        phone: "+33 6 12 34 56 78",
        card_last4: Some("4242"),
        street: "Chemin des Vignes 4",
        postal_code: "26110",
        city: "Nyons",
        plan: "SAT-100",
        method: "card",
        shipped_days_ago: 80,
        connected_days_ago: Some(75),
        daily_gb: 3,
    },
    Subscriber {
        login: RAFAEL,
        number: "300002",
        first_name: "Rafael",
        last_name: "Souza",
        country: "BR",
        language: "en",
        managed: false,
        phone: "+55 11 91234 5678",
        card_last4: Some("4242"),
        street: "Rua das Palmeiras 210",
        postal_code: "13010-000",
        city: "Campinas",
        plan: "SAT-BR-100",
        method: "card",
        // Never connected: activation is automatic tomorrow (shipment + 30 days).
        shipped_days_ago: 29,
        connected_days_ago: None,
        daily_gb: 0,
    },
    Subscriber {
        login: AWA,
        number: "300003",
        first_name: "Awa",
        last_name: "Diop",
        country: "FR",
        language: "fr",
        managed: false,
        phone: "+33 7 55 44 33 22",
        card_last4: None,
        street: "Rue du Moulin 9",
        postal_code: "48000",
        city: "Mende",
        plan: "SAT-50",
        method: "mobile_money",
        shipped_days_ago: 24,
        connected_days_ago: Some(20),
        daily_gb: 1,
    },
    Subscriber {
        login: PETRA,
        number: "300004",
        first_name: "Petra",
        last_name: "Wagner",
        country: "DE",
        language: "de",
        managed: true,
        phone: "+49 171 2345678",
        card_last4: None,
        street: "Almweg 3",
        postal_code: "83471",
        city: "Berchtesgaden",
        plan: "SAT-100",
        method: "card",
        shipped_days_ago: 60,
        connected_days_ago: Some(50),
        daily_gb: 2,
    },
];

fn days_ago(today: NaiveDate, days: u64) -> Result<NaiveDate, BoxError> {
    today
        .checked_sub_days(Days::new(days))
        .ok_or_else(|| "date out of range".into())
}

/// Writes the satellite plans and subscribers.
pub async fn households(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    let mut plan_ids = std::collections::HashMap::new();
    for plan in &PLANS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO tariffs (provider_id, code, service, name, monthly_price, currency,
                                  data_allowance_bytes, overage_price_per_gb)
             VALUES ($1, $2, 'satellite', $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(provider_id)
        .bind(plan.code)
        .bind(plan.name)
        .bind(plan.price)
        .bind(plan.currency)
        .bind(plan.data_gb * 1_000_000_000)
        .bind(if plan.currency == "BRL" {
            dec!(8.00)
        } else {
            dec!(2.00)
        })
        .fetch_one(&mut **tx)
        .await?;
        plan_ids.insert(plan.code, id);
    }
    for s in &SUBSCRIBERS {
        let customer_id: i64 = sqlx::query_scalar(
            "INSERT INTO customers (provider_id, customer_number, segment, country, managed,
                                    language, first_name, last_name, email, phone, street,
                                    postal_code, city, card_last4)
             VALUES ($1, $2, 'private', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             RETURNING id",
        )
        .bind(provider_id)
        .bind(s.number)
        .bind(s.country)
        .bind(s.managed)
        .bind(s.language)
        .bind(s.first_name)
        .bind(s.last_name)
        .bind(s.login)
        .bind(s.phone)
        .bind(s.street)
        .bind(s.postal_code)
        .bind(s.city)
        .bind(s.card_last4)
        .fetch_one(&mut **tx)
        .await?;
        let shipped = days_ago(today, s.shipped_days_ago)?;
        let connected = s
            .connected_days_ago
            .map(|d| days_ago(today, d))
            .transpose()?;
        let contract_id: i64 = sqlx::query_scalar(
            "INSERT INTO contracts (customer_id, contract_number, service, segment, tariff_id,
                                    status, start_date)
             VALUES ($1, $2, 'satellite', 'private', $3, 'active', $4) RETURNING id",
        )
        .bind(customer_id)
        .bind(format!("{}-01", s.number))
        .bind(plan_ids.get(s.plan).copied().ok_or("unknown plan")?)
        .bind(connected.unwrap_or(shipped))
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO subscriptions (contract_id, shipped_on, first_connected_on,
                                        payment_method)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(contract_id)
        .bind(shipped)
        .bind(connected)
        .bind(s.method)
        .execute(&mut **tx)
        .await?;
        if s.daily_gb > 0 {
            // One data session a day over the last 45 days (up to today), in megabytes.
            sqlx::query(
                "INSERT INTO usage_records (contract_id, kind, usage_date, started_at, quantity)
                 SELECT $1, 'data', d::date, d::date + time '20:00', $4
                   FROM generate_series(GREATEST($2::date, $3::date - 44), $3::date,
                                        interval '1 day') AS d",
            )
            .bind(contract_id)
            .bind(connected.unwrap_or(shipped))
            .bind(today)
            .bind(Decimal::from(s.daily_gb * 1000))
            .execute(&mut **tx)
            .await?;
        }
        let login_id = insert_login(tx, provider_id, s.login, PASSWORD, s.language).await?;
        insert_link(tx, login_id, Some(customer_id), None).await?;
    }
    Ok(())
}
