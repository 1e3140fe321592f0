//! Encryption at rest for secrets the server must be able to read back (secret access keys:
//! verifying an AK/SK signature needs the raw SK, so it cannot be hashed).
//!
//! AES-256-GCM with a random 96-bit nonce per value, stored as `v1:<hex nonce><hex ciphertext>`.
//! The master key never enters the database: it comes from the server's `DLF_MASTER_KEY` (64 hex
//! digits; the binary reads it, and removes it from its environment, at start) or from
//! `<data-dir>/master.key`, created with mode 0600 on first use.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use std::io::Write;
use std::path::Path;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

/// Seals and opens secrets with the server's master key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

/// A sealed value that cannot be opened (wrong master key, or tampered with).
#[derive(Debug, thiserror::Error)]
#[error("cannot decrypt a stored secret: {0}")]
pub struct SecretError(pub String);

impl SecretBox {
    /// A box over a 32-byte key.
    pub fn from_key(key: &[u8; 32]) -> SecretBox {
        let cipher = Aes256Gcm::new_from_slice(key).expect("a 32-byte key is a valid AES-256 key");
        SecretBox { cipher }
    }

    /// Parses 64 hex digits.
    pub fn from_hex(hex_key: &str) -> Result<SecretBox, SecretError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|e| SecretError(format!("master key is not hex: {e}")))?;
        let key: [u8; 32] =
            bytes.try_into().map_err(|_| SecretError("master key must be 32 bytes (64 hex digits)".into()))?;
        Ok(SecretBox::from_key(&key))
    }

    /// The key `given` (hex, the server's `DLF_MASTER_KEY`) if any, else from `path`, creating
    /// the file (mode 0600) with a fresh random key when it does not exist.
    pub fn load_or_create(path: &Path, given: Option<&str>) -> Result<SecretBox, SecretError> {
        if let Some(hex_key) = given {
            return SecretBox::from_hex(hex_key);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => SecretBox::from_hex(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| SecretError(format!("no randomness: {e}")))?;
                write_private_file(path, hex::encode(key).as_bytes())
                    .map_err(|e| SecretError(format!("cannot write {}: {e}", path.display())))?;
                Ok(SecretBox::from_key(&key))
            }
            Err(e) => Err(SecretError(format!("cannot read {}: {e}", path.display()))),
        }
    }

    /// Encrypts `plaintext`.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce_bytes = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce_bytes).expect("the OS random source is available");
        let nonce = Nonce::from(nonce_bytes);
        let ciphertext = self.cipher.encrypt(&nonce, plaintext.as_bytes()).expect("AES-GCM encryption cannot fail");
        format!("{PREFIX}{}{}", hex::encode(nonce_bytes), hex::encode(ciphertext))
    }

    /// Decrypts a value made by [`seal`](Self::seal).
    pub fn open(&self, sealed: &str) -> Result<String, SecretError> {
        let body = sealed.strip_prefix(PREFIX).ok_or_else(|| SecretError("unknown format".into()))?;
        let bytes = hex::decode(body).map_err(|_| SecretError("not hex".into()))?;
        if bytes.len() < NONCE_LEN {
            return Err(SecretError("too short".into()));
        }
        let (nonce_bytes, ciphertext) = bytes.split_at(NONCE_LEN);
        let nonce_array: [u8; NONCE_LEN] = nonce_bytes.try_into().map_err(|_| SecretError("bad nonce".into()))?;
        let plaintext = self
            .cipher
            .decrypt(&Nonce::from(nonce_array), ciphertext)
            .map_err(|_| SecretError("wrong master key or corrupted value".into()))?;
        String::from_utf8(plaintext).map_err(|_| SecretError("not UTF-8".into()))
    }
}

/// Writes a file readable only by its owner (mode 0600), failing if it already exists.
pub fn write_private_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let sb = SecretBox::from_key(&[7u8; 32]);
        let sealed = sb.seal("SKEXAMPLESECRET");
        assert!(!sealed.contains("SKEXAMPLESECRET"));
        assert_ne!(sealed, sb.seal("SKEXAMPLESECRET"), "nonces differ");
        assert_eq!(sb.open(&sealed).unwrap(), "SKEXAMPLESECRET");
        let mut tampered = sealed.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert!(sb.open(&tampered).is_err());
        assert!(SecretBox::from_key(&[8u8; 32]).open(&sealed).is_err());
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let a = SecretBox::load_or_create(&path, None).unwrap();
        let sealed = a.seal("x");
        let b = SecretBox::load_or_create(&path, None).unwrap();
        assert_eq!(b.open(&sealed).unwrap(), "x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }
}
