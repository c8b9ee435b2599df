//! `xianglin-county`: the county server and its admin commands.
//!
//! ```text
//! xianglin-county init                             # a county database with 会昌县's places and policy
//! xianglin-county tls-init --hosts county.example  # a certificate; prints its fingerprint
//! xianglin-county serve                            # serve (plain HTTP on 127.0.0.1:8440 by default)
//! xianglin-county code --role caseworker --places 360733105201 --name 刘芳
//! xianglin-county devices | revoke <device> | reassign --user <id> --places <codes>
//! xianglin-county successor <old-device> <new-device>   # a replacement PC takes over a lost one
//! xianglin-county rotate-key                       # the server stopped: a new database key
//! ```
//! Every command takes `--config <file>`; `XIANGLIN_COUNTY_LISTEN`, `XIANGLIN_COUNTY_DATABASE`
//! and the others in [`xianglin_county::config`] override the file. The database and attachments
//! are encrypted with the database key ([`xianglin_county::at_rest`]); the first command on a new
//! or plain database makes the key file. The database is one SQLite file by default, or a
//! PostgreSQL database (`database = "postgres://…"` with `county = "<code>"`) that several
//! counties and several `serve` processes may share.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{Duration, NaiveDateTime};
use clap::{Parser, Subcommand, ValueEnum};
use xianglin_county as server;
use xianglin_county::CountyStore;
use xianglin_county::config::Config;
use xianglin_county::config::Database;
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{RecoveryKey, Role, User};
use xianglin_sync::ShardId;
use xianglin_sync::document;
use xianglin_sync::keyring;
use xianglin_sync::projection::county_key;

