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

/// The sliding window over which failures count (S3).
pub const WINDOW_MINUTES: i64 = 15;
/// Failures of one account from one address that cost nothing; each further one waits twice as
/// long as the one before (1 s, 2 s, 4 s …) after the last.
pub const FREE_PAIR_FAILURES: i64 = 3;
/// Failures from one address, over any accounts, that cost nothing (several people may share
/// an address, so the bar is higher); then the same doubling wait for that address.
pub const FREE_ADDRESS_FAILURES: i64 = 20;
/// The longest wait the doubling reaches.
pub const MAX_WAIT_SECS: i64 = 15 * 60;
/// Failures of one account from anywhere within the window past which only the right password
/// from an address without failures for that account gets in (guesses spread over many
/// addresses).
pub const ACCOUNT_CAP: i64 = 50;

/// The failures within the window that bear on one attempt at one account from one address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecentFailures {
    /// Of this account from this address, and seconds since the last of them.
    pub pair: i64,
    pub pair_last_secs: Option<i64>,
    /// From this address for any account, and seconds since the last of them.
    pub address: i64,
    pub address_last_secs: Option<i64>,
    /// Of this account from anywhere.
    pub account: i64,
}

/// The wait `failures` impose after the last of them: none while they are free, then 1 s,
/// 2 s, 4 s … up to `MAX_WAIT_SECS`.
pub fn wait_after(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(20);
    (1_i64 << doublings).min(MAX_WAIT_SECS)
}

/// Whether an attempt is refused now (S3, issue 24). An attacker guessing one account from one
/// address, or many accounts from one address, is slowed down more with every failure; the
/// owner elsewhere is not locked out by them. Past the per-account cap only an address without
/// failures for the account may try (the caller still checks the password).
pub fn throttled(f: &RecentFailures) -> bool {
    let waiting = |failures: i64, free: i64, since: Option<i64>| {
        since.is_some_and(|since| since < wait_after(failures, free))
    };
    waiting(f.pair, FREE_PAIR_FAILURES, f.pair_last_secs)
        || waiting(f.address, FREE_ADDRESS_FAILURES, f.address_last_secs)
        || (f.account >= ACCOUNT_CAP && f.pair > 0)
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
    fn failures_slow_down_without_locking_the_owner_out() {
        let at = |pair, pair_last, address, address_last, account| RecentFailures {
            pair,
            pair_last_secs: Some(pair_last),
            address,
            address_last_secs: Some(address_last),
            account,
        };
        assert_eq!(
            (0..6).map(|n| wait_after(n, 3)).collect::<Vec<_>>(),
            [0, 0, 0, 1, 2, 4]
        );
        assert_eq!(wait_after(40, 3), MAX_WAIT_SECS);
        assert!(!throttled(&RecentFailures::default()));
        // Three free failures of one account from one address, then a wait that doubles.
        assert!(!throttled(&at(2, 0, 2, 0, 2)));
        assert!(throttled(&at(3, 0, 3, 0, 3)));
        assert!(!throttled(&at(3, 1, 3, 1, 3)));
        assert!(throttled(&at(5, 3, 5, 3, 5)));
        assert!(!throttled(&at(5, 4, 5, 4, 5)));
        // One address trying many accounts: twenty free, then the same doubling.
        assert!(!throttled(&at(0, 0, 19, 0, 0)));
        assert!(throttled(&at(0, 0, 20, 0, 0)));
        // The owner from a clean address is never held by an attacker elsewhere…
        let owner = RecentFailures {
            account: 49,
            ..RecentFailures::default()
        };
        assert!(!throttled(&owner));
        // …even past the cap; an address with failures for the account is, past the cap.
        let capped = RecentFailures {
            account: ACCOUNT_CAP,
            ..RecentFailures::default()
        };
        assert!(!throttled(&capped));
        assert!(throttled(&at(1, 600, 1, 600, ACCOUNT_CAP)));
    }
}
