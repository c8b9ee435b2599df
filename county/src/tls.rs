//! The county server's TLS: a self-signed certificate made by `xianglin-county tls-init`
//! (devices pin it by fingerprint), and a TLS listener for axum.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A new self-signed certificate for `hosts` (names or IP addresses): (certificate PEM, key
/// PEM, fingerprint).
pub fn generate(hosts: &[String]) -> Result<(String, String, String), String> {
    let certified = rcgen::generate_simple_self_signed(hosts.to_vec()).map_err(|error| error.to_string())?;
    let fingerprint = xianglin_sync::tls::fingerprint(certified.cert.der());
    Ok((certified.cert.pem(), certified.signing_key.serialize_pem(), fingerprint))
}

/// The fingerprint of the first certificate in a PEM file's bytes.
pub fn fingerprint_of_pem(pem: &[u8]) -> Result<String, String> {
    let certificate = CertificateDer::pem_slice_iter(pem)
        .next()
        .ok_or("no certificate in the PEM file")?
        .map_err(|error| error.to_string())?;
    Ok(xianglin_sync::tls::fingerprint(&certificate))
}

/// An acceptor serving the certificate chain and key in PEM.
pub fn acceptor(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsAcceptor, String> {
    let chain =
        CertificateDer::pem_slice_iter(cert_pem).collect::<Result<Vec<_>, _>>().map_err(|error| error.to_string())?;
    if chain.is_empty() {
        return Err("no certificate in the certificate file".into());
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|error| format!("key file: {error}"))?;
    let config = rustls::ServerConfig::builder_with_provider(xianglin_sync::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|error| error.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| error.to_string())?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP listener whose connections are TLS. Handshakes run side by side (a slow or silent
/// client holds up no one); a failed one is logged and skipped.
pub struct TlsListener {
    address: SocketAddr,
    ready: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
}

impl std::fmt::Debug for TlsListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsListener").field("address", &self.address).finish_non_exhaustive()
    }
}

/// At most this many handshakes wait to be served at once.
const HANDSHAKES_QUEUED: usize = 64;

impl TlsListener {
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> std::io::Result<TlsListener> {
        let address = tcp.local_addr()?;
        let (sender, ready) = tokio::sync::mpsc::channel(HANDSHAKES_QUEUED);
        tokio::spawn(async move {
            loop {
                let (stream, peer) = match tcp.accept().await {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(error = %error, "accept failed");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let (acceptor, ready) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    match tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream)).await {
                        Ok(Ok(tls)) => {
                            let _closed = ready.send((tls, peer)).await;
                        }
                        Ok(Err(error)) => tracing::warn!(error = %error, "TLS handshake failed"),
                        Err(_) => tracing::warn!("TLS handshake timed out"),
                    }
                });
                if sender.is_closed() {
                    return;
                }
            }
        });
        Ok(TlsListener { address, ready })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(connection) => connection,
            // The accepting task ends only with the listener; wait for shutdown.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.address)
    }
}
