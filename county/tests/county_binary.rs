//! The real `xianglin-county` binary over TLS: init, a certificate, a one-time code, serve; a
//! device pinning the certificate enrolls and syncs, one pinning another is refused; the server
//! is stopped gracefully, killed mid-sync and restarted, and nothing is lost or doubled; a lost
//! PC's successor is named from the command line.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use xianglin_demo::Rng;
use xianglin_domain::registry::store_elder;
use xianglin_sync::Replica;
use xianglin_sync::ShardId;
use xianglin_sync::client::http;
use xianglin_sync::protocol::EnrollRequest;

mod common;

use common::{BINARY, Server, VILLAGE, admin, free_port, new_caseworker, new_county, support_elder};

/// Starts `serve` and waits until it answers (over TLS, trusting the pinned certificate).
async fn serve(config: &Path, port: u16, pin: &str) -> Server {
    let mut child = Command::new(BINARY)
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("XIANGLIN_COUNTY_LISTEN", format!("127.0.0.1:{port}"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .use_preconfigured_tls(xianglin_sync::tls::client_config(pin).unwrap())
        .build()
        .unwrap();
    while client.get(format!("https://127.0.0.1:{port}/v1/health")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server did not start");
        assert!(child.try_wait().unwrap().is_none(), "the server exited at start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Server(child)
}

fn signal(server: &Server, name: &str) {
    assert!(Command::new("kill").args([name, &server.0.id().to_string()]).status().unwrap().success());
}

fn elder_count(replica: &Replica) -> usize {
    xianglin_domain::query::search_elders(
        replica,
        &xianglin_schema::api::ElderSearch {
            place_code: Some(VILLAGE.into()),
            query: String::new(),
            include_inactive: true,
            page: 1,
            page_size: 200,
        },
    )
    .unwrap()
    .total as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_server_enrolls_syncs_and_survives_stop_kill_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let made = admin(&config, &["tls-init", "--hosts", "127.0.0.1,localhost"]);
    let pin = made.lines().find_map(|line| line.strip_prefix("fingerprint ")).unwrap().to_owned();
    let settings = made.lines().skip_while(|line| !line.starts_with("tls_cert")).collect::<Vec<_>>().join("\n");
    let database = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("{database}{settings}\n")).unwrap();
    // Two PCs of one caseworker: the second enrolled by a code for the user the first made.
    let (user, first_code) = new_caseworker(&config, "刘芳", VILLAGE);
    let again = admin(&config, &["code", "--user", &user]);
    assert!(again.starts_with(&format!("user {user}\n")), "{again}");
    let second_code = again.lines().find_map(|line| line.strip_prefix("code ")).unwrap().to_owned();
    let unknown =
        Command::new(BINARY).arg("--config").arg(&config).args(["code", "--user", "nobody"]).output().unwrap();
    assert!(!unknown.status.success() && String::from_utf8_lossy(&unknown.stderr).contains("no user nobody"));

    let port = free_port();
    let url = format!("https://127.0.0.1:{port}");
    let mut server = serve(&config, port, &pin).await;

    // A device that pins another certificate is refused before it sends anything.
    let stranger = Replica::open_in_memory().unwrap();
    let request = EnrollRequest { code: first_code.clone(), device_id: stranger.device_id(), label: "冒充".into() };
    let wrong_pin = "00".repeat(32);
    let refused = http::enroll(&url, Some(&wrong_pin), &request).await;
    assert!(matches!(refused, Err(http::SyncError::Offline(_))), "{refused:?}");

    let enroll = |code: String| {
        let (url, pin) = (url.clone(), pin.clone());
        async move {
            let mut replica = Replica::open_in_memory().unwrap();
            let request = EnrollRequest { code, device_id: replica.device_id(), label: "测试电脑".into() };
            let enrolled = http::enroll(&url, Some(&pin), &request).await.unwrap();
            replica.set_user(&enrolled.scope.user_id).unwrap();
            (Mutex::new(replica), http::Link::new(&url, Some(&pin), &enrolled.token).unwrap())
        }
    };
    let (device, link) = enroll(first_code).await;
    link.sync(&device).await.unwrap();

    // A client that connects and never says hello holds up no one (handshakes run side by side;
    // each gives up after 10 s).
    let _silent = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let impatient = reqwest::Client::builder()
        .use_preconfigured_tls(xianglin_sync::tls::client_config(&pin).unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let health = impatient.get(format!("{url}/v1/health")).send().await.expect("the server answers within 5 s");
    assert_eq!(health.status(), reqwest::StatusCode::OK);
    assert_eq!(health.text().await.unwrap(), "ok");

    // Fifty elders offline, then a sync during which the server is killed outright.
    let mut rng = Rng::new(11);
    for _ in 0..50 {
        let elder = support_elder(&mut rng);
        store_elder(&mut device.lock().unwrap(), elder).unwrap();
    }
    let pushing = {
        let link = link.clone();
        let device = std::sync::Arc::new(device);
        let task_device = device.clone();
        (tokio::spawn(async move { link.sync(&task_device).await }), device)
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    signal(&server, "-KILL");
    let _ = server.0.wait();
    let (task, device) = pushing;
    let _interrupted = task.await.unwrap();

    // Restarted, the device syncs again: everything arrives once.
    server = serve(&config, port, &pin).await;
    link.sync(&device).await.unwrap();
    let (other, other_link) = enroll(second_code).await;
    other_link.sync(&other).await.unwrap();
    let shard = ShardId::Elders { village: VILLAGE.into() };
    assert_eq!(other.lock().unwrap().heads(&shard).unwrap(), device.lock().unwrap().heads(&shard).unwrap());
    assert_eq!(elder_count(&other.lock().unwrap()), 50);
    // The first device hears nothing of the second (the county document names no devices).
    assert_eq!(link.sync(&device).await.unwrap(), Default::default(), "a quiet resync moves nothing");

    // SIGTERM: a graceful stop, exit status 0, and the log says so.
    signal(&server, "-TERM");
    let status = server.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let log: Vec<String> = BufReader::new(server.0.stderr.take().unwrap()).lines().map(Result::unwrap).collect();
    assert!(log.iter().any(|line| line.contains("county server stopped")), "{log:?}");
    assert!(!log.iter().any(|line| line.contains("刘芳") || line.contains("张伟")), "names in the log: {log:?}");

    // The first PC is lost: the county names the second (same village) its successor.
    let (lost, replacement) = (device.lock().unwrap().device_id(), other.lock().unwrap().device_id());
    let named = admin(&config, &["successor", &lost, &replacement]);
    assert!(named.contains("now succeeds"), "{named}");
    let devices = admin(&config, &["devices"]);
    let row = |id: &str| devices.lines().find(|line| line.starts_with(id)).unwrap_or_default().to_owned();
    assert!(row(&lost).contains("revoked"), "{devices}");
    assert!(row(&replacement).ends_with("active (succeeds 测试电脑)"), "{devices}");
    let backwards = Command::new(BINARY).arg("--config").arg(&config).args(["successor", &replacement, &lost]).output();
    let backwards = backwards.unwrap();
    assert!(!backwards.status.success());
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("is revoked"), "{backwards:?}");
}
