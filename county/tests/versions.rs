//! Mixed app versions in one county: the county sets a minimum app version (`min-version`);
//! an older app still receives, but its edits are refused with a Chinese message and wait on
//! its PC, whole, until it may send them. An app from before versions were sent counts as older.

use serde::Serialize;
use xianglin_demo::Rng;
use xianglin_domain::registry::store_elder;
use xianglin_schema::version::APP_VERSION;
use xianglin_sync::client;
use xianglin_sync::protocol::{PROTOCOL, ShardPush, wire};

mod common;

use common::{VILLAGE, admin, enroll, free_port, http_client, new_caseworker, new_county, serve, support_elder};

/// A sync request as apps before 0.1 versions sent it: no `app_version`.
#[derive(Serialize)]
struct RequestWithoutVersion {
    protocol: u32,
    cursor: u64,
    shards: Vec<ShardPush>,
}

#[tokio::test]
async fn an_app_older_than_the_county_s_minimum_keeps_its_edits_until_it_may_send_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let code = |name: &str| new_caseworker(&config, name, VILLAGE).1;
    let (first, second) = (code("刘芳"), code("张伟"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = serve(&config, port).await;
    let (device, colleague) = (enroll(&url, &first).await, enroll(&url, &second).await);
    device.link.sync(&device.replica).await.unwrap();

    // The county requires a version newer than this build. Receiving still works...
    admin(&config, &["min-version", "99.0"]);
    device.link.sync(&device.replica).await.unwrap();
    // ...an edit made now is refused, in Chinese, and stays on the PC.
    let mut rng = Rng::new(5);
    store_elder(&mut device.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    let waiting = client::waiting(&device.replica.lock().unwrap()).unwrap();
    assert!(waiting > 0);
    let refused = device.link.sync(&device.replica).await.unwrap_err();
    assert_eq!(refused.code(), "outdated");
    let message = refused.to_string();
    assert!(message.contains("99.0") && message.contains("请安装更新") && message.contains(APP_VERSION), "{message}");
    assert_eq!(client::waiting(&device.replica.lock().unwrap()).unwrap(), waiting, "the edit still waits");
    colleague.link.sync(&colleague.replica).await.unwrap();
    assert_eq!(elders(&colleague.replica.lock().unwrap()), 0, "nothing of it reached the county");

    // An app from before versions were sent, with the minimum at this build: refused too.
    admin(&config, &["min-version", APP_VERSION]);
    let (request, _) = client::prepare(&mut device.replica.lock().unwrap()).unwrap();
    assert!(request.shards.iter().any(|push| !push.changes.is_empty()));
    let unversioned =
        RequestWithoutVersion { protocol: PROTOCOL, cursor: request.cursor, shards: request.shards.clone() };
    let response = http_client()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(&device.token)
        .header("content-type", wire::CONTENT_TYPE)
        .header("content-encoding", wire::CONTENT_ENCODING)
        .body(wire::encode(&unversioned))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::UPGRADE_REQUIRED);
    assert!(String::from_utf8_lossy(&response.bytes().await.unwrap()).contains("旧版本"));

    // This build meets the minimum: the waiting edit goes up, once.
    device.link.sync(&device.replica).await.unwrap();
    // The county's device list says when each device was last answered, running what.
    let listed = admin(&config, &["devices"]);
    let device_id = device.replica.lock().unwrap().device_id();
    let line = listed.lines().find(|line| line.starts_with(&device_id)).unwrap();
    let columns: Vec<&str> = line.split('\t').collect();
    assert_eq!((columns[6], columns[7], columns[8], columns[11]), ("0", APP_VERSION, "0", "active"), "{line}");
    assert_eq!(client::waiting(&device.replica.lock().unwrap()).unwrap(), 0);
    colleague.link.sync(&colleague.replica).await.unwrap();
    assert_eq!(elders(&colleague.replica.lock().unwrap()), 1);

    // A minimum that is not a version is refused by the command, and changes nothing.
    let bad = std::process::Command::new(common::BINARY)
        .arg("--config")
        .arg(&config)
        .args(["min-version", "latest"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    device.link.sync(&device.replica).await.unwrap();
}

fn elders(replica: &xianglin_sync::Replica) -> i64 {
    replica.connection().query_row("SELECT count(*) FROM elders", [], |row| row.get(0)).unwrap()
}
