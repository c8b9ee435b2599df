//! The county server's settings: a TOML file, then environment variables over it.
//!
//! ```toml
//! listen = "0.0.0.0:8440"                            # XIANGLIN_COUNTY_LISTEN
//! database = "/var/lib/xianglin/county.sqlite"        # XIANGLIN_COUNTY_DATABASE
//! # or PostgreSQL, which several counties and several server processes may share:
//! # database = "postgres://xianglin@db.example/xianglin"
//! # county = "360733000000"      # XIANGLIN_COUNTY_CODE: the county this server serves there
//! # attachments = "/srv/xianglin/360733000000"  # XIANGLIN_COUNTY_ATTACHMENTS (default: beside
//! #                                # the database file, or `attachments` beside the config file)
//! # releases = "/srv/xianglin/releases"  # XIANGLIN_COUNTY_RELEASES: app packages offered to
//! #                  # stations (default: beside the attachments, `county.releases/` or `releases`)
//! # release_key = "dW50cnVzdGVk…"  # XIANGLIN_COUNTY_RELEASE_KEY: the update public key the apps
//! #                  # are built with (or its .pub file's path); `release add` checks packages with it
//! tls_cert = "/var/lib/xianglin/county.cert.pem"      # XIANGLIN_COUNTY_TLS_CERT
//! tls_key = "/var/lib/xianglin/county.key.pem"        # XIANGLIN_COUNTY_TLS_KEY
//! key_file = "/etc/xianglin-county/county.key"       # XIANGLIN_COUNTY_KEY_FILE, or the key
//!                                                    # itself in XIANGLIN_COUNTY_KEY
//! unreferenced_quota_mb = 100    # uploads no record refers to yet, per device
//! unreferenced_hours = 24        # how long such an upload waits for its record
//! request_timeout_secs = 120     # a whole request, body included (slow clients are cut off)
//! max_concurrent_requests = 256  # in all; more wait
//! max_requests_per_device = 4    # in flight per device; more are refused (429)
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default = "default_listen")]
    pub listen: SocketAddr,
    #[serde(default = "default_database")]
    pub database: PathBuf,
    /// The county (12-digit code) this server serves, required with PostgreSQL (a database
    /// that may hold several counties).
    #[serde(default)]
    pub county: Option<String>,
    /// The folder of the attachments, for servers whose database is not a file beside it.
    #[serde(default)]
    pub attachments: Option<PathBuf>,
    /// The folder of the app releases offered to stations.
    #[serde(default)]
    pub releases: Option<PathBuf>,
    /// The update public key (as `cargo tauri signer generate` writes it, minisign's `.pub`
    /// text, or an absolute path to either): the key the apps verify packages with.
    #[serde(default)]
    pub release_key: Option<String>,
    /// PEM certificate and key (`xianglin-county tls-init` makes them); without them the
    /// server speaks plain HTTP, and only on loopback.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// The database key's file (64 hex digits, mode 600); by default `county.key` beside the
    /// config file (or, with no config file, beside the database).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The key itself, from `XIANGLIN_COUNTY_KEY` (never from the file: a key is not config).
    #[serde(skip)]
    key_from_environment: Option<String>,
    /// The config file's folder, where the key file lives by default.
    #[serde(skip)]
    config_dir: Option<PathBuf>,
    #[serde(default = "defaults::unreferenced_quota_mb")]
    pub unreferenced_quota_mb: u64,
    #[serde(default = "defaults::unreferenced_hours")]
    pub unreferenced_hours: u32,
    #[serde(default = "defaults::request_timeout_secs")]
    pub request_timeout_secs: u64,
    #[serde(default = "defaults::max_concurrent_requests")]
    pub max_concurrent_requests: usize,
    #[serde(default = "defaults::max_requests_per_device")]
    pub max_requests_per_device: usize,
}

/// The defaults are [`crate::Limits::default`]'s.
mod defaults {
    fn limits() -> crate::Limits {
        crate::Limits::default()
    }
    pub fn unreferenced_quota_mb() -> u64 {
        limits().unreferenced_quota_bytes >> 20
    }
    pub fn unreferenced_hours() -> u32 {
        limits().unreferenced_window.num_hours() as u32
    }
    pub fn request_timeout_secs() -> u64 {
        limits().request_timeout.as_secs()
    }
    pub fn max_concurrent_requests() -> usize {
        limits().concurrent_requests
    }
    pub fn max_requests_per_device() -> usize {
        limits().concurrent_per_device
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: default_listen(),
            database: default_database(),
            county: None,
            attachments: None,
            releases: None,
            release_key: None,
            tls_cert: None,
            tls_key: None,
            key_file: None,
            key_from_environment: None,
            config_dir: None,
            unreferenced_quota_mb: defaults::unreferenced_quota_mb(),
            unreferenced_hours: defaults::unreferenced_hours(),
            request_timeout_secs: defaults::request_timeout_secs(),
            max_concurrent_requests: defaults::max_concurrent_requests(),
            max_requests_per_device: defaults::max_requests_per_device(),
        }
    }
}

fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 8440))
}

fn default_database() -> PathBuf {
    PathBuf::from("county.sqlite")
}

/// Where the database key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    Environment(String),
    File(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("config file {path} is invalid: {detail}")]
    Parse { path: String, detail: String },
    #[error("{name}={value:?} is not valid: {detail}")]
    Env { name: &'static str, value: String, detail: String },
    #[error(
        "refusing to listen on {0} without TLS: plain HTTP is for loopback only (127.0.0.1 or ::1); set tls_cert and tls_key (xianglin-county tls-init makes them)"
    )]
    PlainOffLoopback(SocketAddr),
    #[error("tls_cert and tls_key go together: set both or neither")]
    HalfTls,
    #[error("a PostgreSQL database may hold several counties: set county (the 12-digit code this server serves)")]
    CountyMissing,
    #[error("county {0:?} is not a 12-digit county code")]
    BadCounty(String),
}

/// Where the county's data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Database<'a> {
    /// One SQLite file (encrypted with SQLCipher), the embedded default.
    Sqlite(&'a Path),
    /// A PostgreSQL database (`postgres://…`), holding this county among others.
    Postgres { url: &'a str, county: &'a str },
}

impl Config {
    /// The limits the server enforces.
    pub fn limits(&self) -> crate::Limits {
        crate::Limits {
            unreferenced_quota_bytes: self.unreferenced_quota_mb << 20,
            unreferenced_window: chrono::Duration::hours(i64::from(self.unreferenced_hours)),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_secs.max(1)),
            concurrent_requests: self.max_concurrent_requests.max(1),
            concurrent_per_device: self.max_requests_per_device.max(1),
        }
    }

    /// The database the config names.
    pub fn database(&self) -> Database<'_> {
        match (self.postgres_url(), &self.county) {
            (Some(url), Some(county)) => Database::Postgres { url, county },
            _ => Database::Sqlite(&self.database),
        }
    }

    fn postgres_url(&self) -> Option<&str> {
        self.database.to_str().filter(|text| text.starts_with("postgres://") || text.starts_with("postgresql://"))
    }

    /// Where the attachments are kept: as set, else beside an SQLite database
    /// (`county.sqlite` → `county.attachments/`), else `attachments` beside the config file.
    pub fn attachments_dir(&self) -> PathBuf {
        match (&self.attachments, self.database()) {
            (Some(folder), _) => folder.clone(),
            (None, Database::Sqlite(path)) => path.with_extension("attachments"),
            (None, Database::Postgres { .. }) => self.config_dir.clone().unwrap_or_default().join("attachments"),
        }
    }

    /// Where the app releases are kept: as set, else beside the attachments
    /// (`county.attachments/` → `county.releases/`).
    pub fn releases_dir(&self) -> PathBuf {
        match &self.releases {
            Some(folder) => folder.clone(),
            None => {
                let attachments = self.attachments_dir();
                match attachments.extension() {
                    Some(_) => attachments.with_extension("releases"),
                    None => attachments.with_file_name("releases"),
                }
            }
        }
    }

    /// Where the database key comes from: the environment, the key file set, or `county.key`
    /// beside the config file (beside the database without one).
    pub fn key_source(&self) -> KeySource {
        if let Some(hex) = &self.key_from_environment {
            return KeySource::Environment(hex.clone());
        }
        if let Some(path) = &self.key_file {
            return KeySource::File(path.clone());
        }
        let beside_database = match self.database() {
            Database::Sqlite(path) => path.parent().map(Path::to_owned),
            Database::Postgres { .. } => None,
        };
        let folder = self.config_dir.clone().or(beside_database).unwrap_or_default();
        KeySource::File(folder.join("county.key"))
    }

    /// The file's settings (defaults if `path` is `None`), then `XIANGLIN_COUNTY_*` over them.
    pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
                toml::from_str(&text).map_err(|error| ConfigError::Parse {
                    path: path.display().to_string(),
                    detail: error.to_string(),
                })?
            }
            None => Config::default(),
        };
        config.config_dir = path.and_then(Path::parent).map(Path::to_owned);
        if let Some(value) = env("XIANGLIN_COUNTY_KEY_FILE") {
            config.key_file = Some(PathBuf::from(value));
        }
        config.key_from_environment = env("XIANGLIN_COUNTY_KEY");
        if let Some(value) = env("XIANGLIN_COUNTY_LISTEN") {
            config.listen = value.parse().map_err(|error: std::net::AddrParseError| ConfigError::Env {
                name: "XIANGLIN_COUNTY_LISTEN",
                value: value.clone(),
                detail: error.to_string(),
            })?;
        }
        if let Some(value) = env("XIANGLIN_COUNTY_DATABASE") {
            config.database = PathBuf::from(value);
        }
        if let Some(value) = env("XIANGLIN_COUNTY_CODE") {
            config.county = Some(value);
        }
        if let Some(value) = env("XIANGLIN_COUNTY_ATTACHMENTS") {
            config.attachments = Some(PathBuf::from(value));
        }
        if let Some(value) = env("XIANGLIN_COUNTY_RELEASES") {
            config.releases = Some(PathBuf::from(value));
        }
        if let Some(value) = env("XIANGLIN_COUNTY_RELEASE_KEY") {
            config.release_key = Some(value);
        }
        if let Some(county) = &config.county
            && !(county.len() == 12 && county.bytes().all(|byte| byte.is_ascii_digit()))
        {
            return Err(ConfigError::BadCounty(county.clone()));
        }
        if config.postgres_url().is_some() && config.county.is_none() {
            return Err(ConfigError::CountyMissing);
        }
        if let Some(value) = env("XIANGLIN_COUNTY_TLS_CERT") {
            config.tls_cert = Some(PathBuf::from(value));
        }
        if let Some(value) = env("XIANGLIN_COUNTY_TLS_KEY") {
            config.tls_key = Some(PathBuf::from(value));
        }
        if config.tls_cert.is_some() != config.tls_key.is_some() {
            return Err(ConfigError::HalfTls);
        }
        if config.tls_cert.is_none() && !config.listen.ip().is_loopback() {
            return Err(ConfigError::PlainOffLoopback(config.listen));
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_and_off_loopback_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("county.toml");
        std::fs::write(&path, "listen = \"127.0.0.1:9000\"\ndatabase = \"a.sqlite\"\n").unwrap();
        let config = Config::load(Some(&path), |_| None).unwrap();
        assert_eq!((config.listen.port(), config.database), (9000, PathBuf::from("a.sqlite")));
        let env = |name: &str| (name == "XIANGLIN_COUNTY_DATABASE").then(|| "b.sqlite".to_owned());
        assert_eq!(Config::load(Some(&path), env).unwrap().database, PathBuf::from("b.sqlite"));
        let public = |name: &str| (name == "XIANGLIN_COUNTY_LISTEN").then(|| "0.0.0.0:8440".to_owned());
        assert!(matches!(Config::load(None, public), Err(ConfigError::PlainOffLoopback(_))));
        std::fs::write(&path, "listen = \"0.0.0.0:8440\"\ntls_cert = \"c.pem\"\ntls_key = \"k.pem\"\n").unwrap();
        assert!(Config::load(Some(&path), |_| None).is_ok());
        std::fs::write(&path, "tls_cert = \"c.pem\"\n").unwrap();
        assert!(matches!(Config::load(Some(&path), |_| None), Err(ConfigError::HalfTls)));
        std::fs::write(&path, "key_file = \"/etc/xianglin-county/county.key\"\n").unwrap();
        let config = Config::load(Some(&path), |_| None).unwrap();
        assert_eq!(config.key_source(), KeySource::File("/etc/xianglin-county/county.key".into()));
        std::fs::write(&path, "").unwrap();
        assert_eq!(
            Config::load(Some(&path), |_| None).unwrap().key_source(),
            KeySource::File(dir.path().join("county.key"))
        );
        let secret = |name: &str| (name == "XIANGLIN_COUNTY_KEY").then(|| "ab".repeat(32));
        assert_eq!(Config::load(Some(&path), secret).unwrap().key_source(), KeySource::Environment("ab".repeat(32)));
        std::fs::write(&path, "listen = 5\n").unwrap();
        assert!(matches!(Config::load(Some(&path), |_| None), Err(ConfigError::Parse { .. })));
    }

    #[test]
    fn a_postgres_database_names_its_county_and_keeps_key_and_attachments_beside_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("county.toml");
        std::fs::write(&path, "database = \"postgres://xianglin@db.example/xianglin\"\n").unwrap();
        assert!(matches!(Config::load(Some(&path), |_| None), Err(ConfigError::CountyMissing)));
        let county = |name: &str| (name == "XIANGLIN_COUNTY_CODE").then(|| "360733000000".to_owned());
        let config = Config::load(Some(&path), county).unwrap();
        assert_eq!(
            config.database(),
            Database::Postgres { url: "postgres://xianglin@db.example/xianglin", county: "360733000000" }
        );
        assert_eq!(config.key_source(), KeySource::File(dir.path().join("county.key")));
        assert_eq!(config.attachments_dir(), dir.path().join("attachments"));
        let short = |name: &str| (name == "XIANGLIN_COUNTY_CODE").then(|| "360733".to_owned());
        assert!(matches!(Config::load(Some(&path), short), Err(ConfigError::BadCounty(_))));
        // A file database ignores `county`; its attachments stay beside it unless set.
        std::fs::write(&path, "database = \"/srv/county.sqlite\"\nattachments = \"/srv/files\"\n").unwrap();
        let config = Config::load(Some(&path), |_| None).unwrap();
        assert_eq!(config.database(), Database::Sqlite(Path::new("/srv/county.sqlite")));
        assert_eq!(config.attachments_dir(), PathBuf::from("/srv/files"));
    }
}
