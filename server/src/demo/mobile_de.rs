//! The German mobile household (seed about contract linking): every case of LINKING.md.
//!
//! - 200001 Jonas Becker: two active mobile contracts; Jonas holds it.
//! - 200002 Anna Becker: one contract; Anna holds it, Jonas uses it (user link).
//! - 200003 Tim Lehmann: a private contract, but a business contract ran under the number
//!   (business history, L6).
//! - 200004 Becker Consulting GmbH: business customer (L5), with a legacy line that has no
//!   number or tariff; Jonas still has an old user link on it (L9).
//! - 200009 Lena Schmidt: its only contract is cancelled; Lena's holder link is stale (L7).
//! - Max Becker uses one line of 200001 and may become its holder (L8).

use app::domain::account::UsageKind;
use chrono::{Days, Months, NaiveDate};
use rust_decimal::{Decimal, dec};

use super::{
    Line, Tariff, Tx, UsagePlan, insert_invoice, insert_link, insert_login, insert_payment,
    insert_tariff, insert_usage,
};
use crate::BoxError;

pub const JONAS: &str = "jonas.becker@example.de";
pub const ANNA: &str = "anna.becker@example.de";
pub const MAX: &str = "max.becker@example.de";
pub const LENA: &str = "lena.schmidt@example.de";
/// The password of every German demo login.
pub const PASSWORD: &str = "Mobil-demo-2024";

/// Customer number, contract password, what linking it shows.
pub const CONTRACT_PASSWORDS: [(&str, &str, &str); 6] = [
    (
        "100001",
        super::trio::CONTRACT_PASSWORD,
        "Belgian Trio household",
    ),
    ("200001", "Becker-200001", "two active mobile contracts"),
    (
        "200002",
        "Becker-200002",
        "second holder number for Jonas (L4)",
    ),
    (
        "200003",
        "Lehmann-200003",
        "business history: user link only (L6)",
    ),
    ("200004", "Consulting-200004", "business customer (L5)"),
    ("200009", "Schmidt-200009", "only contract cancelled (L7)"),
];

const TARIFFS: [Tariff; 3] = [
    Tariff {
        code: "MOBIL-M",
        service: "mobile",
        name: "Mobil M",
        price: dec!(19.99),
        data_gb: Some(10),
        minutes: Some(300),
    },
    Tariff {
        code: "MOBIL-L",
        service: "mobile",
        name: "Mobil L",
        price: dec!(29.99),
        data_gb: Some(25),
        minutes: None,
    },
    Tariff {
        code: "BUSINESS-MOBIL",
        service: "mobile",
        name: "Business Mobil",
        price: dec!(39.99),
        data_gb: Some(50),
        minutes: None,
    },
];

struct Customer {
    number: &'static str,
    segment: &'static str,
    business_history: bool,
    first_name: &'static str,
    last_name: &'static str,
    company: Option<&'static str>,
    email: &'static str,
    street: &'static str,
    postal_code: &'static str,
    city: &'static str,
}

/// (customer index, contract number, segment, phone, tariff index, status)
type ContractDef = (
    usize,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<usize>,
    &'static str,
);

const CUSTOMERS: [Customer; 5] = [
    Customer {
        number: "200001",
        segment: "private",
        business_history: false,
        first_name: "Jonas",
        last_name: "Becker",
        company: None,
        email: JONAS,
        street: "Lindenweg 3",
        postal_code: "50667",
        city: "Köln",
    },
    Customer {
        number: "200002",
        segment: "private",
        business_history: false,
        first_name: "Anna",
        last_name: "Becker",
        company: None,
        email: ANNA,
        street: "Lindenweg 3",
        postal_code: "50667",
        city: "Köln",
    },
    Customer {
        number: "200003",
        segment: "private",
        business_history: true,
        first_name: "Tim",
        last_name: "Lehmann",
        company: None,
        email: "tim.lehmann@example.de",
        street: "Hafenstraße 8",
        postal_code: "20457",
        city: "Hamburg",
    },
    Customer {
        number: "200004",
        segment: "business",
        business_history: true,
        first_name: "Jonas",
        last_name: "Becker",
        company: Some("Becker Consulting GmbH"),
        email: "office@becker-consulting.example.de",
        street: "Domstraße 12",
        postal_code: "50668",
        city: "Köln",
    },
    Customer {
        number: "200009",
        segment: "private",
        business_history: false,
        first_name: "Lena",
        last_name: "Schmidt",
        company: None,
        email: LENA,
        street: "Bergstraße 21",
        postal_code: "69120",
        city: "Heidelberg",
    },
];

const CONTRACTS: [ContractDef; 8] = [
    (
        0,
        "200001-01",
        "private",
        Some("+49 151 2000 0101"),
        Some(0),
        "active",
    ),
    (
        0,
        "200001-02",
        "private",
        Some("+49 151 2000 0102"),
        Some(1),
        "active",
    ),
    (
        1,
        "200002-01",
        "private",
        Some("+49 151 2000 0201"),
        Some(0),
        "active",
    ),
    (
        2,
        "200003-01",
        "private",
        Some("+49 151 2000 0301"),
        Some(0),
        "active",
    ),
    (
        2,
        "200003-02",
        "business",
        Some("+49 151 2000 0302"),
        Some(2),
        "cancelled",
    ),
    (
        3,
        "200004-01",
        "business",
        Some("+49 151 2000 0401"),
        Some(2),
        "active",
    ),
    (3, "200004-02", "business", None, None, "active"),
    (
        4,
        "200009-01",
        "private",
        Some("+49 151 2000 0901"),
        Some(0),
        "cancelled",
    ),
];

