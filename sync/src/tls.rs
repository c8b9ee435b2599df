//! TLS for sync. A device pins the county server's certificate by the SHA-256 of its DER bytes,
//! given at enrollment with the code: no certificate authority and no platform roots are
//! consulted, so a county can run on a self-signed certificate, and nothing else can pose as it.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// The fingerprint people compare and type: lower-case hex SHA-256 of the certificate's DER.
pub fn fingerprint(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A fingerprint as people may type it (upper case, colons, spaces), normalized; `None` if it
/// is not 64 hex digits.
pub fn normalize_fingerprint(text: &str) -> Option<String> {
    let hex: String =
        text.chars().filter(char::is_ascii_hexdigit).map(|character| character.to_ascii_lowercase()).collect();
    let only_hex = text.chars().all(|character| character.is_ascii_hexdigit() || ":- ".contains(character));
    (hex.len() == 64 && only_hex).then_some(hex)
}

/// The ring provider both sides use.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration that trusts exactly the certificate with fingerprint `pin`.
pub fn client_config(pin: &str) -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = provider();
    Ok(rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Pinned { pin: pin.to_owned(), provider }))
        .with_no_client_auth())
}

/// Accepts the server's certificate only if its fingerprint is the pinned one; signatures are
/// still checked, so the server must hold the certificate's private key.
#[derive(Debug)]
struct Pinned {
    pin: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if fingerprint(end_entity) == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("the server's certificate is not the pinned county certificate".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            signature,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            signature,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_normalized_from_what_people_type() {
        let hex = "ab".repeat(32);
        let typed = hex
            .to_uppercase()
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap())
            .collect::<Vec<_>>()
            .join(":");
        assert_eq!(normalize_fingerprint(&typed), Some(hex.clone()));
        assert_eq!(normalize_fingerprint(&hex[..62]), None);
        assert_eq!(normalize_fingerprint(&format!("{hex}zz")), None);
        assert_eq!(fingerprint(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
