//! Time-based one-time passwords (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) for the
//! two-factor sign-in, the secret's Base32 form (RFC 4648) for authenticator apps, the QR code
//! of its `otpauth://` URI, and recovery codes.
//!
//! Codes follow the wall clock, as the customer's authenticator app does
//! ([`Clock::unix_seconds`], which `SELFCARE_TODAY` does not pin).

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::{backend::clock::Clock, error::AppError};

/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Bytes of a secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 Base32 without padding.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The 6-digit code of `secret` for a time step.
pub fn code_at_step(secret: &[u8], step: u64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return 0;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    value % 1_000_000
}

/// The current step of the wall clock.
pub fn current_step(clock: &Clock) -> u64 {
    clock.unix_seconds() / STEP_SECONDS
}

/// The step a typed code belongs to, within one step of `now` either way (clock drift), and
/// only if it is later than `last_used` (a code works once).
pub fn matching_step(secret: &[u8], code: &str, now: u64, last_used: Option<u64>) -> Option<u64> {
    let typed: u32 = code.parse().ok()?;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|step| last_used.is_none_or(|last| *step > last))
        .find(|step| code_at_step(secret, *step) == typed)
}

/// A new random secret.
pub fn new_secret() -> Result<Vec<u8>, AppError> {
    let mut secret = vec![0_u8; SECRET_BYTES];
    getrandom::fill(&mut secret)
        .map_err(|_| AppError::internal("no randomness for a TOTP secret"))?;
    Ok(secret)
}

/// The URI authenticator apps read from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// The QR code of `data` as an SVG document (rendered by us on the server).
pub fn qr_svg(data: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(data.as_bytes())
        .map_err(|_| AppError::internal("QR code of the otpauth URI"))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in HTML: without the XML declaration.
    Ok(svg
        .find("<svg")
        .map_or(svg.clone(), |start| svg[start..].to_string()))
}

/// Fresh recovery codes (`XXXXX-XXXXX`, 50 random bits each) and their SHA-256 hashes.
pub fn recovery_codes() -> Result<Vec<(String, Vec<u8>)>, AppError> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0_u8; 7];
            getrandom::fill(&mut bytes)
                .map_err(|_| AppError::internal("no randomness for recovery codes"))?;
            let text = base32(&bytes);
            let code = format!("{}-{}", &text[..5], &text[5..10]);
            let hash = recovery_hash(&code);
            Ok((code, hash))
        })
        .collect()
}

/// The hash a recovery code is stored and looked up by: its letters and digits only,
/// upper-cased (so "abcde fghij" works too).
pub fn recovery_hash(typed: &str) -> Vec<u8> {
    let clean: String = typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(clean.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_of_rfc_4648_examples() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"fo"), "MZXQ");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn rfc_6238_test_vectors() {
        // Appendix B, SHA-1, secret "12345678901234567890", last 6 of the 8 digits.
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59_u64, 287_082),
            (1_111_111_109, 81_804),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
        ] {
            assert_eq!(
                code_at_step(secret, time / STEP_SECONDS),
                code,
                "t = {time}"
            );
        }
    }

    #[test]
    fn a_code_matches_once_within_one_step() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_109 / STEP_SECONDS;
        let code = format!("{:06}", code_at_step(secret, now));
        assert_eq!(matching_step(secret, &code, now, None), Some(now));
        assert_eq!(matching_step(secret, &code, now + 1, None), Some(now));
        assert_eq!(matching_step(secret, &code, now + 2, None), None);
        assert_eq!(matching_step(secret, &code, now, Some(now)), None, "replay");
        assert_eq!(matching_step(secret, "abc", now, None), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgiving() {
        let codes = recovery_codes().expect("codes");
        assert_eq!(codes.len(), RECOVERY_CODES);
        let (code, hash) = &codes[0];
        assert_eq!(code.len(), 11);
        assert_eq!(&recovery_hash(&code.to_lowercase().replace('-', " ")), hash);
        assert!(codes.iter().skip(1).all(|(c, _)| c != code));
    }

    #[test]
    fn uri_and_qr() {
        let uri = otpauth_uri("Lumen Telecom", "sam@example.be", b"12345678901234567890");
        assert!(uri.starts_with("otpauth://totp/Lumen%20Telecom:sam@example.be?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Lumen%20Telecom"));
        assert!(qr_svg(&uri).expect("svg").starts_with("<svg"));
    }
}
