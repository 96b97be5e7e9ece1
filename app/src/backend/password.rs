//! Password hashing with argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1).
//!
//! Hashing runs on the blocking pool so that it never stalls the async workers, and at most
//! one hash per core runs at a time (a semaphore): a burst of sign-ins queues there instead of
//! taking every core and 19 MiB each from the pages (issue 9). An unknown email is verified
//! against a dummy hash, so it takes as long as a wrong password (S3).

use std::sync::{
    LazyLock,
    atomic::{AtomicUsize, Ordering},
};

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::{
    domain::validation::{FieldProblem, check_new_password},
    error::{AppError, FieldError},
};

fn hash_blocking(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AppError::Internal
        })
}

static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("selfcare-timing-equaliser").ok());

/// How many argon2 computations may run at once: one per core.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from))
});
/// Computations running now, and the most seen at once (for the test of the bound).
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The most argon2 computations that ran at the same time since start.
pub fn peak_concurrent_hashes() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Runs `work` on the blocking pool once a hashing permit is free.
async fn bounded<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|_| AppError::internal("password hashing semaphore closed"))?;
    tokio::task::spawn_blocking(move || {
        let now = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(now, Ordering::SeqCst);
        let result = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        result
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "password hashing task failed");
        AppError::Internal
    })?
}

/// Hashes a new password (argon2id, random salt, PHC string).
pub async fn hash(password: String) -> Result<String, AppError> {
    bounded(move || hash_blocking(&password)).await
}

/// Checks `password` against `stored`; with no stored hash (unknown login) it does the same
/// work against a dummy hash and answers `false`.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    bounded(move || {
        let known = stored.is_some();
        let hash = match stored {
            Some(hash) => hash,
            None => DUMMY_HASH.clone().ok_or(AppError::Internal)?,
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        Ok(known && matches)
    })
    .await
}

/// Whether a new password is hard enough to guess: zxcvbn's score of at least 3 of 4
/// ("safely unguessable"), with the login's email, its local part and the words in it as known
/// inputs (so "claire.dubois2024" is weak for claire.dubois@…).
pub async fn strong_enough(password: String, email: &str) -> Result<bool, AppError> {
    let local = email.split('@').next().unwrap_or_default();
    let mut own_words: Vec<String> = vec![email.to_string(), local.to_string()];
    own_words.extend(
        email
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 3)
            .map(str::to_string),
    );
    tokio::task::spawn_blocking(move || {
        let words: Vec<&str> = own_words.iter().map(String::as_str).collect();
        zxcvbn::zxcvbn(&password, &words).score() >= zxcvbn::Score::Three
    })
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "password strength task failed");
        AppError::Internal
    })
}

/// What is wrong with a password chosen on a form with the fields `password` and
/// `password_confirm` (registration, reset): the rules, then its strength, then the repetition.
pub async fn problem_with_choice(
    password: &str,
    confirm: &str,
    email: &str,
) -> Result<Option<FieldError>, AppError> {
    let (field, problem) = if let Err(problem) = check_new_password(password, email) {
        ("password", problem)
    } else if !strong_enough(password.to_string(), email).await? {
        ("password", FieldProblem::PasswordWeak)
    } else if password != confirm {
        ("password_confirm", FieldProblem::PasswordsDiffer)
    } else {
        return Ok(None);
    };
    Ok(Some(FieldError {
        field: field.into(),
        problem,
    }))
}

/// Hashes synchronously; for loaders and tests that are not on an async worker.
pub fn hash_now(password: &str) -> Result<String, AppError> {
    hash_blocking(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let hash = hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery".into(), Some(hash.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify("wrong horse battery".into(), Some(hash))
                .await
                .expect("verify")
        );
        assert!(!verify("anything".into(), None).await.expect("verify"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_burst_of_verifications_runs_one_per_core() {
        let stored = hash_now("burst test password").expect("hash");
        let burst: Vec<_> = (0..12)
            .map(|_| tokio::spawn(verify("wrong".into(), Some(stored.clone()))))
            .collect();
        for task in burst {
            assert!(!task.await.expect("task").expect("verify"));
        }
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let peak = peak_concurrent_hashes();
        assert!(
            peak >= 1 && peak <= cores,
            "{peak} hashes at once on {cores} cores"
        );
    }

    #[tokio::test]
    async fn strength() {
        let own = "claire.dubois@example.be";
        for weak in [
            "password1234",
            "claire.dubois2024",
            "aaaaaaaaaaaa",
            "qwertyuiop12",
        ] {
            assert!(
                !strong_enough(weak.into(), own).await.expect("score"),
                "{weak}"
            );
        }
        for strong in [
            "a long enough passphrase",
            "Velo-Rouge-Sur-Meuse-42",
            "Trio-demo-2025-nouveau",
        ] {
            assert!(
                strong_enough(strong.into(), own).await.expect("score"),
                "{strong}"
            );
        }
    }
}
