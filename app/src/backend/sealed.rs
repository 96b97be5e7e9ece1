//! Secrets at rest (issue 24 item 15): IBANs and two-factor secrets are stored sealed with
//! AES-256-GCM under a data key from `SELFCARE_DATA_KEY`, never in clear.
//!
//! A sealed value is `key id (1 byte) ‖ nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)`: the
//! key id beside each value says which key opens it, so keys can be rotated (`selfcare-server
//! rotate-data-key` seals every value again under the current key). The associated data names
//! what the value is and whose (`iban:<customer id>`, `totp:<login id>`), so a value copied to
//! another row or column does not open.
//!
//! `SELFCARE_DATA_KEY` is a comma-separated list of `<id>:<64 hex digits>` (id 1–255), the
//! first one sealing, all of them opening. Key id 0 is the demo key, compiled in and public:
//! it is used only with the demo data, and the server refuses to start without a real key
//! otherwise.

use ring::{
    aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    rand::{SecureRandom, SystemRandom},
};

use crate::error::AppError;

/// The demo key's id: values sealed with it open only where the demo key is loaded.
pub const DEMO_KEY_ID: u8 = 0;
/// The demo key. Public by design: demo data is not secret.
const DEMO_KEY: [u8; 32] = *b"selfcare demo key, not a secret!";
const TAG_LEN: usize = 16;

/// The data keys of this process.
pub struct DataKeys {
    /// Seals; the first of the configured list.
    current: u8,
    keys: Vec<(u8, LessSafeKey)>,
    rng: SystemRandom,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key material.
        let ids: Vec<u8> = self.keys.iter().map(|(id, _)| *id).collect();
        f.debug_struct("DataKeys")
            .field("current", &self.current)
            .field("ids", &ids)
            .finish()
    }
}

/// What a sealed value is and whose: the associated data of its seal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The IBAN of a customer's SEPA mandate.
    Iban { customer_id: i64 },
    /// A login's TOTP secret (active or pending).
    Totp { login_id: i64 },
}

impl Purpose {
    fn aad(self) -> String {
        match self {
            Purpose::Iban { customer_id } => format!("iban:{customer_id}"),
            Purpose::Totp { login_id } => format!("totp:{login_id}"),
        }
    }
}

fn key(bytes: &[u8]) -> Result<LessSafeKey, String> {
    UnboundKey::new(&AES_256_GCM, bytes)
        .map(LessSafeKey::new)
        .map_err(|_| "a data key must be 32 bytes".to_string())
}

