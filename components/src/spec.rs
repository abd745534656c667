//! The chain specification, stored as `spec.json` beside a chain's store.

use serde::{Deserialize, Serialize};

use crate::bytes::{Hash32, PublicKeyBytes};
use crate::chain::{BlockRef, Slot};

/// Most authorities a federation may have (the approval bitfield is 64 bits).
pub const MAX_AUTHORITIES: usize = 64;
/// Default Aura slot duration, as on the Alys testnet.
pub const DEFAULT_SLOT_MS: u64 = 5_000;
/// Default largest encoded block accepted.
pub const DEFAULT_MAX_BLOCK_BYTES: u32 = 1 << 20;
/// Smallest `max_block_bytes` a spec may set (a block with an empty payload must fit).
pub const MIN_MAX_BLOCK_BYTES: u32 = 512;
/// Largest `max_block_bytes` a spec may set.
pub const MAX_MAX_BLOCK_BYTES: u32 = 16 << 20;
/// The format of `spec.json` (and of the chain it describes) this ecsync reads: 2 since a block's approval is the
/// aggregate of its precommits in one round (issue 26). A spec without `version` is format 1.
pub const SPEC_VERSION: u32 = 3;

/// The format a `spec.json` without a `version` field has: the first, before formats were numbered.
fn unnumbered() -> u32 {
    1
}

/// What defines a chain: identity, Aura timing, the federation, and size limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    /// The spec's format: [`SPEC_VERSION`] (a spec of another format is refused, see [`ChainSpec::check`]).
    #[serde(default = "unnumbered")]
    pub version: u32,
    /// Chain identifier; peers on another chain are refused.
    pub chain_id: u64,
    /// Hash of the genesis block (height 0), the trust anchor.
    pub genesis_hash: Hash32,
    /// Start of slot 0, Unix milliseconds.
    pub genesis_time_ms: u64,
    /// Aura slot duration in milliseconds.
    pub slot_duration_ms: u64,
    /// The federation's BLS public keys (blst `min_pk`, compressed G1). Authority `slot % n` produces in `slot`.
    pub authorities: Vec<PublicKeyBytes>,
    /// Largest canonical block encoding accepted, in bytes.
    pub max_block_bytes: u32,
}

/// Why a spec was refused.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read spec {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not a spec.
    #[error("malformed spec {path}: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// What the parser said.
        message: String,
    },
    /// The spec is of a format this ecsync does not read.
    #[error(
        "spec.json is format {found}; this ecsync reads format {SPEC_VERSION}: generate the chain again"
    )]
    Version {
        /// The spec's format (1 when it names none).
        found: u32,
    },
    /// The spec parsed but breaks a rule.
    #[error("invalid spec: {0}")]
    Invalid(String),
}

/// The one field read before the rest: a spec of another format may have other fields.
#[derive(Deserialize)]
struct Format {
    #[serde(default = "unnumbered")]
    version: u32,
}

impl ChainSpec {
    /// Number of authorities.
    pub fn authority_count(&self) -> usize {
        self.authorities.len()
    }

    /// Approvals a block needs: ⌈2n/3⌉.
    pub fn quorum(&self) -> usize {
        quorum(self.authorities.len())
    }

    /// Index of the authority that produces in `slot` (Aura round robin).
    pub fn producer_index(&self, slot: Slot) -> usize {
        (slot % self.authorities.len() as u64) as usize
    }

    /// The slot that contains Unix time `now_ms` (0 before genesis).
    pub fn slot_at(&self, now_ms: u64) -> Slot {
        now_ms.saturating_sub(self.genesis_time_ms) / self.slot_duration_ms
    }

    /// Start of `slot`, Unix milliseconds.
    pub fn slot_start_ms(&self, slot: Slot) -> u64 {
        self.genesis_time_ms
            .saturating_add(slot.saturating_mul(self.slot_duration_ms))
    }

    /// Whether `slot` begins later than `skew_ms` after Unix time `now_ms`: a head or block no clock within the
    /// allowed skew of ours can have seen begin.
    pub fn begins_beyond(&self, slot: Slot, now_ms: u64, skew_ms: u64) -> bool {
        self.slot_start_ms(slot) > now_ms.saturating_add(skew_ms)
    }

    /// The genesis block as a parent: height 0, slot 0, the spec's genesis hash.
    pub fn genesis_ref(&self) -> BlockRef {
        BlockRef {
            height: 0,
            slot: 0,
            hash: self.genesis_hash,
        }
    }

