//! The Belgian Trio household (seed 000): TV, internet, fixed line and mobile, options on each,
//! 14 months of invoices with one credit note, and an open balance.

use chrono::{Datelike, Days, Months, NaiveDate};
use rust_decimal::{Decimal, dec};

use app::domain::{
    account::{Service, UsageKind},
    billing::line_text::LineText,
};

use super::{
    Line, Tariff, Tx, UsagePlan, insert_invoice, insert_link, insert_login, insert_payment,
    insert_tariff, insert_usage,
};
use crate::BoxError;

pub const LOGIN_EMAIL: &str = "claire.dubois@example.be";
pub const LOGIN_PASSWORD: &str = "Trio-demo-2024";
/// The contract password of customer number 100001.
pub const CONTRACT_PASSWORD: &str = "Trio-100001";

const TARIFFS: [Tariff; 4] = [
    Tariff {
        code: "TRIO-TV",
        service: "tv",
        name: "Trio TV",
        price: dec!(22.00),
        data_gb: None,
        minutes: None,
    },
    Tariff {
        code: "TRIO-NET",
        service: "internet",
        name: "Trio Internet 200",
        price: dec!(38.00),
        data_gb: Some(500),
        minutes: None,
    },
    Tariff {
        code: "TRIO-FIX",
        service: "fixed",
        name: "Trio Fixed",
        price: dec!(9.00),
        data_gb: None,
        minutes: Some(300),
    },
    Tariff {
        code: "MOB-10",
        service: "mobile",
        name: "Mobile 10 GB",
        price: dec!(15.00),
        data_gb: Some(10),
        minutes: Some(200),
    },
];

struct OptionDef {
    code: &'static str,
    service: &'static str,
    names: [&'static str; 4], // de, fr, nl, en
    price: Decimal,
    active: bool,
    /// Data the option adds to the line's allowance.
    extra_gb: Option<i64>,
    /// The option lifts the line's minutes limit.
    unlimited_minutes: bool,
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
        active: true,
        extra_gb: None,
        unlimited_minutes: false,
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
        active: false,
        extra_gb: None,
        unlimited_minutes: false,
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
        active: true,
        extra_gb: None,
        unlimited_minutes: false,
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
        active: false,
        extra_gb: Some(100),
        unlimited_minutes: false,
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
        active: true,
        extra_gb: None,
        unlimited_minutes: false,
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
        active: false,
        extra_gb: None,
        unlimited_minutes: false,
    },
    OptionDef {
        code: "MOB-DATA5",
        service: "mobile",
        names: ["Daten +5 GB", "Data +5 GB", "Data +5 GB", "Data +5 GB"],
        price: dec!(5.00),
        active: true,
        extra_gb: Some(5),
        unlimited_minutes: false,
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
        active: false,
        extra_gb: None,
        unlimited_minutes: true,
    },
];

const MONTHS: u32 = 14;
const CREDIT: Decimal = dec!(12.40);
const VAT: Decimal = dec!(21);

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

/// The usage charge outside the bundle on the invoice of month `i` (deterministic, so the
/// demo's figures do not depend on the day it is loaded).
fn usage_charge(i: u32) -> Decimal {
    Decimal::new(i64::from((i * 37 + 11) % 600), 2)
}

/// Tariffs plus active options: the recurring part of each invoice.
fn recurring_total() -> Decimal {
    TARIFFS.iter().map(|t| t.price).sum::<Decimal>()
        + OPTIONS
            .iter()
            .filter(|o| o.active)
            .map(|o| o.price)
            .sum::<Decimal>()
}

/// The open balance: the last invoice is open, the 12.40 credit note is not yet settled,
/// everything else is paid.
pub fn trio_expected_balance() -> Decimal {
    recurring_total() + usage_charge(MONTHS - 1) - CREDIT
}