fn hex32(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0_u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl DataKeys {
    /// The keys of `SELFCARE_DATA_KEY` (`<id>:<64 hex digits>`, comma-separated, the first
    /// sealing). The demo key is not accepted here.
    pub fn parse(spec: &str) -> Result<DataKeys, String> {
        let mut keys = Vec::new();
        for entry in spec.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (id, hex) = entry
                .split_once(':')
                .ok_or("each data key is <id>:<64 hex digits>")?;
            let id: u8 = id
                .trim()
                .parse()
                .ok()
                .filter(|id| *id != DEMO_KEY_ID)
                .ok_or("a data key id is a number from 1 to 255")?;
            if keys.iter().any(|(other, _)| *other == id) {
                return Err(format!("data key id {id} is given twice"));
            }
            let bytes = hex32(hex).ok_or("a data key is 64 hex digits (32 bytes)")?;
            keys.push((id, key(&bytes)?));
        }
        let current = keys.first().map(|(id, _)| *id).ok_or("no data key given")?;
        Ok(DataKeys {
            current,
            keys,
            rng: SystemRandom::new(),
        })
    }

    /// The public demo key, for the demo data only.
    pub fn demo() -> DataKeys {
        DataKeys {
            current: DEMO_KEY_ID,
            keys: vec![(DEMO_KEY_ID, key(&DEMO_KEY).expect("32 bytes"))],
            rng: SystemRandom::new(),
        }
    }

    /// The id of the key that seals.
    pub fn current_id(&self) -> u8 {
        self.current
    }

    /// Seals `plain` as `purpose` under the current key.
    pub fn seal(&self, purpose: Purpose, plain: &[u8]) -> Result<Vec<u8>, AppError> {
        let (id, key) = self
            .keys
            .iter()
            .find(|(id, _)| *id == self.current)
            .ok_or_else(|| AppError::internal("the current data key is not loaded"))?;
        let mut nonce = [0_u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| {
            tracing::error!("no randomness for a nonce");
            AppError::Internal
        })?;
        let mut body = plain.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(purpose.aad().as_bytes()),
            &mut body,
        )
        .map_err(|_| AppError::internal("sealing failed"))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + body.len());
        out.push(*id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&body);
        Ok(out)
    }

    /// Opens a value sealed as `purpose`. A value that does not open (unknown key id, another
    /// row's value, altered bytes) is an internal error, logged without the value.
    pub fn open(&self, purpose: Purpose, sealed: &[u8]) -> Result<Vec<u8>, AppError> {
        let refuse = |why: &str| {
            tracing::error!(
                ?purpose,
                key_id = sealed.first(),
                why,
                "a sealed value does not open"
            );
            AppError::Internal
        };
        if sealed.len() < 1 + NONCE_LEN + TAG_LEN {
            return Err(refuse("too short"));
        }
        let (id, rest) = (sealed[0], &sealed[1..]);
        let (_, key) = self
            .keys
            .iter()
            .find(|(known, _)| *known == id)
            .ok_or_else(|| refuse("key id not configured"))?;
        let (nonce, body) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| refuse("nonce"))?;
        let mut body = body.to_vec();
        let plain = key
            .open_in_place(nonce, Aad::from(purpose.aad().as_bytes()), &mut body)
            .map_err(|_| refuse("authentication failed"))?;
        Ok(plain.to_vec())
    }

    /// Opens a sealed text value (an IBAN).
    pub fn open_text(&self, purpose: Purpose, sealed: &[u8]) -> Result<String, AppError> {
        String::from_utf8(self.open(purpose, sealed)?)
            .map_err(|_| AppError::internal("an opened IBAN is not UTF-8"))
    }

    /// Whether `sealed` is under another key than the current one (rotation reseals it).
    pub fn is_stale(&self, sealed: &[u8]) -> bool {
        sealed.first() != Some(&self.current)
    }

    /// A new random key, as `SELFCARE_DATA_KEY` spells it (without the id).
    pub fn new_key_hex() -> Result<String, AppError> {
        let mut bytes = [0_u8; 32];
        SystemRandom::new()
            .fill(&mut bytes)
            .map_err(|_| AppError::internal("no randomness for a data key"))?;
        Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const K2: &str = "2:ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1eff";

    #[test]
    fn a_sealed_value_opens_only_as_itself() {
        let keys = DataKeys::parse(K1).expect("keys");
        let iban = Purpose::Iban { customer_id: 7 };
        let sealed = keys.seal(iban, b"DE89370400440532013000").expect("seal");
        assert_eq!(sealed[0], 1, "the key id leads");
        assert!(
            !sealed.windows(4).any(|w| w == b"DE89" || w == b"3000"),
            "no clear text in the sealed value"
        );
        assert_eq!(
            keys.open_text(iban, &sealed).expect("open"),
            "DE89370400440532013000"
        );
        // Two seals of one value differ (fresh nonces).
        assert_ne!(
            sealed,
            keys.seal(iban, b"DE89370400440532013000").expect("seal")
        );
        // Another customer's row, another column, one flipped bit: refused.
        assert!(
            keys.open(Purpose::Iban { customer_id: 8 }, &sealed)
                .is_err()
        );
        assert!(keys.open(Purpose::Totp { login_id: 7 }, &sealed).is_err());
        let mut altered = sealed.clone();
        *altered.last_mut().expect("byte") ^= 1;
        assert!(keys.open(iban, &altered).is_err());
        assert!(keys.open(iban, &sealed[..20]).is_err());
    }

    #[test]
    fn rotation_opens_old_values_and_seals_with_the_first_key() {
        let old = DataKeys::parse(K1).expect("old");
        let totp = Purpose::Totp { login_id: 3 };
        let sealed = old.seal(totp, &[9; 20]).expect("seal");
        let both = DataKeys::parse(&format!("{K2},{K1}")).expect("both");
        assert_eq!(both.current_id(), 2);
        assert!(both.is_stale(&sealed));
        assert_eq!(both.open(totp, &sealed).expect("open"), vec![9; 20]);
        let resealed = both.seal(totp, &[9; 20]).expect("reseal");
        assert!(!both.is_stale(&resealed));
        // Without the old key the old value no longer opens; the demo key opens neither.
        let new_only = DataKeys::parse(K2).expect("new");
        assert!(new_only.open(totp, &sealed).is_err());
        assert!(DataKeys::demo().open(totp, &resealed).is_err());
    }

    #[test]
    fn key_lists_are_checked() {
        for bad in [
            "",
            "1:abc",
            "0:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "x:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
            "1:zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        ] {
            assert!(DataKeys::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            DataKeys::parse(&format!("{K1},{K1}")).is_err(),
            "an id twice"
        );
        let hex = DataKeys::new_key_hex().expect("key");
        assert!(DataKeys::parse(&format!("9:{hex}")).is_ok());
    }
}
