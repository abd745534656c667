//! Fixed-size byte strings: hashes, BLS public keys and signatures.
//!
//! In human-readable formats (the JSON of `spec.json`, the HTTP API) they are `0x`-prefixed hex; in the binary
//! codec they are raw bytes whose length is checked on decode.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! fixed_bytes {
    ($(#[$doc:meta])* $name:ident, $len:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// Length in bytes.
            pub const LEN: usize = $len;
            /// All zero bytes.
            pub const ZERO: Self = Self([0u8; $len]);

            /// The bytes as a slice.
            pub fn as_bytes(&self) -> &[u8] {
                &self.0
            }

            /// `0x`-prefixed lower-case hex.
            pub fn to_hex(&self) -> String {
                format!("0x{}", hex::encode(self.0))
            }

            /// Parses `0x`-prefixed (or bare) hex of exactly the right length.
            pub fn from_hex(s: &str) -> Result<Self, String> {
                let s = s.strip_prefix("0x").unwrap_or(s);
                if s.len() != 2 * $len {
                    return Err(format!(
                        "expected {} hex digits for {}, got {}",
                        2 * $len,
                        stringify!($name),
                        s.len()
                    ));
                }
                let mut out = [0u8; $len];
                hex::decode_to_slice(s, &mut out).map_err(|e| format!("invalid hex: {e}"))?;
                Ok(Self(out))
            }

            /// Copies from a slice of exactly the right length.
            pub fn from_slice(s: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(s).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::ZERO
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.to_hex())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.to_hex())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                if s.is_human_readable() {
                    s.serialize_str(&self.to_hex())
                } else {
                    s.serialize_bytes(&self.0)
                }
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        write!(f, "{} bytes (or their hex)", $len)
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::from_hex(v).map_err(E::custom)
                    }
                    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<$name, E> {
                        $name::from_slice(v).ok_or_else(|| E::invalid_length(v.len(), &self))
                    }
                }
                if d.is_human_readable() {
                    d.deserialize_str(V)
                } else {
                    d.deserialize_bytes(V)
                }
            }
        }
    };
}

fixed_bytes!(
    /// A SHA-256 digest: block hashes, payload and state roots.
    Hash32,
    32
);
fixed_bytes!(
    /// A compressed BLS12-381 G1 public key (blst `min_pk`).
    PublicKeyBytes,
    48
);
fixed_bytes!(
    /// A compressed BLS12-381 G2 signature (blst `min_pk`).
    SignatureBytes,
    96
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_length_check() {
        let h = Hash32([7u8; 32]);
        assert_eq!(Hash32::from_hex(&h.to_hex()).unwrap(), h);
        assert!(Hash32::from_hex("0x1234").is_err());
        assert!(Hash32::from_hex(&"zz".repeat(32)).is_err());
        let json = serde_json::to_string(&h).unwrap();
        assert_eq!(json, format!("\"{}\"", h.to_hex()));
        assert_eq!(serde_json::from_str::<Hash32>(&json).unwrap(), h);
    }

    #[test]
    fn binary_length_is_checked() {
        let bytes = postcard::to_stdvec(&SignatureBytes([1u8; 96])).unwrap();
        assert_eq!(
            postcard::from_bytes::<SignatureBytes>(&bytes).unwrap(),
            SignatureBytes([1u8; 96])
        );
        // A 32-byte string where 96 are expected.
        let short = postcard::to_stdvec(&Hash32([1u8; 32])).unwrap();
        assert!(postcard::from_bytes::<SignatureBytes>(&short).is_err());
    }
}
