//! RSA as bunq uses it: a 2048-bit key pair per installation (private key
//! PKCS#8 PEM, public key SubjectPublicKeyInfo PEM), request bodies signed
//! and response bodies verified with PKCS#1 v1.5 over SHA-256, signatures
//! base64-encoded in headers.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::signature::{SignatureEncoding, Signer as _, Verifier as _};
use rsa::{RsaPrivateKey, RsaPublicKey};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use crate::error::BunqError;

/// bunq requires 2048-bit keys.
const KEY_BITS: usize = 2048;

/// A freshly generated key pair, as PEM text.
pub(crate) struct KeyPair {
    /// PKCS#8, unencrypted; stored in the context as a secret.
    pub(crate) private_pem: SecretString,
    /// SubjectPublicKeyInfo; sent to `installation`.
    pub(crate) public_pem: String,
}

/// Generates an RSA-2048 key pair on the blocking pool: it is pure
/// big-number work and takes a noticeable fraction of a second.
///
/// # Errors
/// [`BunqError::Crypto`] when generation or encoding fails.
pub(crate) async fn generate_key_pair() -> Result<KeyPair, BunqError> {
    tokio::task::spawn_blocking(generate_key_pair_now)
        .await
        .map_err(|e| BunqError::Crypto(format!("key generation task failed: {e}")))?
}

fn generate_key_pair_now() -> Result<KeyPair, BunqError> {
    let private = RsaPrivateKey::new(&mut rand::thread_rng(), KEY_BITS)
        .map_err(|e| BunqError::Crypto(format!("could not generate an RSA key: {e}")))?;
    let private_pem = private
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| BunqError::Crypto(format!("could not encode the private key: {e}")))?;
    let public_pem = RsaPublicKey::from(&private)
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| BunqError::Crypto(format!("could not encode the public key: {e}")))?;
    Ok(KeyPair {
        private_pem: SecretString::from(private_pem.as_str()),
        public_pem,
    })
}

/// Signs request bodies with our private key.
#[derive(Clone)]
pub(crate) struct Signer {
    key: SigningKey<Sha256>,
}

impl Signer {
    /// Reads a PKCS#8 (or PKCS#1) private key PEM.
    ///
    /// # Errors
    /// [`BunqError::Crypto`] when the PEM is not an RSA private key; the
    /// message never contains the key.
    pub(crate) fn from_pem(pem: &SecretString) -> Result<Self, BunqError> {
        let text = pem.expose_secret();
        let key = RsaPrivateKey::from_pkcs8_pem(text)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(text))
            .map_err(|_| BunqError::Crypto("the stored private key is not an RSA PEM".into()))?;
        Ok(Self {
            key: SigningKey::new(key),
        })
    }

    /// The base64 signature of `body`, for `X-Bunq-Client-Signature`.
    ///
    /// # Errors
    /// [`BunqError::Crypto`] if the key cannot sign (never for a 2048-bit
    /// key).
    pub(crate) fn sign(&self, body: &[u8]) -> Result<String, BunqError> {
        let signature = self
            .key
            .try_sign(body)
            .map_err(|e| BunqError::Crypto(format!("could not sign a request body: {e}")))?;
        Ok(BASE64.encode(signature.to_bytes()))
    }
}

/// Verifies response bodies with the server key from the installation.
#[derive(Clone)]
pub(crate) struct Verifier {
    key: VerifyingKey<Sha256>,
}

impl Verifier {
    /// Reads a SubjectPublicKeyInfo (or PKCS#1) public key PEM.
    ///
    /// # Errors
    /// [`BunqError::Crypto`] when the PEM is not an RSA public key.
    pub(crate) fn from_pem(pem: &str) -> Result<Self, BunqError> {
        let key = RsaPublicKey::from_public_key_pem(pem)
            .or_else(|_| RsaPublicKey::from_pkcs1_pem(pem))
            .map_err(|_| BunqError::Crypto("bunq's server public key is not an RSA PEM".into()))?;
        Ok(Self {
            key: VerifyingKey::new(key),
        })
    }

    /// Whether `signature` (base64, from `X-Bunq-Server-Signature`) is a
    /// valid signature of exactly `body`.
    pub(crate) fn verify(&self, body: &[u8], signature: &str) -> bool {
        let Ok(bytes) = BASE64.decode(signature.trim()) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        self.key.verify(body, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pair() -> (Signer, Verifier) {
        let keys = generate_key_pair().await.expect("generated");
        let signer = Signer::from_pem(&keys.private_pem).expect("private key");
        let verifier = Verifier::from_pem(&keys.public_pem).expect("public key");
        (signer, verifier)
    }

    #[tokio::test]
    async fn a_signed_body_verifies_with_the_matching_public_key() {
        let (signer, verifier) = pair().await;
        let body = br#"{"secret":"abc"}"#;

        let signature = signer.sign(body).expect("signed");

        assert!(verifier.verify(body, &signature));
    }

    #[tokio::test]
    async fn a_tampered_body_or_signature_fails_verification() {
        let (signer, verifier) = pair().await;
        let signature = signer.sign(br#"{"amount":"1.00"}"#).expect("signed");

        assert!(!verifier.verify(br#"{"amount":"9.00"}"#, &signature));
        assert!(!verifier.verify(br#"{"amount":"1.00"}"#, "bm90IGEgc2lnbmF0dXJl"));
        assert!(!verifier.verify(br#"{"amount":"1.00"}"#, "not base64 at all!"));
    }

    #[tokio::test]
    async fn another_key_pair_does_not_verify() {
        let (signer, _) = pair().await;
        let (_, stranger) = pair().await;

        assert!(!stranger.verify(b"{}", &signer.sign(b"{}").expect("signed")));
    }

    #[tokio::test]
    async fn generated_keys_are_pkcs8_and_spki_pem() {
        let keys = generate_key_pair().await.expect("generated");

        assert!(
            keys.private_pem
                .expose_secret()
                .starts_with("-----BEGIN PRIVATE KEY-----")
        );
        assert!(keys.public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    }

    #[test]
    fn an_unreadable_key_is_an_error_that_does_not_echo_it() {
        let secret = SecretString::from("-----BEGIN PRIVATE KEY-----\nsecret-bits\n");

        let Err(err) = Signer::from_pem(&secret) else {
            panic!("a garbage key was accepted");
        };

        assert!(!err.to_string().contains("secret-bits"), "{err}");
        assert!(Verifier::from_pem("nonsense").is_err());
    }
}
