//! Security rules (S2, S3): the security questions, how answers compare, and when repeated
//! failures lock an account or a client address for a while.

use serde::{Deserialize, Serialize};

use crate::domain::validation::FieldProblem;

/// The questions a login can choose from (their texts are in the locale files).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecurityQuestion {
    FirstPet,
    BirthCity,
    FirstSchool,
    ChildhoodStreet,
    FavouriteTeacher,
}

impl SecurityQuestion {
    /// Every question, in display order.
    pub const ALL: [SecurityQuestion; 5] = [
        SecurityQuestion::FirstPet,
        SecurityQuestion::BirthCity,
        SecurityQuestion::FirstSchool,
        SecurityQuestion::ChildhoodStreet,
        SecurityQuestion::FavouriteTeacher,
    ];

    /// The database and form spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SecurityQuestion::FirstPet => "first_pet",
            SecurityQuestion::BirthCity => "birth_city",
            SecurityQuestion::FirstSchool => "first_school",
            SecurityQuestion::ChildhoodStreet => "childhood_street",
            SecurityQuestion::FavouriteTeacher => "favourite_teacher",
        }
    }

    /// Parses the spelling of [`SecurityQuestion::as_str`].
    pub fn parse(s: &str) -> Option<SecurityQuestion> {
        SecurityQuestion::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

/// The shortest and longest answer (characters, after normalising).
pub const ANSWER_MIN_CHARS: usize = 2;
pub const ANSWER_MAX_CHARS: usize = 100;

/// The form of an answer that is hashed and compared: lower case, all whitespace removed, so
/// that "  Rue  du Moulin" and "rue du moulin" match.
pub fn normalize_answer(raw: &str) -> Result<String, FieldProblem> {
    let answer: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    if answer.is_empty() {
        return Err(FieldProblem::Required);
    }
    let chars = answer.chars().count();
    if !(ANSWER_MIN_CHARS..=ANSWER_MAX_CHARS).contains(&chars)
        || answer.chars().any(char::is_control)
    {
        return Err(FieldProblem::AnswerInvalid);
    }
    Ok(answer)
}

/// The sliding window over which failures count, and the lockout after too many.
pub const WINDOW_MINUTES: i64 = 15;
/// Failures of one account (email) within the window before it is locked.
pub const MAX_ACCOUNT_FAILURES: i64 = 5;
/// Failures from one client address within the window before it is locked (several people
/// may share an address, so the bar is higher).
pub const MAX_IP_FAILURES: i64 = 20;

/// Whether the recent failures lock the next attempt.
pub fn locked(account_failures: i64, ip_failures: i64) -> bool {
    account_failures >= MAX_ACCOUNT_FAILURES || ip_failures >= MAX_IP_FAILURES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_ignore_case_and_spaces() {
        assert_eq!(
            normalize_answer("  Rue  du Moulin "),
            normalize_answer("rue du moulin")
        );
        assert_eq!(normalize_answer("Élodie"), Ok("élodie".into()));
        assert_eq!(normalize_answer("  "), Err(FieldProblem::Required));
        assert_eq!(normalize_answer("a"), Err(FieldProblem::AnswerInvalid));
        assert_eq!(
            normalize_answer(&"a".repeat(101)),
            Err(FieldProblem::AnswerInvalid)
        );
    }

    #[test]
    fn questions_round_trip() {
        for q in SecurityQuestion::ALL {
            assert_eq!(SecurityQuestion::parse(q.as_str()), Some(q));
        }
        assert_eq!(SecurityQuestion::parse("mother_maiden_name"), None);
    }

    #[test]
    fn lockout_thresholds() {
        assert!(!locked(4, 19));
        assert!(locked(5, 0));
        assert!(locked(0, 20));
    }
}
