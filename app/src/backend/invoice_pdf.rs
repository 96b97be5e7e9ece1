//! The PDF of an invoice or credit note (I2), generated on the server with `pdf-writer`:
//! provider and customer blocks, lines, VAT per rate, totals, due date and payment, in the
//! customer's language. The standard Helvetica fonts (no embedding) with WinAnsi encoding cover
//! the four languages' letters and the euro sign.

use chrono::NaiveDate;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use rust_decimal::Decimal;

use crate::{
    domain::{
        account::{InvoiceKind, InvoiceStatus},
        billing::vat::breakdown,
        format,
        lang::Lang,
        money::{Currency, Money},
    },
    error::AppError,
    i18n::*,
};

/// One line of the document: gross amount and its VAT rate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub description: String,
    /// The text as kind and parameters, put into the PDF's language (None: the description).
    pub text: Option<crate::domain::billing::line_text::LineText>,
    pub amount: Decimal,
    pub vat_rate: Decimal,
}

/// A payment recorded against the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentPayment {
    pub paid_on: NaiveDate,
    pub method: String,
    pub amount: Decimal,
}

/// Everything the PDF shows, as loaded for one holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceDocument {
    pub provider_name: String,
    pub support_url: String,
    pub creditor_id: Option<String>,
    pub customer_number: String,
    pub customer_name: String,
    pub company_name: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
    pub kind: InvoiceKind,
    pub number: String,
    pub issue_date: NaiveDate,
    pub period: Option<(NaiveDate, NaiveDate)>,
    pub due_date: NaiveDate,
    pub status: InvoiceStatus,
    pub currency: String,
    pub total: Decimal,
    pub corrects: Option<String>,
    pub lines: Vec<DocumentLine>,
    pub payments: Vec<DocumentPayment>,
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = PAGE_W - 56.0;
const BOTTOM: f32 = 90.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// WinAnsi (Windows-1252) bytes of `text`; characters outside it become `?`.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{202f}' | '\u{2009}' => 0xA0,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u32 as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            _ => b'?',
        })
        .collect()
}