    /// Checks the rules a spec must keep. Key encodings are checked where keys are decoded (ecsync-systems).
    pub fn check(&self) -> Result<(), SpecError> {
        if self.version != SPEC_VERSION {
            return Err(SpecError::Version {
                found: self.version,
            });
        }
        let n = self.authorities.len();
        if n == 0 {
            return Err(SpecError::Invalid(
                "the federation has zero authorities".into(),
            ));
        }
        if n > MAX_AUTHORITIES {
            return Err(SpecError::Invalid(format!(
                "{n} authorities, at most {MAX_AUTHORITIES} are supported"
            )));
        }
        if self.slot_duration_ms == 0 {
            return Err(SpecError::Invalid(
                "slot_duration_ms must be positive".into(),
            ));
        }
        if !(MIN_MAX_BLOCK_BYTES..=MAX_MAX_BLOCK_BYTES).contains(&self.max_block_bytes) {
            return Err(SpecError::Invalid(format!(
                "max_block_bytes {} is outside {MIN_MAX_BLOCK_BYTES}..={MAX_MAX_BLOCK_BYTES}",
                self.max_block_bytes
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for key in &self.authorities {
            if !seen.insert(key) {
                return Err(SpecError::Invalid(format!(
                    "authority {key} is listed twice"
                )));
            }
        }
        Ok(())
    }

    /// Parses and checks a spec from JSON. Its format is read first: a spec of another format is refused as such
    /// ([`SpecError::Version`]), whatever its other fields.
    pub fn from_json(json: &str, origin: &str) -> Result<Self, SpecError> {
        let malformed = |e: serde_json::Error| SpecError::Malformed {
            path: origin.to_string(),
            message: e.to_string(),
        };
        let format: Format = serde_json::from_str(json).map_err(malformed)?;
        if format.version != SPEC_VERSION {
            return Err(SpecError::Version {
                found: format.version,
            });
        }
        let spec: ChainSpec = serde_json::from_str(json).map_err(malformed)?;
        spec.check()?;
        Ok(spec)
    }

    /// Pretty JSON, as written to `spec.json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("spec serializes")
    }
}

/// ⌈2n/3⌉, the approvals a federation of `n` requires.
pub fn quorum(n: usize) -> usize {
    (2 * n).div_ceil(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(n: usize) -> ChainSpec {
        ChainSpec {
            version: SPEC_VERSION,
            chain_id: 1,
            genesis_hash: Hash32::ZERO,
            genesis_time_ms: 1_000,
            slot_duration_ms: 5_000,
            authorities: (0..n).map(|i| PublicKeyBytes([i as u8; 48])).collect(),
            max_block_bytes: DEFAULT_MAX_BLOCK_BYTES,
        }
    }

    #[test]
    fn quorum_is_two_thirds_rounded_up() {
        let table = [
            (1, 1),
            (2, 2),
            (3, 2),
            (4, 3),
            (5, 4),
            (6, 4),
            (7, 5),
            (64, 43),
        ];
        for (n, q) in table {
            assert_eq!(quorum(n), q, "n = {n}");
        }
    }

    #[test]
    fn slots_and_producers() {
        let s = spec(4);
        assert_eq!(s.slot_at(0), 0);
        assert_eq!(s.slot_at(1_000 + 4_999), 0);
        assert_eq!(s.slot_at(1_000 + 5_000), 1);
        assert_eq!(s.slot_start_ms(3), 16_000);
        assert_eq!(s.producer_index(6), 2);
    }

    #[test]
    fn rules() {
        assert!(spec(4).check().is_ok());
        assert!(
            spec(0)
                .check()
                .unwrap_err()
                .to_string()
                .contains("zero authorities")
        );
        assert!(spec(65).check().is_err());
        let mut dup = spec(2);
        dup.authorities[1] = dup.authorities[0];
        assert!(dup.check().unwrap_err().to_string().contains("twice"));
        let mut slot0 = spec(2);
        slot0.slot_duration_ms = 0;
        assert!(slot0.check().is_err());
        let mut tiny = spec(2);
        tiny.max_block_bytes = 10;
        assert!(tiny.check().is_err());
    }

    #[test]
    fn json_round_trip_and_errors() {
        let s = spec(3);
        assert_eq!(ChainSpec::from_json(&s.to_json(), "t").unwrap(), s);
        let err = ChainSpec::from_json("{\"version\": 3, \"chain_id\": 1}", "t").unwrap_err();
        assert!(err.to_string().starts_with("malformed spec t:"), "{err}");
        let err = ChainSpec::from_json("not json", "t").unwrap_err();
        assert!(matches!(err, SpecError::Malformed { .. }));
    }

    /// The format is the first field of spec.json, and a spec without it, or of another format, is refused with
    /// the error that says to generate the chain again (also a format-4 spec with fields this one lacks).
    #[test]
    fn a_spec_of_another_format_is_refused_clearly() {
        let s = spec(3);
        let json = s.to_json();
        assert!(
            json.starts_with("{\n  \"version\": 3,\n  \"chain_id\": 1,"),
            "{json}"
        );
        let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let fields = value.as_object_mut().unwrap();
        fields.remove("version");
        let unnumbered = serde_json::to_string(&value).unwrap();
        let err = ChainSpec::from_json(&unnumbered, "t").unwrap_err();
        assert!(matches!(err, SpecError::Version { found: 1 }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "spec.json is format 1; this ecsync reads format 3: generate the chain again"
        );
        for (found, extra) in [(1, false), (2, false), (4, false), (4, true), (0, false)] {
            let fields = value.as_object_mut().unwrap();
            fields.insert("version".into(), found.into());
            if extra {
                fields.insert("finality".into(), "instant".into());
            }
            let json = serde_json::to_string(&value).unwrap();
            let err = ChainSpec::from_json(&json, "t").unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "spec.json is format {found}; this ecsync reads format 3: generate the chain again"
                )
            );
        }
        // Built in code with another format, `check` refuses it too.
        let mut old = spec(3);
        old.version = 1;
        assert!(matches!(old.check(), Err(SpecError::Version { found: 1 })));
        let err = ChainSpec::from_json("{\"version\": \"2\"}", "t").unwrap_err();
        assert!(matches!(err, SpecError::Malformed { .. }), "{err:?}");
    }
}
