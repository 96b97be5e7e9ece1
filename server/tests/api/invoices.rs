//! Invoices & payments (I1) through the server functions and the page, with the rights of L2.

use crate::common;

use app::{api::invoices::InvoiceRow, domain::account::InvoiceKind};
use common::{app, get, get_page, post, sign_in};

#[tokio::test]
async fn the_holder_sees_the_last_12_with_the_credit_note() {
    let pool = common::db().await;
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

#[tokio::test]
async fn a_user_link_cannot_open_invoices_also_by_address() {
    let pool = common::db().await;
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

/// The text of a PDF, as poppler's `pdftotext` extracts it.
fn pdf_text(bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("selfcare-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{}.pdf", uuid::Uuid::new_v4()));
    std::fs::write(&file, bytes).expect("write pdf");
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/test installs it)");
    let _ = std::fs::remove_file(&file);
    assert!(output.status.success(), "pdftotext failed: {output:?}");
    String::from_utf8(output.stdout).expect("utf-8")
}

#[tokio::test]
async fn invoice_pdfs_carry_number_lines_vat_and_total_in_the_language() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    let (_, body, _) = post(&app, "/api/invoices", "", Some(&claire)).await;
    let rows: Vec<InvoiceRow> = serde_json::from_str(&body).expect("rows");
    let latest = &rows[0];

    let (status, bytes, kind) = get(
        &app,
        &format!("/invoices/{}/pdf?lang=fr", latest.id),
        Some(&claire),
    )
    .await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    let text = pdf_text(&bytes);
    let total = app::domain::format::money(latest.total, "EUR", app::domain::lang::Lang::Fr);
    for needle in [
        "Facture",
        latest.number.as_str(),
        "Claire Dubois",
        "Liège",
        "100001",
        "Trio Internet 200",
        "TVA 21 %",
        "Total TVAC",
        "Veuillez payer avant le",
    ] {
        assert!(text.contains(needle), "{needle:?} missing in:\n{text}");
    }
    // pdftotext turns the no-break space before the euro sign into a plain space.
    let total = total.replace('\u{a0}', " ");
    assert!(text.contains(&total), "{total:?} missing in:\n{text}");

    // The credit note in German names the invoice it corrects.
    let credit = rows
        .iter()
        .find(|r| r.kind == InvoiceKind::CreditNote)
        .expect("credit note");
    let (status, bytes, _) = get(
        &app,
        &format!("/invoices/{}/pdf?lang=de", credit.id),
        Some(&claire),
    )
    .await;
    assert_eq!(status, 200);
    let text = pdf_text(&bytes);
    assert!(text.contains("Gutschrift"), "{text}");
    assert!(
        text.contains(&format!(
            "Korrigiert Rechnung {}",
            credit.corrects.as_deref().unwrap_or("?")
        )) || text.contains(credit.corrects.as_deref().unwrap_or("?")),
        "{text}"
    );

    // Paid invoices say when and how.
    let paid = rows
        .iter()
        .find(|r| r.status == app::domain::account::InvoiceStatus::Paid);
    let paid = paid.expect("a paid invoice");
    let (_, bytes, _) = get(
        &app,
        &format!("/invoices/{}/pdf?lang=en", paid.id),
        Some(&claire),
    )
    .await;
    assert!(pdf_text(&bytes).contains("Paid on"));
}

#[tokio::test]
async fn only_the_holder_downloads_the_pdf() {
    let pool = common::db().await;
    let app = app(pool.clone()).await;
    let jonas_invoice: i64 = sqlx::query_scalar(
        "SELECT i.id FROM invoices i JOIN customers c ON c.id = i.customer_id
          WHERE c.customer_number = '200001' ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("invoice");
    let path = format!("/invoices/{jonas_invoice}/pdf?lang=de");
    // Anonymous: to sign-in.
    let (status, _, _) = get(&app, &path, None).await;
    assert_eq!(status, 303);
    // A user link of that number, a stranger and another holder: not found.
    for email in [
        "max.becker@example.de",
        "lena.schmidt@example.de",
        "anna.becker@example.de",
    ] {
        let cookie = sign_in(&app, email, "Mobil-demo-2024").await;
        let (status, bytes, _) = get(&app, &path, Some(&cookie)).await;
        assert_eq!(status, 404, "{email}");
        assert!(!bytes.starts_with(b"%PDF"), "{email}");
    }
    let claire = sign_in(&app, "claire.dubois@example.be", "Trio-demo-2024").await;
    assert_eq!(get(&app, &path, Some(&claire)).await.0, 404);
    let jonas = sign_in(&app, "jonas.becker@example.de", "Mobil-demo-2024").await;
    let (status, bytes, _) = get(&app, &path, Some(&jonas)).await;
    assert_eq!(status, 200);
    assert!(bytes.starts_with(b"%PDF"));
}
