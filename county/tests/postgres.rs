//! The real `xianglin-county` binary over PostgreSQL (a new database on the test cluster that
//! `./dev.sh test` starts): `init` and the admin commands, and two `serve` processes over one
//! database with no state of their own. Devices alternate between them and converge; one process
//! killed mid-sync, the other carries on, and nothing is lost or doubled; the key rotated, the
//! county reads the same.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use xianglin_demo::Rng;
use xianglin_domain::registry::store_elder;
use xianglin_sync::client::http::Link;
use xianglin_sync::{Replica, ShardId};

mod common;

use common::{VILLAGE, admin, enroll, free_port, new_caseworker, serve, support_elder};

/// A county in a new PostgreSQL database: its config in `dir` (the key file and attachments
/// beside it), initialised. Returns the config's path.
fn postgres_county(dir: &Path) -> PathBuf {
    let url = xianglin_county::store::testing::fresh_postgres();
    let config = dir.join("county.toml");
    let settings = format!(
        "database = {url:?}\ncounty = \"360733000000\"\nattachments = {:?}\n",
        dir.join("attachments").display().to_string()
    );
    std::fs::write(&config, settings).unwrap();
    admin(&config, &["init"]);
    config
}

fn elders(replica: &Replica) -> i64 {
    replica.connection().query_row("SELECT count(*) FROM elders", [], |row| row.get(0)).unwrap()
}

fn save_elders(replica: &Mutex<Replica>, rng: &mut Rng, count: usize) {
    for _ in 0..count {
        store_elder(&mut replica.lock().unwrap(), support_elder(rng)).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_over_one_postgres_database_serve_devices_that_alternate_and_survive_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let config = postgres_county(dir.path());
    assert!(dir.path().join("county.key").exists(), "the database key is made beside the config");
    let init_again = std::process::Command::new(common::BINARY).arg("--config").arg(&config).arg("init").output();
    assert!(!init_again.unwrap().status.success(), "init refuses a database that holds the county");
    let (_, first_code) = new_caseworker(&config, "刘芳", VILLAGE);
    let (_, second_code) = new_caseworker(&config, "张伟", VILLAGE);

    let (port_a, port_b) = (free_port(), free_port());
    let mut server_a = serve(&config, port_a).await;
    let server_b = serve(&config, port_b).await;
    let (url_a, url_b) = (format!("http://127.0.0.1:{port_a}"), format!("http://127.0.0.1:{port_b}"));
    // One device enrolls through each process; each then reaches both.
    let first = enroll(&url_a, &first_code).await;
    let second = enroll(&url_b, &second_code).await;
    let links = |token: &str| [Link::new(&url_a, None, token).unwrap(), Link::new(&url_b, None, token).unwrap()];
    let (first_links, second_links) = (links(&first.token), links(&second.token));

    // Their first sync brings the county document (places, policy) from the other process.
    first_links[1].sync(&first.replica).await.unwrap();
    second_links[0].sync(&second.replica).await.unwrap();
    let mut rng = Rng::new(20);
    for round in 0..4 {
        save_elders(&first.replica, &mut rng, 2);
        first_links[round % 2].sync(&first.replica).await.unwrap();
        save_elders(&second.replica, &mut rng, 2);
        second_links[(round + 1) % 2].sync(&second.replica).await.unwrap();
    }
    first_links[1].sync(&first.replica).await.unwrap();
    second_links[0].sync(&second.replica).await.unwrap();
    let shard = ShardId::Elders { village: VILLAGE.into() };
    let heads = |replica: &Mutex<Replica>| replica.lock().unwrap().heads(&shard).unwrap();
    assert_eq!(heads(&first.replica), heads(&second.replica), "both devices converge");
    assert_eq!(elders(&first.replica.lock().unwrap()), 16);

    // Process A is killed while the first device pushes fifty elders to it; B carries on.
    save_elders(&first.replica, &mut rng, 50);
    let pushing = {
        let (link, device) = (first_links[0].clone(), Arc::clone(&first.replica));
        tokio::spawn(async move { link.sync(&device).await })
    };
    tokio::time::sleep(Duration::from_millis(5)).await;
    server_a.0.kill().unwrap();
    server_a.0.wait().unwrap();
    let _interrupted = pushing.await.unwrap();
    first_links[1].sync(&first.replica).await.unwrap();
    second_links[1].sync(&second.replica).await.unwrap();
    assert_eq!(heads(&first.replica), heads(&second.replica));
    assert_eq!(elders(&second.replica.lock().unwrap()), 66, "every elder arrived, once");

    // The admin commands read the same database: both devices, each enrolled by its person.
    let listed = admin(&config, &["devices"]);
    assert!(listed.contains("刘芳") && listed.contains("张伟"), "{listed}");
    assert_eq!(listed.lines().count(), 4, "{listed}");

    // The key rotated with the servers stopped: the county reads the same under the new key.
    drop(server_b);
    admin(&config, &["rotate-key"]);
    assert!(dir.path().join("county.key.retired").exists());
    let _server = serve(&config, port_b).await;
    save_elders(&first.replica, &mut rng, 1);
    first_links[1].sync(&first.replica).await.unwrap();
    second_links[1].sync(&second.replica).await.unwrap();
    assert_eq!(elders(&second.replica.lock().unwrap()), 67);
    assert_eq!(heads(&first.replica), heads(&second.replica));
}
