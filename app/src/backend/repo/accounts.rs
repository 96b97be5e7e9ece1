//! The account overview of a customer (H1) and contract summaries (L2).

use sqlx::{PgPool, Row, postgres::PgRow};

use crate::{
    api::home::{AccountOverview, ContractSummary, InvoiceSummary},
    domain::{
        account::{ContractStatus, InvoiceStatus, Service},
        balance::open_balance,
    },
    error::AppError,
};

use super::parse_column;

/// Balance, last invoice, contact data and contracts of one customer.
pub async fn overview(pool: &PgPool, customer_id: i64) -> Result<AccountOverview, AppError> {
    let row = sqlx::query(
        "SELECT c.customer_number, c.first_name, c.last_name, c.company_name, c.email, c.phone,
                c.street, c.postal_code, c.city, c.old_invoice_layout, p.old_invoice_help_url,
                p.currency,
                COALESCE((SELECT sum(i.total) FROM invoices i
                           WHERE i.customer_id = c.id AND i.kind = 'invoice'), 0) AS invoiced,
                COALESCE((SELECT sum(i.total) FROM invoices i
                           WHERE i.customer_id = c.id AND i.kind = 'credit_note'), 0) AS credited,
                COALESCE((SELECT sum(pay.amount) FROM payments pay
                            JOIN invoices i ON i.id = pay.invoice_id
                           WHERE i.customer_id = c.id), 0) AS paid
           FROM customers c JOIN providers p ON p.id = c.provider_id
          WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;

    let last_invoice = match sqlx::query(
        "SELECT number, issue_date, due_date, total, status, currency
           FROM invoices
          WHERE customer_id = $1 AND kind = 'invoice'
          ORDER BY issue_date DESC, id DESC
          LIMIT 1",
    )
    .bind(customer_id)
    .fetch_optional(pool)
    .await?
    {
        Some(inv) => Some(InvoiceSummary {
            number: inv.get("number"),
            issue_date: inv.get("issue_date"),
            due_date: inv.get("due_date"),
            total: inv.get("total"),
            status: parse_column("invoices.status", inv.get("status"), InvoiceStatus::parse)?,
            currency: inv.get::<String, _>("currency").trim().to_string(),
        }),
        None => None,
    };

    let contracts = sqlx::query(
        "SELECT ct.contract_number, ct.service, ct.phone_number, ct.status, t.name AS tariff_name
           FROM contracts ct LEFT JOIN tariffs t ON t.id = ct.tariff_id
          WHERE ct.customer_id = $1
          ORDER BY array_position(ARRAY['tv','internet','fixed','mobile','satellite','hosting'],
                                  ct.service), ct.contract_number",
    )
    .bind(customer_id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(contract_summary)
    .collect::<Result<Vec<_>, _>>()?;

    Ok(AccountOverview {
        customer_number: row.get("customer_number"),
        first_name: row.get("first_name"),
        last_name: row.get("last_name"),
        company_name: row.get("company_name"),
        email: row.get("email"),
        phone: row.get("phone"),
        street: row.get("street"),
        postal_code: row.get("postal_code"),
        city: row.get("city"),
        old_invoice_layout: row.get("old_invoice_layout"),
        old_invoice_help_url: row.get("old_invoice_help_url"),
        currency: row.get::<String, _>("currency").trim().to_string(),
        balance: open_balance(row.get("invoiced"), row.get("credited"), row.get("paid")),
        last_invoice,
        contracts,
    })
}

/// Summaries of the given contracts (for user links).
pub async fn contracts_by_id(
    pool: &PgPool,
    contract_ids: &[i64],
) -> Result<Vec<ContractSummary>, AppError> {
    sqlx::query(
        "SELECT ct.contract_number, ct.service, ct.phone_number, ct.status, t.name AS tariff_name
           FROM contracts ct LEFT JOIN tariffs t ON t.id = ct.tariff_id
          WHERE ct.id = ANY($1)
          ORDER BY ct.contract_number",
    )
    .bind(contract_ids)
    .fetch_all(pool)
    .await?
    .iter()
    .map(contract_summary)
    .collect()
}

fn contract_summary(row: &PgRow) -> Result<ContractSummary, AppError> {
    Ok(ContractSummary {
        contract_number: row.get("contract_number"),
        service: parse_column("contracts.service", row.get("service"), Service::parse)?,
        phone_number: row.get("phone_number"),
        status: parse_column("contracts.status", row.get("status"), ContractStatus::parse)?,
        tariff_name: row.get("tariff_name"),
    })
}