#[derive(Debug, Parser)]
#[command(name = "xianglin-county", version, about = "乡邻 county server: devices enroll and sync here")]
struct Cli {
    /// TOML config file (listen, database).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Creates the county database with the county's places and default policy (会昌县 ships
    /// with this build). `xianglin-demo county <database>` makes one with the demo township instead.
    Init,
    /// Makes a self-signed TLS certificate and key beside the database and prints its
    /// fingerprint (devices pin it at enrollment) and the config lines to add.
    TlsInit {
        /// Names and addresses devices reach the server by, comma separated.
        #[arg(long, value_delimiter = ',', required = true)]
        hosts: Vec<String>,
    },
    /// Serves devices until Ctrl-C or SIGTERM; requests in flight finish first.
    Serve,
    /// Creates a user and prints a one-time code that enrolls one device as them; with `--user`,
    /// a code that enrolls one more device as an existing user (a replacement PC, a second PC).
    Code {
        #[arg(long, value_enum, required_unless_present = "user")]
        role: Option<RoleArg>,
        /// Village codes (caseworker), a township code (station) or the county code (reviewer), comma separated.
        #[arg(long, value_delimiter = ',', required_unless_present = "user")]
        places: Vec<String>,
        #[arg(long, required_unless_present = "user")]
        name: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        /// An existing user (id from `devices` or an earlier `code`): their role, places and
        /// name stay as they are.
        #[arg(long, conflicts_with_all = ["role", "places", "name", "phone"])]
        user: Option<String>,
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
    /// Makes a one-time sign-in code for a user: their first sign-in on a station PC, or a reset
    /// after a forgotten password or a lockout. A PC learns of it at its next sync (online or
    /// by USB file); the person then types it on that PC's sign-in page, offline if need be.
    SigninCode {
        #[arg(long)]
        user: String,
        /// Days the code stays valid.
        #[arg(long, default_value_t = 7)]
        days: i64,
    },
    /// Makes the county's recovery key pair: the secret key goes to `--out` (keep it off the
    /// server, with the backups), the public key into the county document, for which every
    /// station PC wraps its data key at its next sync.
    RecoveryKey {
        #[arg(long)]
        out: PathBuf,
    },
    /// Reopens a station PC whose every password is forgotten: with the recovery secret key,
    /// writes a one-time code for `--user` into the PC's keyring (its data folder, brought
    /// here or on a USB stick) and prints the code.
    RecoverPc {
        /// The PC's data folder (holding keyring.json).
        #[arg(long)]
        data_dir: PathBuf,
        /// The county's recovery secret key file.
        #[arg(long)]
        recovery_key: PathBuf,
        #[arg(long)]
        user: String,
    },
    /// Opens a station PC's backup file for a person whose password is forgotten (the PC
    /// itself lost): with the recovery secret key, writes a one-time code for `--user` into the
    /// backup's keyring and prints it. On a PC's welcome page 从备份恢复 then takes that code
    /// and a new password.
    RecoverBackup {
        /// The backup file (`xianglin-….xlbak`), rewritten in place.
        #[arg(long)]
        backup: PathBuf,
        /// The county's recovery secret key file.
        #[arg(long)]
        recovery_key: PathBuf,
        #[arg(long)]
        user: String,
    },
    /// Moves the database and attachments to a new key (stop the server first). The old key
    /// file is kept as `<key file>.retired`: move it off this machine, beside the backups it
    /// opens.
    RotateKey,
    /// Lists enrolled devices and how each is doing: last sync and contact, app version, edits
    /// waiting, last refusal, who signed in; devices silent too long first, marked SILENT.
    Devices,
    /// Sets the days without contact after which a device stands out in the device list (and
    /// on the reviewer's 设备状况 page).
    SilentDays { days: u32 },
    /// Revokes a device: its token stops working at once.
    Revoke { device: String },
    /// Names an enrolled PC the successor of a lost or broken one: the old PC is revoked, and
    /// the new one (enrolled for the same places) may bring up the edits the old one never
    /// sent, from the old PC's backup (its 数据备份 page, 接替旧电脑).
    Successor {
        /// The lost or broken PC's device id (see `devices`).
        old: String,
        /// The replacement PC's device id, enrolled already.
        new: String,
    },
    /// Imports a station's sync bundle (from a USB stick) and writes the answer file to carry back.
    ImportBundle {
        file: PathBuf,
        /// Where to write the answer file.
        #[arg(long)]
        answer: PathBuf,
    },
    /// Moves a user to other places; their devices follow at their next sync.
    Reassign {
        #[arg(long)]
        user: String,
        #[arg(long, value_delimiter = ',', required = true)]
        places: Vec<String>,
    },
    /// Sets the oldest app version whose edits the server takes (e.g. `0.2.0`; `0` takes
    /// every version). Older apps are told, in Chinese, to update; their edits wait on the PC.
    MinVersion { version: String },
    /// The app releases offered to stations.
    Release {
        #[command(subcommand)]
        command: ReleaseCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ReleaseCommand {
    /// Adds an app package (`xianglin_<version>_<arch>.deb`) with its signature (the `.sig`
    /// of `cargo tauri signer sign`, or a `.minisig`), checked against `release_key`: stations
    /// learn of it at their next sync and download it in the background.
    Add { package: PathBuf, signature: PathBuf },
    /// Lists the releases kept.
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RoleArg {
    Caseworker,
    Station,
    Reviewer,
}

/// Opens `ring` with the county's recovery secret key (the file at `recovery_key`) and holds
/// in it a one-time code for `user`, valid a day: what `recover-pc` and `recover-backup` do to
/// a PC's keyring and to a backup's. Returns the code and when it expires.
fn hold_recovery_code(
    store: &mut dyn CountyStore,
    ring: &mut keyring::Keyring,
    recovery_key: &Path,
    user: &str,
    now: NaiveDateTime,
) -> Result<(String, NaiveDateTime), String> {
    let person = store.user(user).map_err(|error| error.to_string())?.ok_or_else(|| format!("no user {user}"))?;
    let secret = xianglin_sync::crypto::Key::read_file(recovery_key).map_err(|error| error.to_string())?;
    let key = ring.recover(&secret).map_err(|error| error.to_string())?;
    let expires_at = now + Duration::days(1);
    let (code, grant) =
        keyring::new_code(user, expires_at, RecordMeta::created(now, "county-server")).map_err(|e| e.to_string())?;
    let who = keyring::Person { user_id: &person.id, role: person.role.as_str(), name: &person.name };
    ring.hold_code(&key, &who, &grant).map_err(|error| error.to_string())?;
    Ok((code, expires_at))
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal only: under systemd stderr is the journal.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let config =
        Config::load(cli.config.as_deref(), |name| std::env::var(name).ok()).map_err(|error| error.to_string())?;
    let open = || -> Result<Box<dyn CountyStore>, String> {
        Ok(server::at_rest::open_any(&config).map_err(|error| error.to_string())?.0)
    };
    let database = match config.database() {
        Database::Sqlite(path) => path.display().to_string(),
        Database::Postgres { county, .. } => format!("county {county} in PostgreSQL"),
    };
    let now = xianglin_schema::clock::now();
    match cli.command {
        Command::Init => {
            let mut store = open()?;
            if store.county_code().is_ok() {
                return Err(format!("{database} already holds a county"));
            }
            let mut records: Vec<_> = xianglin_schema::place::huichang()
                .iter()
                .map(|place| Ok((county_key("place", &place.code), serde_json::to_value(place)?)))
                .collect::<Result<_, serde_json::Error>>()
                .map_err(|error| error.to_string())?;
            let policy = xianglin_schema::policy::huichang_default();
            records.push((
                county_key("policy", &policy.version),
                serde_json::to_value(&policy).map_err(|e| e.to_string())?,
            ));
            let county = records
                .iter()
                .find_map(|(_, place)| (place["level"] == "county").then(|| place["code"].as_str().map(str::to_owned)))
                .flatten()
                .ok_or("the built-in places hold no county")?;
            if let Database::Postgres { county: configured, .. } = config.database()
                && configured != county
            {
                return Err(format!("this build holds the places of county {county}, not of {configured}"));
            }
            let first = county_document(&records, now).map_err(|error| error.to_string())?;
            store.apply(&ShardId::county(&county), &[first]).map_err(|error| error.to_string())?;
            println!("county database ready: {database}");
            if let server::config::KeySource::File(path) = config.key_source() {
                println!(
                    "its key: {} (keep a copy apart from the database's backups: without it the data cannot be read)",
                    path.display()
                );
            }
            Ok(())
        }
        Command::TlsInit { hosts } => {
            let (cert, key, fingerprint) = server::tls::generate(&hosts)?;
            let (cert_path, key_path) = match config.database() {
                Database::Sqlite(path) => (path.with_extension("cert.pem"), path.with_extension("key.pem")),
                Database::Postgres { county, .. } => {
                    let beside = config.attachments_dir().with_file_name(format!("county-{county}"));
                    (beside.with_extension("cert.pem"), beside.with_extension("key.pem"))
                }
            };
            if cert_path.exists() || key_path.exists() {
                return Err(format!("{} or {} exists already", cert_path.display(), key_path.display()));
            }
            std::fs::write(&cert_path, cert).map_err(|error| error.to_string())?;
            std::fs::write(&key_path, key).map_err(|error| error.to_string())?;
            println!("fingerprint {fingerprint}");
            println!(
                "add to the config file:\ntls_cert = {:?}\ntls_key = {:?}",
                cert_path.display().to_string(),
                key_path.display().to_string()
            );
            Ok(())
        }
        Command::Serve => serve(config),
        Command::Code { role, places, name, phone, days, user } => {
            let mut store = open()?;
            let user = match (user, role, name) {
                (Some(id), _, _) => {
                    let existing = store.user(&id).map_err(|error| error.to_string())?;
                    existing.ok_or_else(|| format!("no user {id}"))?
                }
                (None, Some(role), Some(name)) => {
                    let role = match role {
                        RoleArg::Caseworker => Role::Caseworker,
                        RoleArg::Station => Role::StationDirector,
                        RoleArg::Reviewer => Role::CountyReviewer,
                    };
                    User { id: new_id(), name, role, places, phone, meta: RecordMeta::created(now, "county-server") }
                }
                _ => {
                    return Err("give --role, --places and --name for a new user, or --user for an existing one".into());
                }
            };
            let code = server::new_code();
            store.create_code(&user, &code, now + Duration::days(days), now).map_err(|error| error.to_string())?;
            println!(
                "user {}\ncode {code}\nvalid until {}",
                user.id,
                (now + Duration::days(days)).format("%Y-%m-%d %H:%M")
            );
            Ok(())
        }
        Command::SigninCode { user, days } => {
            let mut store = open()?;
            store.user(&user).map_err(|error| error.to_string())?.ok_or_else(|| format!("no user {user}"))?;
            let expires_at = now + Duration::days(days);
            let (code, grant) = keyring::new_code(&user, expires_at, RecordMeta::created(now, "county-server"))
                .map_err(|e| e.to_string())?;
            let value = serde_json::to_value(&grant).map_err(|error| error.to_string())?;
            store.put_county_record(&format!("signin/{user}"), value, now).map_err(|error| error.to_string())?;
            println!("user {user}\nsign-in code {code}\nvalid until {}", expires_at.format("%Y-%m-%d %H:%M"));
            println!("a station PC learns of it at its next sync; the person types it under 首次登录或重置");
            Ok(())
        }
        Command::RecoveryKey { out } => {
            let mut store = open()?;
            let (secret, public_key) = keyring::new_recovery_key();
            secret.write_new_file(&out).map_err(|error| error.to_string())?;
            let record =
                RecoveryKey { public_key: public_key.clone(), meta: RecordMeta::created(now, "county-server") };
            let value = serde_json::to_value(&record).map_err(|error| error.to_string())?;
            store.put_county_record("recovery_key/current", value, now).map_err(|error| error.to_string())?;
            println!("recovery secret key written to {} (fingerprint {})", out.display(), secret.fingerprint());
            println!(
                "move it off this machine; station PCs wrap their keys for public key {public_key} at their next sync"
            );
            Ok(())
        }
        Command::RecoverBackup { backup, recovery_key, user } => {
            let found = xianglin_sync::backup::read_header(&backup).map_err(|error| error.to_string())?;
            let mut ring = found.header.keyring;
            let (code, expires_at) = hold_recovery_code(&mut *open()?, &mut ring, &recovery_key, &user, now)?;
            xianglin_sync::backup::replace_keyring(&backup, &ring).map_err(|error| error.to_string())?;
            println!(
                "restore code {code} for user {user} in this backup, valid until {}",
                expires_at.format("%Y-%m-%d %H:%M")
            );
            Ok(())
        }
        Command::RecoverPc { data_dir, recovery_key, user } => {
            let mut ring = keyring::Keyring::load(&data_dir)
                .map_err(|error| error.to_string())?
                .ok_or_else(|| format!("no {} in {}", keyring::KEYRING_FILE, data_dir.display()))?;
            let (code, expires_at) = hold_recovery_code(&mut *open()?, &mut ring, &recovery_key, &user, now)?;
            ring.save(&data_dir).map_err(|error| error.to_string())?;
            println!(
                "sign-in code {code} for user {user} on this PC, valid until {}",
                expires_at.format("%Y-%m-%d %H:%M")
            );
            Ok(())
        }
        Command::RotateKey => {
            let rotated = server::at_rest::rotate(&config).map_err(|error| error.to_string())?;
            println!(
                "the county's data is now under key {} (was {}); attachments re-sealed: {}",
                rotated.new_fingerprint, rotated.old_fingerprint, rotated.attachments
            );
            println!(
                "the old key is in {}: backups made before now need it; move it off this machine, beside them",
                rotated.retired_key_file.display()
            );
            Ok(())
        }
        Command::Devices => {
            let mut store = open()?;
            let fleet = server::fleet::fleet_health(&mut *store, now).map_err(|error| error.to_string())?;
            println!("devices silent more than {} days are marked SILENT", fleet.silent_days);
            println!(
                "device\tlabel\tenrolled by\tenrolled\tlast sync\tlast contact\tdays silent\tapp\twaiting\tlast error\tsigned in\tstate"
            );
            for device in fleet.devices {
                let mut state = match (&device.revoked_at, device.silent) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, true) => "SILENT".to_owned(),
                    (None, false) => "active".to_owned(),
                };
                if let Some(old) = &device.succeeds_label {
                    state.push_str(&format!(" (succeeds {old})"));
                }
                let error = match (&device.last_error, &device.last_error_at) {
                    (Some(error), Some(at)) => format!("{at} {error}"),
                    _ => "-".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{error}\t{}\t{state}",
                    device.device_id,
                    device.label,
                    device.enrolled_by,
                    device.enrolled_at,
                    device.last_sync_at.as_deref().unwrap_or("never"),
                    device.last_contact_at.as_deref().unwrap_or("never"),
                    device.days_silent,
                    device.app_version.as_deref().unwrap_or("-"),
                    device.shards_waiting.map_or("-".to_owned(), |waiting| waiting.to_string()),
                    if device.users.is_empty() { "-".to_owned() } else { device.users.join(",") },
                );
            }
            Ok(())
        }
        Command::SilentDays { days } => {
            if days == 0 {
                return Err("the number of days must be at least 1".into());
            }
            let record = xianglin_schema::api::SilentDays { days, meta: RecordMeta::created(now, "county-server") };
            let value = serde_json::to_value(&record).map_err(|error| error.to_string())?;
            open()?
                .put_county_record(xianglin_schema::api::SILENT_DAYS_KEY, value, now)
                .map_err(|error| error.to_string())?;
            println!("devices silent more than {days} days now stand out in the device list");
            Ok(())
        }
        Command::Revoke { device } => {
            if open()?.revoke(&device, now).map_err(|error| error.to_string())? {
                println!("revoked {device}");
                Ok(())
            } else {
                Err(format!("no active device {device}"))
            }
        }
        Command::Successor { old, new } => {
            let grant = server::name_successor(&mut *open()?, &old, &new, now).map_err(|error| error.to_string())?;
            println!("{} ({new}) now succeeds {old}, which is revoked", grant.label);
            println!("on the new PC, after its next sync: 数据备份 → 接替旧电脑, with the old PC's newest backup");
            Ok(())
        }
        Command::ImportBundle { file, answer } => {
            let bytes = read_bounded(&file, xianglin_sync::client::bundle::MAX_BUNDLE_BYTES as u64)?;
            let mut store = open()?;
            let releases = server::Releases::new(config.releases_dir());
            let (grant, reply) = server::import_bundle(&mut *store, &releases, &bytes)
                .map_err(|refusal| format!("{} ({})", refusal, refusal.code()))?;
            std::fs::write(&answer, reply).map_err(|error| format!("cannot write {}: {error}", answer.display()))?;
            println!(
                "imported the bundle of {} ({}); answer written to {}",
                grant.label,
                grant.device_id,
                answer.display()
            );
            Ok(())
        }
        Command::Release { command: ReleaseCommand::Add { package, signature } } => {
            let key = config
                .release_key
                .as_deref()
                .ok_or("set release_key in the config (the update public key the apps are built with)")?;
            let key = server::releases::key_from_config(key).map_err(|error| format!("release_key: {error}"))?;
            let signature = read_bounded(&signature, xianglin_sync::release::MAX_SIGNATURE_BYTES as u64)?;
            let offer = server::Releases::new(config.releases_dir())
                .add(&package, &signature, &key)
                .map_err(|error| format!("{} refused: {error}", package.display()))?;
            println!(
                "release {} for {} added ({} bytes, sha256 {}): stations get it at their next sync",
                offer.version, offer.arch, offer.bytes, offer.sha256
            );
            Ok(())
        }
        Command::Release { command: ReleaseCommand::List } => {
            let releases = server::Releases::new(config.releases_dir()).list();
            if releases.is_empty() {
                println!("no releases in {}", config.releases_dir().display());
            }
            for offer in releases {
                println!(
                    "{}\t{}\t{}\t{} bytes\t{}",
                    offer.version, offer.arch, offer.file_name, offer.bytes, offer.sha256
                );
            }
            Ok(())
        }
        Command::MinVersion { version } => {
            if xianglin_schema::version::parse(&version).is_none() {
                return Err(format!("{version:?} is not a version like 0.2.0"));
            }
            let record = xianglin_schema::version::MinAppVersion {
                version: version.trim().to_owned(),
                meta: RecordMeta::created(now, "county-server"),
            };
            let value = serde_json::to_value(&record).map_err(|error| error.to_string())?;
            open()?
                .put_county_record(xianglin_schema::version::MIN_APP_VERSION_KEY, value, now)
                .map_err(|error| error.to_string())?;
            println!("edits from apps older than {} are refused from now on", record.version);
            Ok(())
        }
        Command::Reassign { user, places } => {
            open()?.reassign(&user, &places, now).map_err(|error| error.to_string())?;
            println!("user {user} now works for {}", places.join(","));
            Ok(())
        }
    }
}

/// The county document's first change, as the server: the county's places and policy.
fn county_document(
    records: &[(String, serde_json::Value)],
    now: chrono::NaiveDateTime,
) -> Result<Vec<u8>, xianglin_sync::Error> {
    let mut county = automerge::Automerge::new();
    let mut transaction = county.transaction();
    for (key, record) in records {
        document::write_record(&mut transaction, key, record)?;
    }
    let options = automerge::transaction::CommitOptions::default()
        .with_message(document::change_message("county-server"))
        .with_time(now.and_utc().timestamp());
    transaction.commit_with(options);
    Ok(county.save())
}

fn serve(config: Config) -> Result<(), String> {
    let (mut store, attachments) = server::at_rest::open_any(&config).map_err(|error| error.to_string())?;
    // Held until the server stops: no second server, and no key rotation, on an SQLite database
    // meanwhile. Processes sharing a PostgreSQL database need no such hold.
    let _alone = match config.database() {
        Database::Sqlite(path) => Some(server::at_rest::exclusive(path).map_err(|error| error.to_string())?),
        Database::Postgres { .. } => None,
    };
    store.county_code().map_err(|error| error.to_string())?;
    // Before the runtime starts: a PostgreSQL store's blocking client may not run inside it.
    let limits = config.limits();
    server::collect_unreferenced(&mut *store, &attachments, xianglin_schema::clock::now() - limits.unreferenced_window)
        .map_err(|error| error.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|error| error.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
        let router = server::router_with(store, attachments, server::Releases::new(config.releases_dir()), limits);
        match (&config.tls_cert, &config.tls_key) {
            (Some(cert), Some(key)) => {
                let read = |path: &PathBuf| {
                    std::fs::read(path).map_err(|error| format!("cannot read {}: {error}", path.display()))
                };
                let (cert, key) = (read(cert)?, read(key)?);
                tracing::info!(fingerprint = %server::tls::fingerprint_of_pem(&cert)?, "serving TLS");
                let acceptor = server::tls::acceptor(&cert, &key)?;
                server::serve_tls(listener, acceptor, router, shutdown_signal()).await
            }
            _ => server::serve(listener, router, shutdown_signal()).await,
        }
        .map_err(|error| error.to_string())
    })
}

/// Ctrl-C or SIGTERM (systemd stop).
async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A file's bytes, refused before reading when it is longer than `limit`.
fn read_bounded(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
    let cannot = |error: std::io::Error| format!("cannot read {}: {error}", path.display());
    if std::fs::metadata(path).map_err(cannot)?.len() > limit {
        return Err(format!("{} is longer than {limit} bytes", path.display()));
    }
    std::fs::read(path).map_err(cannot)
}
