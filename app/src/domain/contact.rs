//! Contact data of a customer (M1): the checks of the form, field by field, and what changed
//! (for the change record).

use serde::{Deserialize, Serialize};

use crate::domain::{
    products::{check_address_text, check_postal_code},
    validation::{FieldProblem, check_email, normalize_email, normalize_phone},
};

/// The contact data a holder keeps up to date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub street: String,
    pub postal_code: String,
    pub city: String,
}

/// One changed field: its form name, the old and the new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// The longest name part.
pub const NAME_MAX_CHARS: usize = 60;

/// A first or last name: inner whitespace collapsed; letters of any script, spaces, hyphens,
/// apostrophes and dots; at most [`NAME_MAX_CHARS`].
pub fn check_name(raw: &str) -> Result<String, FieldProblem> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(FieldProblem::Required);
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
    if name.chars().count() > NAME_MAX_CHARS || !name.chars().all(allowed) {
        return Err(FieldProblem::NameInvalid);
    }
    Ok(name)
}

/// Checks a posted contact form for a customer in `country`: the clean data, or every field
/// problem at once (form names). The phone is optional.
pub fn check_contact(
    raw: &Contact,
    country: &str,
) -> Result<Contact, Vec<(&'static str, FieldProblem)>> {
    let email = normalize_email(&raw.email);
    let phone = match raw.phone.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(phone) => normalize_phone(phone).map(Some),
    };
    let checks = (
        check_name(&raw.first_name),
        check_name(&raw.last_name),
        check_email(&email).map(|()| email),
        phone,
        check_address_text(&raw.street),
        check_postal_code(&raw.postal_code, country),
        check_address_text(&raw.city),
    );
    match checks {
        (
            Ok(first_name),
            Ok(last_name),
            Ok(email),
            Ok(phone),
            Ok(street),
            Ok(postal_code),
            Ok(city),
        ) => Ok(Contact {
            first_name,
            last_name,
            email,
            phone,
            street,
            postal_code,
            city,
        }),
        (first, last, email, phone, street, postal, city) => Err([
            ("first_name", first.err()),
            ("last_name", last.err()),
            ("email", email.err()),
            ("phone", phone.err()),
            ("street", street.err()),
            ("postal_code", postal.err()),
            ("city", city.err()),
        ]
        .into_iter()
        .filter_map(|(field, problem)| problem.map(|p| (field, p)))
        .collect()),
    }
}

/// The fields that differ between `old` and `new`, in form order.
pub fn changes(old: &Contact, new: &Contact) -> Vec<FieldChange> {
    let pairs: [(&'static str, Option<&String>, Option<&String>); 7] = [
        ("first_name", Some(&old.first_name), Some(&new.first_name)),
        ("last_name", Some(&old.last_name), Some(&new.last_name)),
        ("email", Some(&old.email), Some(&new.email)),
        ("phone", old.phone.as_ref(), new.phone.as_ref()),
        ("street", Some(&old.street), Some(&new.street)),
        (
            "postal_code",
            Some(&old.postal_code),
            Some(&new.postal_code),
        ),
        ("city", Some(&old.city), Some(&new.city)),
    ];
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| FieldChange {
            field,
            old: old.cloned(),
            new: new.cloned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claire() -> Contact {
        Contact {
            first_name: "Claire".into(),
            last_name: "Dubois".into(),
            email: "claire.dubois@example.be".into(),
            phone: Some("+3242001122".into()),
            street: "Rue Saint-Gilles 12".into(),
            postal_code: "4000".into(),
            city: "Liège".into(),
        }
    }

    #[test]
    fn names() {
        assert_eq!(check_name("  Anne   Marie "), Ok("Anne Marie".into()));
        assert_eq!(check_name("O’Neill-Dupont"), Ok("O’Neill-Dupont".into()));
        assert_eq!(check_name("Łukasz"), Ok("Łukasz".into()));
        assert_eq!(check_name(""), Err(FieldProblem::Required));
        assert_eq!(check_name("R2D2"), Err(FieldProblem::NameInvalid));
        assert_eq!(check_name(&"a".repeat(61)), Err(FieldProblem::NameInvalid));
    }

    #[test]
    fn a_clean_form_is_normalised() {
        let raw = Contact {
            email: " Claire.Dubois@Example.BE ".into(),
            phone: Some("+32 4 200 11 22".into()),
            postal_code: " 4000 ".into(),
            ..claire()
        };
        assert_eq!(check_contact(&raw, "BE"), Ok(claire()));
        let no_phone = Contact {
            phone: Some("  ".into()),
            ..claire()
        };
        assert_eq!(check_contact(&no_phone, "BE").map(|c| c.phone), Ok(None));
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let raw = Contact {
            first_name: String::new(),
            email: "claire@".into(),
            phone: Some("04 200 11 22".into()),
            postal_code: "400".into(),
            ..claire()
        };
        assert_eq!(
            check_contact(&raw, "BE"),
            Err(vec![
                ("first_name", FieldProblem::Required),
                ("email", FieldProblem::EmailInvalid),
                ("phone", FieldProblem::PhoneInvalid),
                ("postal_code", FieldProblem::PostalCodeInvalid),
            ])
        );
    }

    #[test]
    fn changes_list_only_what_differs() {
        assert!(changes(&claire(), &claire()).is_empty());
        let new = Contact {
            phone: None,
            city: "Liege".into(),
            ..claire()
        };
        assert_eq!(
            changes(&claire(), &new),
            vec![
                FieldChange {
                    field: "phone",
                    old: Some("+3242001122".into()),
                    new: None
                },
                FieldChange {
                    field: "city",
                    old: Some("Liège".into()),
                    new: Some("Liege".into())
                },
            ]
        );
    }
}
