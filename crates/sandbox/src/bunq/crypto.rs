//! The RSA side of bunq: the sandbox's server key that signs every response
//! body, and verification of the client's body signatures with the public
//! key it registered at installation (PKCS#1 v1.5, SHA-256, base64).

use std::sync::OnceLock;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{RsaPrivateKey, RsaPublicKey};
use sha2::Sha256;

/// The key that signs responses, with its public half as PEM.
pub struct ServerKey {
    signer: SigningKey<Sha256>,
    public_pem: String,
}

/// One key per process: RSA 2048 generation takes a noticeable moment, and
/// tests start many sandboxes. Each process still gets a fresh key.
static KEY: OnceLock<Result<ServerKey, String>> = OnceLock::new();

impl ServerKey {
    /// The process's server key, generated on first use.
    ///
    /// # Errors
    /// When key generation or PEM encoding fails.
    pub fn shared() -> anyhow::Result<&'static Self> {
        KEY.get_or_init(|| Self::generate().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("could not create the bunq server key: {e}"))
    }

    fn generate() -> anyhow::Result<Self> {
        let private = RsaPrivateKey::new(&mut rand::thread_rng(), 2048)?;
        let public_pem = RsaPublicKey::from(&private).to_public_key_pem(LineEnding::LF)?;
        Ok(Self {
            signer: SigningKey::new(private),
            public_pem,
        })
    }

    /// The public key as a SubjectPublicKeyInfo PEM, as installation returns it.
    pub fn public_pem(&self) -> &str {
        &self.public_pem
    }

    /// base64 of the PKCS#1 v1.5 SHA-256 signature of `body`.
    pub fn sign(&self, body: &[u8]) -> String {
        STANDARD.encode(self.signer.sign(body).to_bytes())
    }
}

/// A client's public key from installation.
#[derive(Clone, Debug)]
pub struct ClientKey(VerifyingKey<Sha256>);

impl ClientKey {
    /// Reads a PEM public key (SubjectPublicKeyInfo, or PKCS#1 `RSA PUBLIC
    /// KEY`). Returns `None` for anything else.
    pub fn from_pem(pem: &str) -> Option<Self> {
        let key = RsaPublicKey::from_public_key_pem(pem.trim())
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem.trim()))
            .ok()?;
        Some(Self(VerifyingKey::new(key)))
    }

    /// Whether `signature` (base64) signs `body` with this key.
    pub fn verifies(&self, body: &[u8], signature: &str) -> bool {
        let Ok(bytes) = STANDARD.decode(signature.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.0.verify(body, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_with_the_public_key_and_fails_on_a_changed_body() {
        let key = ServerKey::shared().expect("key");
        let client = ClientKey::from_pem(key.public_pem()).expect("pem");

        let signature = key.sign(b"{\"a\":1}");

        assert!(client.verifies(b"{\"a\":1}", &signature));
        assert!(!client.verifies(b"{\"a\":2}", &signature));
        assert!(!client.verifies(b"{\"a\":1}", "not base64!"));
    }

    #[test]
    fn garbage_is_not_a_public_key() {
        assert!(
            ClientKey::from_pem("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----")
                .is_none()
        );
    }
}