pub(super) async fn household(
    tx: &mut Tx<'_>,
    provider_id: i64,
    today: NaiveDate,
) -> Result<(), BoxError> {
    let latest_cycle = cycle_start(today, 5);
    let first_cycle = latest_cycle
        .checked_sub_months(Months::new(MONTHS - 1))
        .ok_or("date out of range")?;

    let mut tariff_ids = Vec::new();
    for t in &TARIFFS {
        tariff_ids.push(insert_tariff(tx, provider_id, t).await?);
    }
    let mut option_ids = Vec::new();
    for o in &OPTIONS {
        let names = serde_json::json!({
            "de": o.names[0], "fr": o.names[1], "nl": o.names[2], "en": o.names[3]
        });
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO options (provider_id, code, service, names, monthly_price, currency,
                                  extra_data_bytes, unlimited_minutes)
             VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7) RETURNING id",
        )
        .bind(provider_id)
        .bind(o.code)
        .bind(o.service)
        .bind(names)
        .bind(o.price)
        .bind(o.extra_gb.map(|gb| gb * 1_000_000_000))
        .bind(o.unlimited_minutes)
        .fetch_one(&mut **tx)
        .await?;
        option_ids.push(id);
    }

    let contract_password =
        app::backend::password::hash_now(CONTRACT_PASSWORD).map_err(|e| e.to_string())?;
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
    for (i, t) in TARIFFS.iter().enumerate() {
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
    let contract_of = |service: &str| {
        TARIFFS
            .iter()
            .position(|t| t.service == service)
            .map(|i| contract_ids[i])
            .ok_or("option without contract")
    };
    for (o, option_id) in OPTIONS.iter().zip(&option_ids).filter(|(o, _)| o.active) {
        sqlx::query(
            "INSERT INTO contract_options (contract_id, option_id, activated_on) VALUES ($1, $2, $3)",
        )
        .bind(contract_of(o.service)?)
        .bind(option_id)
        .bind(first_cycle)
        .execute(&mut **tx)
        .await?;
    }

    let login_id = insert_login(tx, provider_id, LOGIN_EMAIL, LOGIN_PASSWORD, "fr").await?;
    insert_link(tx, login_id, Some(customer_id), None).await?;

    let mut invoices = Vec::new();
    for i in 0..MONTHS {
        let start = first_cycle
            .checked_add_months(Months::new(i))
            .ok_or("date out of range")?;
        let end = start
            .checked_add_months(Months::new(1))
            .and_then(|d| d.pred_opt())
            .ok_or("date out of range")?;
        let due = start + Days::new(14);
        let latest = i == MONTHS - 1;
        let mut lines: Vec<Line> = TARIFFS
            .iter()
            .zip(&contract_ids)
            .map(|(t, c)| ("recurring", t.name.to_string(), Some(*c), t.price, None))
            .collect();
        for o in OPTIONS.iter().filter(|o| o.active) {
            lines.push((
                "option",
                o.names[1].to_string(),
                Some(contract_of(o.service)?),
                o.price,
                Some(LineText::Option {
                    names: ["de", "fr", "nl", "en"]
                        .into_iter()
                        .zip(o.names)
                        .map(|(lang, name)| (lang.to_string(), name.to_string()))
                        .collect(),
                }),
            ));
        }
        lines.push((
            "usage",
            "Appels hors forfait".to_string(),
            Some(contract_ids[2]),
            usage_charge(i),
            Some(LineText::CallsOutsideBundle),
        ));
        let status = if latest { "open" } else { "paid" };
        let (id, number, total) = insert_invoice(
            tx,
            provider_id,
            customer_id,
            Some((start, end)),
            start,
            due,
            status,
            None,
            VAT,
            &lines,
        )
        .await?;
        if !latest {
            insert_payment(
                tx,
                id,
                total,
                due - Days::new(3),
                "transfer",
                &format!("+++{number}+++"),
            )
            .await?;
        }
        invoices.push((id, start));
    }

    // H4: a data alert on the mobile line (it fires in both cycles of the usage below: one
    // inbox message each) and a spend alert on the fixed line that has not fired.
    for (contract_id, metric, threshold) in [
        (contract_ids[3], "data", dec!(5)),
        (contract_ids[2], "spend", dec!(20)),
    ] {
        sqlx::query(
            "INSERT INTO consumption_alerts (contract_id, metric, threshold) VALUES ($1, $2, $3)",
        )
        .bind(contract_id)
        .bind(metric)
        .bind(threshold)
        .execute(&mut **tx)
        .await?;
    }
    // A message from the provider in the inbox (M2).
    sqlx::query(
        "INSERT INTO messages (customer_id, kind, subject, body, created_at)
         VALUES ($1, 'provider', 'Travaux sur le réseau à Liège',
                 'Des travaux de maintenance peuvent interrompre internet et la télévision la nuit du 2 au 3 décembre, entre 1 h et 5 h. Aucune action de votre part n’est nécessaire.',
                 now() - interval '2 days')",
    )
    .bind(customer_id)
    .execute(&mut **tx)
    .await?;
    // A move of the internet line, confirmed by the provider.
    sqlx::query(
        "INSERT INTO move_requests (contract_id, street, postal_code, city, country, wished_date,
                                    status, requested_on)
         VALUES ($1, 'Quai de la Batte 8', '4020', 'Liège', 'BE', $2, 'confirmed', $3)",
    )
    .bind(contract_ids[1])
    .bind(today + Days::new(24))
    .bind(today - Days::new(5))
    .execute(&mut **tx)
    .await?;
    // A repair appointment (A1): the morning window of the first working day five days on.
    sqlx::query(
        "INSERT INTO appointments (customer_id, slot_id, kind, status, street, postal_code, city,
                                   note)
         SELECT $1, s.id, 'repair', 'booked', c.street, c.postal_code, c.city,
                'Le décodeur du salon ne s’allume plus. Sonner au 2e étage.'
           FROM appointment_slots s, customers c
          WHERE s.provider_id = $2 AND c.id = $1 AND s.day >= $3 AND s.starts_at = time '08:00'
          ORDER BY s.day LIMIT 1",
    )
    .bind(customer_id)
    .bind(provider_id)
    .bind(today + Days::new(5))
    .execute(&mut **tx)
    .await?;

    // Usage of the last cycle (billed on the latest invoice) and of this one so far.
    let (latest_invoice, _) = *invoices.last().ok_or("no invoices")?;
    let previous_cycle = latest_cycle
        .checked_sub_months(Months::new(1))
        .ok_or("date out of range")?;
    let plans = [
        (contract_ids[1], &[UsageKind::Data][..], Decimal::ZERO, 4000),
        (
            contract_ids[2],
            &[UsageKind::Call, UsageKind::Premium][..],
            usage_charge(MONTHS - 1),
            1,
        ),
        (
            contract_ids[3],
            &[
                UsageKind::Data,
                UsageKind::Call,
                UsageKind::Sms,
                UsageKind::Mms,
            ][..],
            Decimal::ZERO,
            400,
        ),
    ];
    for (contract_id, kinds, premium_charge, data_scale) in plans {
        insert_usage(
            tx,
            &UsagePlan {
                contract_id,
                kinds,
                from: previous_cycle,
                to: today,
                billed_until: latest_cycle,
                invoice: Some(latest_invoice),
                premium_charge,
                data_scale,
            },
        )
        .await?;
    }

    // A credit note correcting the invoice of four months before the latest, not yet settled.
    let (corrected, corrected_start) = invoices[(MONTHS - 5) as usize];
    let credit_date = corrected_start + Days::new(10);
    let lines: [Line; 1] = [(
        "correction",
        "Compensation interruption de service internet".to_string(),
        Some(contract_ids[1]),
        CREDIT,
        Some(LineText::ServiceCredit {
            service: Service::Internet,
        }),
    )];
    insert_invoice(
        tx,
        provider_id,
        customer_id,
        None,
        credit_date,
        credit_date,
        "open",
        Some(corrected),
        VAT,
        &lines,
    )
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
    fn balance_is_last_invoice_minus_credit() {
        // 105.49 recurring + 4.92 usage on the 14th invoice − 12.40 credit.
        assert_eq!(trio_expected_balance(), dec!(98.01));
    }
}