/// Width of `text` in Helvetica at `size`, for right-aligned figures (AFM widths of the
/// characters amounts and rates are made of; other characters count as a digit).
fn width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c {
            ' ' | '\u{a0}' | '\u{202f}' | ',' | '.' => 278,
            '-' => 333,
            '%' => 889,
            '$' | '€' | '£' | '0'..='9' => 556,
            'R' => 722,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Text placed on pages, flowing onto a new page when one is full.
struct Writer {
    pages: Vec<Content>,
    y: f32,
}

impl Writer {
    fn new() -> Writer {
        Writer {
            pages: vec![Content::new()],
            y: PAGE_H - 64.0,
        }
    }

    fn page(&mut self) -> &mut Content {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text(&mut self, x: f32, y: f32, font: Name<'static>, size: f32, text: &str) {
        let bytes = win_ansi(text);
        self.page()
            .begin_text()
            .set_font(font, size)
            .next_line(x, y)
            .show(Str(&bytes))
            .end_text();
    }

    fn right(&mut self, x: f32, y: f32, font: Name<'static>, size: f32, text: &str) {
        self.text(x - width(text, size), y, font, size, text);
    }

    fn rule(&mut self, y: f32) {
        self.page()
            .set_line_width(0.5)
            .move_to(LEFT, y)
            .line_to(RIGHT, y)
            .stroke();
    }

    /// Moves down by `dy`, starting a new page when the bottom is reached.
    fn advance(&mut self, dy: f32) {
        self.y -= dy;
        if self.y < BOTTOM {
            self.pages.push(Content::new());
            self.y = PAGE_H - 64.0;
        }
    }
}

fn method_name(lang: Lang, method: &str) -> String {
    let locale = locale_of(lang);
    match method {
        "card" => td_string!(locale, pdf.method_card),
        "sepa" => td_string!(locale, pdf.method_sepa),
        "mobile_money" => td_string!(locale, pdf.method_mobile_money),
        _ => td_string!(locale, pdf.method_transfer),
    }
    .to_string()
}

/// Renders the document as PDF bytes in `lang`.
pub fn render(doc: &InvoiceDocument, lang: Lang) -> Result<Vec<u8>, AppError> {
    let locale = locale_of(lang);
    let currency = Currency::parse(&doc.currency).ok_or_else(|| {
        tracing::error!(currency = %doc.currency, "invoice in an unknown currency");
        AppError::Internal
    })?;
    let money = |amount: Decimal| format::money(amount, &doc.currency, lang);
    let date = |day: NaiveDate| format::date(day, lang);
    let title = match doc.kind {
        InvoiceKind::Invoice => td_string!(locale, pdf.invoice),
        InvoiceKind::CreditNote => td_string!(locale, pdf.credit_note),
    };

    let mut w = Writer::new();
    // Provider and title.
    w.text(LEFT, w.y, BOLD, 16.0, &doc.provider_name);
    w.right(RIGHT, w.y, BOLD, 16.0, title);
    w.advance(18.0);
    w.right(RIGHT, w.y, REGULAR, 10.0, &doc.number);
    w.advance(40.0);

    // Customer block on the left, the document's facts on the right.
    let top = w.y;
    let mut address = vec![doc.customer_name.clone()];
    address.extend(doc.company_name.clone());
    address.push(doc.street.clone());
    address.push(format!("{} {}", doc.postal_code, doc.city));
    for (i, line) in address.iter().enumerate() {
        w.text(LEFT, top - 14.0 * i as f32, REGULAR, 11.0, line);
    }
    let mut facts = vec![
        (
            td_string!(locale, pdf.customer_number).to_string(),
            doc.customer_number.clone(),
        ),
        (
            td_string!(locale, pdf.date).to_string(),
            date(doc.issue_date),
        ),
    ];
    if let Some((start, end)) = doc.period {
        facts.push((
            td_string!(locale, pdf.period).to_string(),
            format!("{} – {}", date(start), date(end)),
        ));
    }
    facts.push((
        td_string!(locale, pdf.due_date).to_string(),
        date(doc.due_date),
    ));
    // B4: a payment term (Brazil's first invoice: 7 days) is stated, not only implied.
    let term_days = (doc.due_date - doc.issue_date).num_days();
    if term_days > 0 {
        facts.push((
            td_string!(locale, pdf.payment_term).to_string(),
            term_days.to_string(),
        ));
    }
    if let Some(corrected) = &doc.corrects {
        facts.push((
            td_string!(locale, pdf.corrects).to_string(),
            corrected.clone(),
        ));
    }
    for (i, (label, value)) in facts.iter().enumerate() {
        let y = top - 14.0 * i as f32;
        w.text(340.0, y, REGULAR, 10.0, label);
        w.right(RIGHT, y, REGULAR, 10.0, value);
    }
    w.advance(14.0 * address.len().max(facts.len()) as f32 + 30.0);

    // Lines.
    w.text(LEFT, w.y, BOLD, 10.0, td_string!(locale, pdf.description));
    w.right(430.0, w.y, BOLD, 10.0, td_string!(locale, pdf.vat));
    w.right(RIGHT, w.y, BOLD, 10.0, td_string!(locale, pdf.amount));
    w.advance(6.0);
    w.rule(w.y);
    w.advance(14.0);
    for line in &doc.lines {
        let words = match &line.text {
            Some(text) => super::billing::line_words(text, lang),
            None => line.description.clone(),
        };
        w.text(LEFT, w.y, REGULAR, 10.0, &words);
        let rate = format!("{} %", format::number(line.vat_rate, 0, lang));
        w.right(430.0, w.y, REGULAR, 10.0, &rate);
        w.right(RIGHT, w.y, REGULAR, 10.0, &money(line.amount));
        w.advance(14.0);
    }
    w.rule(w.y + 8.0);
    w.advance(10.0);

    // VAT per rate (prices include VAT), then the total.
    let amounts: Vec<(Money, Decimal)> = doc
        .lines
        .iter()
        .map(|l| (Money::round(l.amount, currency), l.vat_rate))
        .collect();
    for vat in breakdown(amounts.iter().map(|(m, r)| (m, *r)), currency) {
        let label = format!(
            "{} {} % · {} {} · {} {}",
            td_string!(locale, pdf.vat),
            format::number(vat.rate, 0, lang),
            td_string!(locale, pdf.net),
            money(vat.net.amount()),
            td_string!(locale, pdf.vat),
            money(vat.vat.amount()),
        );
        w.text(LEFT, w.y, REGULAR, 9.0, &label);
        w.right(RIGHT, w.y, REGULAR, 9.0, &money(vat.gross.amount()));
        w.advance(13.0);
    }
    w.advance(6.0);
    w.text(LEFT, w.y, BOLD, 12.0, td_string!(locale, pdf.total));
    w.right(RIGHT, w.y, BOLD, 12.0, &money(doc.total));
    w.advance(30.0);

    // Payment terms.
    let paid: Decimal = doc.payments.iter().map(|p| p.amount).sum();
    if doc.kind == InvoiceKind::CreditNote {
        w.text(
            LEFT,
            w.y,
            REGULAR,
            10.0,
            td_string!(locale, pdf.credit_terms),
        );
        w.advance(14.0);
    } else if paid >= doc.total && doc.status == InvoiceStatus::Paid {
        for payment in &doc.payments {
            let text = format!(
                "{} {} · {} · {}",
                td_string!(locale, pdf.paid_on),
                date(payment.paid_on),
                method_name(lang, &payment.method),
                money(payment.amount)
            );
            w.text(LEFT, w.y, REGULAR, 10.0, &text);
            w.advance(14.0);
        }
    } else {
        let text = format!(
            "{} {}: {}",
            td_string!(locale, pdf.pay_by),
            date(doc.due_date),
            money(doc.total - paid)
        );
        w.text(LEFT, w.y, REGULAR, 10.0, &text);
        w.advance(14.0);
        let reference = format!("{} {}", td_string!(locale, pdf.reference), doc.number);
        w.text(LEFT, w.y, REGULAR, 10.0, &reference);
        w.advance(14.0);
    }

    // Footer on every page.
    let mut footer = format!("{} {}", td_string!(locale, pdf.questions), doc.support_url);
    if let Some(creditor) = &doc.creditor_id {
        footer.push_str(&format!(
            " · {} {creditor}",
            td_string!(locale, pdf.creditor_id)
        ));
    }
    let count = w.pages.len();
    for index in 0..count {
        let bytes = win_ansi(&format!("{footer} · {}/{}", index + 1, count));
        w.pages[index]
            .begin_text()
            .set_font(REGULAR, 8.0)
            .next_line(LEFT, 48.0)
            .show(Str(&bytes))
            .end_text();
    }

    Ok(assemble(w.pages, &format!("{title} {}", doc.number)))
}

/// The PDF objects around the page contents.
fn assemble(pages: Vec<Content>, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let page_ids: Vec<Ref> = (0..pages.len())
        .map(|i| Ref::new(first + 2 * i as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(pages.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .creator(TextStr("Selfcare"));
    for (content, page_id) in pages.into_iter().zip(page_ids) {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
        pdf.stream(content_id, content.finish().as_slice());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::d;
    use rust_decimal::dec;

    fn document() -> InvoiceDocument {
        InvoiceDocument {
            provider_name: "Lumen Telecom".into(),
            support_url: "https://support.example/".into(),
            creditor_id: Some("BE69ZZZ0123456789".into()),
            customer_number: "100001".into(),
            customer_name: "Claire Dubois".into(),
            company_name: None,
            street: "Rue des Tilleuls 12".into(),
            postal_code: "4000".into(),
            city: "Liège".into(),
            kind: InvoiceKind::Invoice,
            number: "F-2026-000014".into(),
            issue_date: d(2026, 11, 5),
            period: Some((d(2026, 11, 5), d(2026, 12, 4))),
            due_date: d(2026, 11, 19),
            status: InvoiceStatus::Open,
            currency: "EUR".into(),
            total: dec!(40.00),
            corrects: None,
            lines: vec![
                DocumentLine {
                    description: "Trio Internet 200".into(),
                    text: None,
                    amount: dec!(38.00),
                    vat_rate: dec!(21),
                },
                DocumentLine {
                    description: "Décodeur".into(),
                    text: None,
                    amount: dec!(2.00),
                    vat_rate: dec!(21),
                },
            ],
            payments: vec![],
        }
    }

    #[test]
    fn writes_a_pdf_with_the_texts_in_win_ansi() {
        let bytes = render(&document(), Lang::Fr).expect("pdf");
        assert!(bytes.starts_with(b"%PDF-"));
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"F-2026-000014"));
        assert!(has(b"/WinAnsiEncoding"));
        // Non-ASCII text is written as hex: "40,00 €" with a no-break space (A0) and the
        // WinAnsi euro sign (80); "Décodeur" with é as E9.
        let hex = |text: &str| {
            let digits: String = win_ansi(text).iter().map(|b| format!("{b:02X}")).collect();
            bytes
                .windows(digits.len())
                .any(|w| w.eq_ignore_ascii_case(digits.as_bytes()))
        };
        assert!(hex("40,00\u{a0}€"));
        assert!(hex("Décodeur"));
    }

    #[test]
    fn line_texts_are_in_the_language_of_the_pdf() {
        use crate::domain::billing::line_text::LineText;
        let mut doc = document();
        doc.lines.push(DocumentLine {
            description: "Bouquet Sport".into(),
            text: Some(LineText::Option {
                names: [("fr", "Bouquet Sport"), ("en", "Sport bouquet")]
                    .into_iter()
                    .map(|(l, n)| (l.to_string(), n.to_string()))
                    .collect(),
            }),
            amount: dec!(9.99),
            vat_rate: dec!(21),
        });
        doc.lines.push(DocumentLine {
            description: "Neue Konfiguration für die Restlaufzeit vps (183/366)".into(),
            text: Some(LineText::HostingCharge {
                hostname: "vps".into(),
                days_remaining: 183,
                days_total: 366,
            }),
            amount: dec!(100),
            vat_rate: dec!(19),
        });
        let bytes = render(&doc, Lang::En).expect("pdf");
        let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(has(b"Sport bouquet"));
        assert!(!has(b"Bouquet Sport"));
        assert!(has(
            b"New configuration for the remaining term vps (183/366)"
        ));
    }

    #[test]
    fn long_documents_flow_onto_more_pages() {
        let mut doc = document();
        doc.lines = (0..80)
            .map(|i| DocumentLine {
                description: format!("Line {i}"),
                text: None,
                amount: dec!(0.50),
                vat_rate: dec!(21),
            })
            .collect();
        let bytes = render(&doc, Lang::En).expect("pdf");
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 2") || text.contains("/Count 3"),
            "more than one page"
        );
    }

    #[test]
    fn win_ansi_maps_what_the_languages_need() {
        assert_eq!(win_ansi("é€ü–’x"), vec![0xE9, 0x80, 0xFC, 0x96, 0x92, b'x']);
        assert_eq!(win_ansi("✓"), vec![b'?']);
    }
}
