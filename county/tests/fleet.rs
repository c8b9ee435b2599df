//! The county's device list against the real binary: what each device's requests tell the
//! server (app version, who is signed in, edits still waiting, the last refusal) shows in
//! `xianglin-county devices` and reaches a county reviewer's app (`GET /v1/fleet`), and no one
//! else's; the county sets its own number of days after which a silent device stands out.

use xianglin_demo::Rng;
use xianglin_domain::registry::store_elder;
use xianglin_schema::api::DEFAULT_SILENT_DAYS;
use xianglin_schema::version::APP_VERSION;
use xianglin_sync::client;

mod common;

use common::{VILLAGE, admin, enroll, free_port, new_caseworker, new_county, new_user, serve, support_elder};

#[tokio::test]
async fn each_device_s_sync_refusals_and_people_reach_the_county_s_list_and_only_a_reviewer_s_app() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let (_, caseworker_code) = new_caseworker(&config, "刘芳", VILLAGE);
    let (_, reviewer_code) = new_user(&config, "reviewer", "县审核员", "360733000000");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = serve(&config, port).await;
    let caseworker = enroll(&url, &caseworker_code).await;
    let reviewer = enroll(&url, &reviewer_code).await;
    reviewer.link.sync(&reviewer.replica).await.unwrap();
    caseworker.link.sync(&caseworker.replica).await.unwrap();

    // The caseworker's edit goes up: nothing waits after it.
    let mut rng = Rng::new(3);
    store_elder(&mut caseworker.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    caseworker.link.sync(&caseworker.replica).await.unwrap();
    let fleet = reviewer.link.fleet().await.unwrap();
    assert_eq!(fleet.silent_days, DEFAULT_SILENT_DAYS);
    let caseworker_id = caseworker.replica.lock().unwrap().device_id();
    let row = fleet.devices.iter().find(|device| device.device_id == caseworker_id).unwrap();
    assert_eq!(row.enrolled_by, "刘芳");
    assert_eq!(row.place_codes, [VILLAGE]);
    assert_eq!(row.users, ["刘芳"], "who was signed in when it synced");
    assert_eq!((row.app_version.as_deref(), row.shards_waiting), (Some(APP_VERSION), Some(0)));
    assert_eq!((row.last_error.as_deref(), row.days_silent, row.silent), (None, 0, false));
    assert!(row.last_sync_at.is_some() && row.last_sync_at == row.last_contact_at);

    // The county then requires a newer app: the next edit is refused and waits on the PC.
    admin(&config, &["min-version", "99.0"]);
    store_elder(&mut caseworker.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    assert_eq!(caseworker.link.sync(&caseworker.replica).await.unwrap_err().code(), "outdated");
    let fleet = reviewer.link.fleet().await.unwrap();
    let row = fleet.devices.iter().find(|device| device.device_id == caseworker_id).unwrap();
    assert!(row.last_error.as_deref().unwrap().starts_with("outdated: "), "{:?}", row.last_error);
    assert!(row.last_error_at >= row.last_sync_at, "refused after its last full sync (within the second)");
    assert_eq!(row.last_contact_at, row.last_error_at, "a refusal is a contact");
    assert_eq!(client::waiting(&caseworker.replica.lock().unwrap()).unwrap(), 1);

    // The same in the admin command's list, with the county's own threshold.
    admin(&config, &["silent-days", "3"]);
    let listed = admin(&config, &["devices"]);
    assert!(listed.starts_with("devices silent more than 3 days are marked SILENT"), "{listed}");
    let line = listed.lines().find(|line| line.starts_with(&caseworker_id)).unwrap();
    let columns: Vec<&str> = line.split('\t').collect();
    assert_eq!(columns.len(), 12, "{line}");
    assert_eq!((columns[2], columns[6], columns[7]), ("刘芳", "0", APP_VERSION), "{line}");
    assert!(columns[9].contains("outdated"), "{line}");
    assert_eq!((columns[10], columns[11]), ("刘芳", "active"), "{line}");
    assert_eq!(reviewer.link.fleet().await.unwrap().silent_days, 3);
    assert!(admin_fails(&config, &["silent-days", "0"]));

    // A caseworker's app is not told about the county's devices.
    let refused = caseworker.link.fleet().await.unwrap_err();
    assert_eq!(refused.code(), "forbidden");
}

fn admin_fails(config: &std::path::Path, args: &[&str]) -> bool {
    !std::process::Command::new(common::BINARY)
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap()
        .status
        .success()
}
