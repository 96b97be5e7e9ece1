//! What an invoice line says, as a kind and its parameters (I2, P4). Stored with the line
//! (`invoice_lines.text`), it is put into words in the language a PDF or a page asks for, so
//! an English PDF never carries the French name of an option. Lines without it (texts a
//! provider sent as they are) show their stored description.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{account::Service, lang::Lang};

/// The text of an invoice line, before it is put into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "params", rename_all = "snake_case")]
pub enum LineText {
    /// A catalogue option, with its name in each language (`de`, `fr`, `nl`, `en`).
    Option { names: BTreeMap<String, String> },
    /// Calls outside the bundle of a line.
    CallsOutsideBundle,
    /// A goodwill credit for an interruption of a service.
    ServiceCredit { service: Service },
    /// The proration of a plan change (B5): "Sky 50 → Sky 100".
    PlanChange { label: String },
    /// Data beyond the allowance, in started GB (B5).
    Overage { gigabytes: u64 },
    /// Hosting (X2): the new configuration for the rest of the term.
    HostingCharge {
        hostname: String,
        days_remaining: i64,
        days_total: i64,
    },
    /// Hosting (X2): the credit for the unused part of the old configuration.
    HostingCredit {
        hostname: String,
        days_remaining: i64,
        days_total: i64,
    },
    /// Hosting (issue 28 item 5): the next term, invoiced the day after the last one ended.
    HostingRenewal {
        hostname: String,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    },
}

/// A name in `lang`, else in English, else any.
pub fn name_in(names: &BTreeMap<String, String>, lang: Lang) -> String {
    names
        .get(lang.code())
        .or_else(|| names.get("en"))
        .or_else(|| names.values().next())
        .cloned()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_round_trip_as_json() {
        let texts = [
            LineText::Option {
                names: BTreeMap::from([
                    ("fr".into(), "Bouquet Sport".into()),
                    ("en".into(), "Sport bouquet".into()),
                ]),
            },
            LineText::CallsOutsideBundle,
            LineText::ServiceCredit {
                service: Service::Internet,
            },
            LineText::PlanChange {
                label: "Sky 50 → Sky 100".into(),
            },
            LineText::Overage { gigabytes: 3 },
            LineText::HostingCharge {
                hostname: "vps".into(),
                days_remaining: 183,
                days_total: 366,
            },
        ];
        for text in texts {
            let json = serde_json::to_string(&text).expect("json");
            assert_eq!(serde_json::from_str::<LineText>(&json).expect("back"), text);
        }
        assert!(serde_json::from_str::<LineText>(r#"{"kind":"later_kind"}"#).is_err());
    }

    #[test]
    fn names_fall_back_to_english() {
        let names = BTreeMap::from([
            ("fr".into(), "Bouquet Sport".into()),
            ("en".into(), "Sport bouquet".into()),
        ]);
        assert_eq!(name_in(&names, Lang::Fr), "Bouquet Sport");
        assert_eq!(name_in(&names, Lang::De), "Sport bouquet");
    }
}
