//! An invoice line's words: stored as a kind and parameters, said in each reader's language
//! (I2, P4).

use crate::{
    domain::{
        account::Service,
        billing::{
            line_text::{LineText, name_in},
            preview::{LineKind, PreviewLine},
        },
        format,
        lang::Lang,
    },
    error::AppError,
    i18n::*,
};

/// The text of a preview line to store with the invoice (`None`: its label, a plan's name, is
/// the same in every language).
pub fn line_text_of(line: &PreviewLine) -> Option<LineText> {
    match line.kind {
        LineKind::Recurring => None,
        LineKind::Proration => Some(LineText::PlanChange {
            label: line.label.clone(),
        }),
        LineKind::Overage => Some(LineText::Overage {
            gigabytes: line.quantity.unwrap_or(0),
        }),
    }
}

/// The text of a preview line in `lang`.
pub fn describe(line: &PreviewLine, lang: Lang) -> String {
    match line_text_of(line) {
        Some(text) => line_words(&text, lang),
        None => line.label.clone(),
    }
}

/// An invoice line's text in `lang` (I2, P4).
pub fn line_words(text: &LineText, lang: Lang) -> String {
    let locale = locale_of(lang);
    match text {
        LineText::Option { names } => name_in(names, lang),
        LineText::CallsOutsideBundle => td_string!(locale, pdf.calls_outside_bundle).to_string(),
        LineText::ServiceCredit { service } => {
            let name = match service {
                Service::Tv => td_string!(locale, service.tv),
                Service::Internet => td_string!(locale, service.internet),
                Service::Fixed => td_string!(locale, service.fixed),
                Service::Mobile => td_string!(locale, service.mobile),
                Service::Satellite => td_string!(locale, service.satellite),
                Service::Hosting => td_string!(locale, service.hosting),
            };
            format!("{}: {name}", td_string!(locale, pdf.service_credit))
        }
        LineText::PlanChange { label } => format!(
            "{}: {label}",
            td_string!(locale, next_invoice.line_plan_change)
        ),
        LineText::Overage { gigabytes } => format!(
            "{}: {} GB",
            td_string!(locale, next_invoice.line_overage),
            format::number((*gigabytes).into(), 0, lang)
        ),
        LineText::HostingCharge {
            hostname,
            days_remaining,
            days_total,
        } => format!(
            "{} {hostname} ({days_remaining}/{days_total})",
            td_string!(locale, services.line_charge)
        ),
        LineText::HostingCredit {
            hostname,
            days_remaining,
            days_total,
        } => format!(
            "{} {hostname} ({days_remaining}/{days_total})",
            td_string!(locale, services.line_credit)
        ),
        LineText::HostingRenewal { hostname, from, to } => format!(
            "{} {hostname} ({} – {})",
            td_string!(locale, services.line_renewal),
            format::date(*from, lang),
            format::date(*to, lang)
        ),
    }
}

/// The stored form of a line's text (`invoice_lines.line_text`).
pub fn stored_line_text(text: &LineText) -> Result<String, AppError> {
    serde_json::to_string(text).map_err(|err| {
        tracing::error!(error = %err, "line text not encoded");
        AppError::Internal
    })
}

/// A stored line text read back; `None` for none, or one this version cannot read (its stored
/// description is shown instead).
pub fn read_line_text(stored: Option<&str>) -> Option<LineText> {
    serde_json::from_str(stored?)
        .inspect_err(|err| tracing::info!(error = %err, "line text not read"))
        .ok()
}
