//! State that codemode hands a client to carry, sealed: the journal of a
//! failed execution's calls inside a resume token, so that a corrected
//! program can be run without making them again; and the journal of a
//! paused execution, its questions and a digest of its program inside the
//! `requestState` of an `input_required` answer. Either works on this
//! process or on another replica that shares the key.
//!
//! A token is `cm1.` and the base64url of a random 96-bit nonce followed by
//! the payload (JSON: an expiry time and what it carries) sealed with
//! ChaCha20-Poly1305 (ring). The associated data names what the token is for
//! and, when the server has a bearer token, a SHA-256 of it: a token sealed
//! for one purpose, or behind another bearer token, does not open. Tool
//! results can be confidential, so the payload is encrypted, not only
//! signed.
//!
//! Edges: a token that is not one, was changed, was sealed under another
//! key or bearer token, has expired or is over the size cap is refused with
//! a message saying which, and nothing runs. A journal too large for the
//! cap gets no token at all. The key is 32 bytes from `--state-key-file` or
//! `CODEMODE_STATE_KEY` (64 hex digits); without one, each process draws its
//! own, and tokens only open in the process that made them.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::input::Question;
use crate::journal::Journal;

const PREFIX: &str = "cm1.";

/// The 32-byte key sealed state is encrypted under.
#[derive(Clone, PartialEq, Eq)]
pub struct StateKey([u8; 32]);

impl StateKey {
    /// A key drawn from the system's random source: state sealed under it
    /// opens only in this process.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::Setup`] when the system's random source fails
    /// (never a guessable key instead).
    pub fn random() -> Result<Self, Error> {
        let mut key = [0; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| Error::new(crate::ErrorKind::Setup, "the system's random source failed"))?;
        Ok(Self(key))
    }

    /// A key written as 64 hex digits (surrounding whitespace ignored), as
    /// `openssl rand -hex 32` prints one.
    ///
    /// # Errors
    ///
    /// [`crate::ErrorKind::InvalidLimits`] ([`Error::limit`] `"state_key"`)
    /// when `text` is not 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, Error> {
        let text = text.trim();
        let invalid = || {
            Error::invalid_limit(
                "state_key",
                format!(
                    "the state key must be 64 hex digits (32 bytes, e.g. from `openssl rand -hex 32`); got {} \
                     characters",
                    text.chars().count()
                ),
            )
        };
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid());
        }
        let mut key = [0; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|_| invalid())?;
        }
        Ok(Self(key))
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey(<redacted>)")
    }
}

/// What a token is for; a token opens only for the purpose it was sealed for.
#[derive(Clone, Copy)]
pub(crate) enum Purpose {
    /// `execute`'s `resume`.
    Resume,
    /// The `requestState` of an `input_required` answer.
    Request,
}

impl Purpose {
    fn label(self) -> &'static str {
        match self {
            Self::Resume => "codemode resume token",
            Self::Request => "codemode requestState",
        }
    }
}

/// What a token carries.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Sealed {
    /// The journal so far.
    pub journal: Journal,
    /// A paused execution's questions, by the id of the call that asked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<(u32, Question)>,
    /// SHA-256 of the program a requestState belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<String>,
    /// A requestState's own random id, by which it is answered once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// Seconds since the Unix epoch after which the token is refused.
    expires: u64,
    // Not flattened: serde buffers flattened fields, and journals hold raw
    // JSON that only a direct read can take.
    sealed: Sealed,
}

/// Seals and opens tokens.
pub(crate) struct Sealer {
    key: LessSafeKey,
    ttl: Duration,
    max_bytes: usize,
    /// SHA-256 of the server's bearer token, when it has one.
    bound: Option<[u8; 32]>,
}

impl Sealer {
    pub(crate) fn new(key: &StateKey, ttl: Duration, max_bytes: usize, bearer: Option<&str>) -> Self {
        let unbound = UnboundKey::new(&CHACHA20_POLY1305, &key.0).unwrap_or_else(|_| unreachable!("32-byte key"));
        let bound = bearer.map(|bearer| {
            let mut hash = [0; 32];
            hash.copy_from_slice(digest::digest(&digest::SHA256, bearer.as_bytes()).as_ref());
            hash
        });
        Self { key: LessSafeKey::new(unbound), ttl, max_bytes, bound }
    }

    fn aad(&self, purpose: Purpose) -> Vec<u8> {
        let mut aad = purpose.label().as_bytes().to_vec();
        aad.extend_from_slice(self.bound.as_ref().map_or(&[][..], |hash| &hash[..]));
        aad
    }

