//! What the tests of the real `xianglin-county` binary share: running its admin commands, a
//! free port, a server process killed when dropped, an elder to save.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use xianglin_demo::Rng;
use xianglin_sync::Replica;
use xianglin_sync::client::http;
use xianglin_sync::protocol::EnrollRequest;

pub const BINARY: &str = env!("CARGO_BIN_EXE_xianglin-county");
pub const VILLAGE: &str = "360733105201";

pub fn admin(config: &Path, args: &[&str]) -> String {
    let output = Command::new(BINARY).arg("--config").arg(config).args(args).output().unwrap();
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A new county in `dir`: `county.toml` (the database beside it, then `settings`, more config
/// lines), initialised. Returns the config's path.
pub fn new_county(dir: &Path, settings: &str) -> PathBuf {
    let config = dir.join("county.toml");
    let database = dir.join("county.sqlite");
    std::fs::write(&config, format!("database = {:?}\n{settings}", database.display().to_string())).unwrap();
    admin(&config, &["init"]);
    config
}

/// A new caseworker of `place` and the enrollment code made for them: (user id, code).
pub fn new_caseworker(config: &Path, name: &str, place: &str) -> (String, String) {
    new_user(config, "caseworker", name, place)
}

/// A new user of `role` (`caseworker`, `station`, `reviewer`) for `place`, and their
/// enrollment code: (user id, code).
pub fn new_user(config: &Path, role: &str, name: &str, place: &str) -> (String, String) {
    let printed = admin(config, &["code", "--role", role, "--places", place, "--name", name]);
    let value = |prefix: &str| printed.lines().find_map(|line| line.strip_prefix(prefix)).unwrap().to_owned();
    (value("user "), value("code "))
}

/// The county's database as the config says, opened with its key beside the running server.
pub fn open_store(config: &Path) -> xianglin_county::SqliteStore {
    let config = xianglin_county::config::Config::load(Some(config), |_| None).unwrap();
    xianglin_county::at_rest::open(&config).unwrap().store
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A server process, killed if the test fails before it stops it.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An elder of the village with a valid, distinct ID number.
pub fn support_elder(rng: &mut Rng) -> xianglin_schema::elder::Elder {
    use chrono::NaiveDate;
    use xianglin_schema::elder::{EconomicStatus, Elder, LifeStatus};
    use xianglin_schema::record::{Gender, RecordMeta};
    let birth =
        NaiveDate::from_ymd_opt(1935 + rng.below(25) as i32, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
            .unwrap();
    Elder {
        id: String::new(),
        name: "王秀英".into(),
        id_number: xianglin_schema::id_number::compose("360733", birth, rng.below(1000) as u16, Gender::Female),
        gender: Gender::Female,
        birth_date: birth,
        phone: None,
        address: "庄口镇".into(),
        village_code: VILLAGE.into(),
        categories: Default::default(),
        economic_status: EconomicStatus::None,
        life: LifeStatus::default(),
        contacts: Default::default(),
        events: Default::default(),
        notes: String::new(),
        meta: RecordMeta::default(),
    }
}

/// Starts `serve` over plain HTTP on loopback and waits until it answers.
pub async fn serve(config: &Path, port: u16) -> Server {
    serve_logging_to(config, port, std::process::Stdio::null()).await
}

/// [`serve`], its log (at debug level) going to `log`.
pub async fn serve_logging_to(config: &Path, port: u16, log: std::process::Stdio) -> Server {
    let server = Server(
        Command::new(BINARY)
            .arg("--config")
            .arg(config)
            .arg("serve")
            .env("XIANGLIN_COUNTY_LISTEN", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "debug")
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while http_client().get(format!("http://127.0.0.1:{port}/v1/health")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server
}

/// A plain HTTP client (reqwest wants a process-wide TLS provider even so).
pub fn http_client() -> reqwest::Client {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// An enrolled device: its replica, its link and its token.
pub struct Device {
    pub replica: Arc<Mutex<Replica>>,
    pub link: http::Link,
    pub token: String,
}

pub async fn enroll(url: &str, code: &str) -> Device {
    let mut replica = Replica::open_in_memory().unwrap();
    let request = EnrollRequest { code: code.into(), device_id: replica.device_id(), label: "测试电脑".into() };
    let enrolled = http::enroll(url, None, &request).await.unwrap();
    replica.set_user(&enrolled.scope.user_id).unwrap();
    Device {
        replica: Arc::new(Mutex::new(replica)),
        link: http::Link::new(url, None, &enrolled.token).unwrap(),
        token: enrolled.token,
    }
}