pub(super) async fn household(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    let start = today
        .checked_sub_months(Months::new(3))
        .ok_or("date out of range")?;
    let mut tariff_ids = Vec::new();
    for t in &TARIFFS {
        tariff_ids.push(insert_tariff(tx, provider_id, t).await?);
    }
    let mut customer_ids = Vec::new();
    for (c, (_, password, _)) in CUSTOMERS.iter().zip(&CONTRACT_PASSWORDS[1..]) {
        let hash = app::backend::password::hash_now(password).map_err(|e| e.to_string())?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO customers (provider_id, customer_number, segment, has_business_history,
                                    country, language, first_name, last_name, company_name, email,
                                    street, postal_code, city, contract_password_hash)
             VALUES ($1, $2, $3, $4, 'DE', 'de', $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(provider_id)
        .bind(c.number)
        .bind(c.segment)
        .bind(c.business_history)
        .bind(c.first_name)
        .bind(c.last_name)
        .bind(c.company)
        .bind(c.email)
        .bind(c.street)
        .bind(c.postal_code)
        .bind(c.city)
        .bind(hash)
        .fetch_one(&mut **tx)
        .await?;
        customer_ids.push(id);
    }
    let mut contract_ids = Vec::new();
    for (customer, number, segment, phone, tariff, status) in CONTRACTS {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contracts (customer_id, contract_number, service, segment, phone_number,
                                    tariff_id, status, start_date, end_date)
             VALUES ($1, $2, 'mobile', $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(customer_ids[customer])
        .bind(number)
        .bind(segment)
        .bind(phone)
        .bind(tariff.map(|t| tariff_ids[t]))
        .bind(status)
        .bind(start)
        .bind((status != "active").then(|| start + Days::new(30)))
        .fetch_one(&mut **tx)
        .await?;
        contract_ids.push(id);
    }

    let jonas = insert_login(tx, provider_id, JONAS, PASSWORD, "de").await?;
    insert_link(tx, jonas, Some(customer_ids[0]), None).await?;
    insert_link(tx, jonas, None, Some(contract_ids[2])).await?;
    insert_link(tx, jonas, None, Some(contract_ids[6])).await?;
    let anna = insert_login(tx, provider_id, ANNA, PASSWORD, "de").await?;
    insert_link(tx, anna, Some(customer_ids[1]), None).await?;
    insert_link(tx, anna, None, Some(contract_ids[1])).await?;
    let max = insert_login(tx, provider_id, MAX, PASSWORD, "de").await?;
    insert_link(tx, max, None, Some(contract_ids[1])).await?;
    let lena = insert_login(tx, provider_id, LENA, PASSWORD, "de").await?;
    insert_link(tx, lena, Some(customer_ids[4]), None).await?;

    // Max's line (200001-02) has usage of this month: what a user link may see (L2).
    insert_usage(
        tx,
        &UsagePlan {
            contract_id: contract_ids[1],
            kinds: &[UsageKind::Data, UsageKind::Call, UsageKind::Sms],
            from: today
                .checked_sub_days(Days::new(20))
                .ok_or("date out of range")?,
            to: today,
            billed_until: today,
            invoice: None,
            premium_charge: Decimal::ZERO,
            data_scale: 300,
        },
    )
    .await?;

    // Anna (200002) still gets invoices in the old layout (H5).
    sqlx::query("UPDATE customers SET old_invoice_layout = TRUE WHERE id = $1")
        .bind(customer_ids[1])
        .execute(&mut **tx)
        .await?;

    // 200001 pays by SEPA direct debit, and its first line requires automatic payment (I4).
    sqlx::query(
        "INSERT INTO sepa_mandates (customer_id, account_holder, iban, reference, creditor_id,
                                    signed_on)
         SELECT $1, 'Jonas Becker', 'DE89370400440532013000', 'LUMEN-200001-001',
                sepa_creditor_id, $2
           FROM providers WHERE id = $3",
    )
    .bind(customer_ids[0])
    .bind(start)
    .bind(provider_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE contracts SET requires_autopay = TRUE WHERE id = $1")
        .bind(contract_ids[0])
        .execute(&mut **tx)
        .await?;

    // Three monthly invoices for 200001, the last one open.
    for i in 0..3u32 {
        let issue = start
            .checked_add_months(Months::new(i + 1))
            .ok_or("date out of range")?;
        let lines: [Line; 2] = [
            (
                "recurring",
                "Mobil M".to_string(),
                Some(contract_ids[0]),
                dec!(19.99),
                None,
            ),
            (
                "recurring",
                "Mobil L".to_string(),
                Some(contract_ids[1]),
                dec!(29.99),
                None,
            ),
        ];
        let status = if i == 2 { "open" } else { "paid" };
        let period_end = issue
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .ok_or("date out of range")?;
        let (id, number, total) = insert_invoice(
            tx,
            provider_id,
            customer_ids[0],
            Some((issue, period_end)),
            issue,
            issue + Days::new(14),
            status,
            None,
            dec!(19),
            &lines,
        )
        .await?;
        if i < 2 {
            insert_payment(tx, id, total, issue + Days::new(14), "sepa", &number).await?;
        }
    }
    Ok(())
}