    /// `sealed` sealed for `purpose`, or why not (it is over the size cap).
    pub(crate) fn seal(&self, purpose: Purpose, sealed: Sealed) -> Result<String, String> {
        let expires = now().saturating_add(self.ttl.as_secs());
        let mut sealed = serde_json::to_vec(&Payload { expires, sealed }).unwrap_or_default();
        let mut nonce = [0; NONCE_LEN];
        SystemRandom::new().fill(&mut nonce).map_err(|_| "the system's random source failed".to_owned())?;
        let aad = Aad::from(self.aad(purpose));
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), aad, &mut sealed)
            .map_err(|_| "sealing failed".to_owned())?;
        let mut bytes = nonce.to_vec();
        bytes.append(&mut sealed);
        let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        if token.len() > self.max_bytes {
            return Err(format!(
                "its record is {} as a token, above the {} cap (--max-state-bytes)",
                crate::sandbox::format_bytes(token.len() as u64),
                crate::sandbox::format_bytes(self.max_bytes as u64)
            ));
        }
        Ok(token)
    }

    /// What `token` carries, sealed for `purpose`.
    pub(crate) fn open(&self, purpose: Purpose, token: &str) -> Result<Sealed, String> {
        let what = purpose.label();
        if token.len() > self.max_bytes {
            return Err(format!(
                "the {what} is {} long, above the {} cap",
                crate::sandbox::format_bytes(token.len() as u64),
                crate::sandbox::format_bytes(self.max_bytes as u64)
            ));
        }
        let not_one =
            || format!("this is not a {what}: pass the `resume` string of a failed execution's result as it is");
        let bytes =
            token.strip_prefix(PREFIX).and_then(|text| URL_SAFE_NO_PAD.decode(text).ok()).ok_or_else(not_one)?;
        if bytes.len() < NONCE_LEN {
            return Err(not_one());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| not_one())?;
        let mut sealed = sealed.to_vec();
        let opened = self.key.open_in_place(nonce, Aad::from(self.aad(purpose)), &mut sealed).map_err(|_| {
            format!(
                "the {what} does not open: it was changed, or sealed by a codemode with another state key or \
                 bearer token (replicas must share --state-key-file)"
            )
        })?;
        let payload: Payload = serde_json::from_slice(opened).map_err(|e| format!("the {what} is malformed: {e}"))?;
        let now = now();
        if now > payload.expires {
            return Err(format!(
                "the {what} expired {} s ago (tokens last {} s); run the program again without it",
                now - payload.expires,
                self.ttl.as_secs()
            ));
        }
        Ok(payload.sealed)
    }
}

/// A random id for a requestState, in hex.
pub(crate) fn random_id() -> Result<String, String> {
    let mut id = [0u8; 16];
    SystemRandom::new().fill(&mut id).map_err(|_| "the system's random source failed".to_owned())?;
    Ok(crate::journal::hex(&id))
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal() -> Sealed {
        Sealed { journal: empty(), questions: Vec::new(), program: None, id: None }
    }

    fn empty() -> Journal {
        Journal { seed: 7, tools: Vec::new(), wall_clock: Vec::new(), monotonic_clock: Vec::new(), events: Vec::new() }
    }

    fn sealer(key: &StateKey, bearer: Option<&str>) -> Sealer {
        Sealer::new(key, Duration::from_secs(600), 1 << 20, bearer)
    }

    #[test]
    fn a_token_opens_where_the_key_and_bearer_are_the_same() {
        let key = StateKey::random().unwrap();
        let token = sealer(&key, Some("t")).seal(Purpose::Resume, journal()).unwrap();
        assert!(token.starts_with("cm1."));
        assert_eq!(sealer(&key.clone(), Some("t")).open(Purpose::Resume, &token).unwrap().journal, empty());
        assert!(sealer(&key, Some("t")).open(Purpose::Request, &token).unwrap_err().contains("does not open"));
        for other in [sealer(&StateKey::random().unwrap(), Some("t")), sealer(&key, Some("u")), sealer(&key, None)] {
            assert!(other.open(Purpose::Resume, &token).unwrap_err().contains("does not open"));
        }
    }

    #[test]
    fn changed_expired_oversized_and_foreign_tokens_are_refused() {
        let key = StateKey::random().unwrap();
        let token = sealer(&key, None).seal(Purpose::Resume, journal()).unwrap();
        let mut changed = token.clone().into_bytes();
        let last = changed.len() - 3;
        changed[last] = if changed[last] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).unwrap();
        assert!(sealer(&key, None).open(Purpose::Resume, &changed).unwrap_err().contains("does not open"));
        for foreign in ["", "cm1.", "cm1.!!!", "hello", "cm1.AAAA"] {
            assert!(
                sealer(&key, None).open(Purpose::Resume, foreign).unwrap_err().contains("not a codemode"),
                "{foreign}"
            );
        }
        let short = Sealer::new(&key, Duration::from_secs(600), 64, None);
        assert!(short.open(Purpose::Resume, &token).unwrap_err().contains("above the 64 bytes cap"));
        assert!(short.seal(Purpose::Resume, journal()).unwrap_err().contains("above the 64 bytes cap"));
        let expired = Sealer { ttl: Duration::ZERO, ..sealer(&key, None) };
        let token = expired.seal(Purpose::Resume, journal()).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(expired.open(Purpose::Resume, &token).unwrap_err().contains("expired"));
    }

    #[test]
    fn keys_are_64_hex_digits() {
        assert!(StateKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(StateKey::from_hex(&format!(" {}\n", "0F".repeat(32))).is_ok());
        for bad in ["", "ab", &"zz".repeat(32), &"ab".repeat(33), &"é".repeat(32), &"+0".repeat(32)] {
            assert!(StateKey::from_hex(bad).unwrap_err().to_string().contains("64 hex digits"), "{bad}");
        }
        assert_eq!(format!("{:?}", StateKey::random().unwrap()), "StateKey(<redacted>)");
    }
}
