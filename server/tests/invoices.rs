//! Invoices & payments (I1) through the server functions and the page, with the rights of L2.

mod common;

use app::{api::invoices::InvoiceRow, domain::account::InvoiceKind};
use common::{app, get_page, post, sign_in};
use sqlx::PgPool;

#[sqlx::test(migrations = "../migrations")]
async fn the_holder_sees_the_last_12_with_the_credit_note(pool: PgPool) {
    let app = app(pool).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (status, body, _) = post(&app, "/api/invoices", "", Some(&claire)).await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<InvoiceRow> = serde_json::from_str(&body).expect("rows");
    // 14 invoices and a credit note exist: the 12 newest are listed, newest first.
    assert_eq!(rows.len(), 12);
    assert!(
        rows.windows(2)
            .all(|w| (w[0].issue_date, w[0].id) >= (w[1].issue_date, w[1].id)),
        "newest first"
    );
    let credit: Vec<_> = rows
        .iter()
        .filter(|r| r.kind == InvoiceKind::CreditNote)
        .collect();
    assert_eq!(credit.len(), 1);
    let corrected = credit[0].corrects.as_deref().expect("corrects an invoice");
    assert!(
        rows.iter()
            .any(|r| r.number == corrected && r.kind == InvoiceKind::Invoice),
        "the corrected invoice {corrected} is listed too"
    );
    assert!(rows.iter().all(|r| r.currency == "EUR"));
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_link_cannot_open_invoices_also_by_address(pool: PgPool) {
    let app = app(pool).await;
    let max = sign_in(&app, "max.becker@example.de", "Mobil-demo-2024").await;
    let (status, body, _) = post(&app, "/api/invoices", "", Some(&max)).await;
    assert_eq!((status, body.as_str()), (404, "\"NotFound\""));
    for path in ["/invoices", "/de/invoices"] {
        let (status, page) = get_page(&app, path, Some(&max)).await;
        assert_eq!(status, 404, "{path}");
        assert!(!page.contains("data-testid=\"invoices\""), "{path}");
    }
    // The holder of the same number gets the page.
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let (status, page) = get_page(&app, "/de/invoices", Some(&jonas)).await;
    assert_eq!(status, 200);
    assert!(page.contains("data-testid=\"invoices\""));
    assert!(page.contains("Rechnungen"));
}
