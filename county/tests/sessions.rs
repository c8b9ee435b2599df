//! The county's side of station sign-in, with the real binary: `signin-code` publishes a grant
//! whose code (and only it) opens what a PC wraps for it; `recovery-key` writes a private key
//! file and publishes its public key; `recover-pc` turns a PC's keyring and that key into a new
//! one-time code, and `recover-backup` does the same inside a PC's backup file.

use std::path::Path;

use chrono::NaiveDateTime;
use xianglin_county::{ChangeStore, DeviceStore};
use xianglin_schema::user::{RecoveryKey, SigninGrant};
use xianglin_sync::ShardId;
use xianglin_sync::client::http;
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::{CodeWrap, Keyring, KeyringError, Person};
use xianglin_sync::protocol::CodeWrapRequest;

mod common;

use common::{BINARY, VILLAGE, admin, enroll, free_port, http_client, new_caseworker, new_county, open_store, serve};

/// A record of the county document, as a PC gets it at sync.
fn county_record<T: serde::de::DeserializeOwned>(config: &Path, key: &str) -> Option<T> {
    let mut store = open_store(config);
    let county = ShardId::county(&store.county_code().unwrap());
    let mut document = automerge::AutoCommit::new();
    for chunk in store.changes_since(&county, &[]).unwrap() {
        document.load_incremental(&chunk).unwrap();
    }
    let stored = xianglin_sync::document::read_record(&document, key).unwrap()?;
    Some(serde_json::from_value(stored.value).unwrap())
}

fn printed<'a>(output: &'a str, prefix: &str) -> &'a str {
    output.lines().find_map(|line| line.strip_prefix(prefix)).unwrap().split_whitespace().next().unwrap()
}

fn now() -> NaiveDateTime {
    xianglin_schema::clock::now()
}

#[test]
fn a_sign_in_code_and_the_recovery_key_open_what_a_station_pc_wraps_for_them() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let (user, _) = new_caseworker(&config, "刘芳", VILLAGE);

    // A code for an unknown user is refused, and publishes nothing.
    let refused = std::process::Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .args(["signin-code", "--user", "nobody"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no user nobody"));

    let issued = admin(&config, &["signin-code", "--user", &user, "--days", "3"]);
    let code = printed(&issued, "sign-in code ").to_owned();
    let grant: SigninGrant = county_record(&config, &format!("signin/{user}")).expect("the grant is published");
    assert_eq!(grant.user_id, user);
    assert!(!issued.contains(&grant.salt) && !serde_json::to_string(&grant).unwrap().contains(&code));

    // A PC that got the grant wraps its key for it; the printed code opens it, another does not.
    let pc_key = Key::generate();
    let mut keyring = Keyring::new(&pc_key, false);
    let person = Person { user_id: &user, role: "caseworker", name: "刘芳" };
    assert!(keyring.hold_code(&pc_key, &person, &grant).unwrap());
    assert!(matches!(
        keyring.unlock_with_code(&user, "ABCD-EFGH-JKMN", now()),
        Err(KeyringError::WrongPassword { .. })
    ));
    assert_eq!(keyring.unlock_with_code(&user, &code, now()).unwrap().fingerprint(), pc_key.fingerprint());

    // The recovery key: a private file, a public key in the county document.
    let secret_file = dir.path().join("recovery.key");
    admin(&config, &["recovery-key", "--out", secret_file.to_str().unwrap()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secret_file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let recovery: RecoveryKey = county_record(&config, "recovery_key/current").expect("the public key is published");
    keyring.set_recovery(&pc_key, &recovery.public_key).unwrap();
    keyring.set_password(&pc_key, &person, "forgotten-password", 8, now()).unwrap();
    let pc_folder = dir.path().join("pc");
    std::fs::create_dir(&pc_folder).unwrap();
    keyring.save(&pc_folder).unwrap();

    // Every password forgotten: the county writes a new code into the PC's keyring.
    let recovered = admin(
        &config,
        &[
            "recover-pc",
            "--data-dir",
            pc_folder.to_str().unwrap(),
            "--recovery-key",
            secret_file.to_str().unwrap(),
            "--user",
            &user,
        ],
    );
    let new_code = printed(&recovered, "sign-in code ").to_owned();
    let mut reopened = Keyring::load(&pc_folder).unwrap().unwrap();
    assert_eq!(reopened.unlock_with_code(&user, &new_code, now()).unwrap().fingerprint(), pc_key.fingerprint());

    // The PC itself lost, only its backup left: the county puts a code in the backup's keyring.
    let database = pc_folder.join("xianglin.sqlite");
    drop(xianglin_sync::Replica::open_encrypted(&database, &pc_key).unwrap());
    let backups = pc_folder.join("backups");
    let made = xianglin_sync::backup::write(
        &database,
        &pc_key,
        &keyring,
        &backups,
        now(),
        xianglin_sync::backup::Reason::Daily,
        &mut |_, _| {},
    )
    .unwrap();
    let file = made.path.to_str().unwrap();
    let recover_backup = |key_file: &Path| {
        std::process::Command::new(BINARY)
            .arg("--config")
            .arg(&config)
            .args(["recover-backup", "--backup", file, "--recovery-key", key_file.to_str().unwrap(), "--user", &user])
            .output()
            .unwrap()
    };
    // Another county's recovery key opens nothing and leaves the file as it was.
    let before = std::fs::read(&made.path).unwrap();
    let other_key = dir.path().join("other-recovery.key");
    Key::create_file(&other_key).unwrap();
    assert!(!recover_backup(&other_key).status.success());
    assert_eq!(std::fs::read(&made.path).unwrap(), before);
    let recovered = recover_backup(&secret_file);
    assert!(recovered.status.success(), "{}", String::from_utf8_lossy(&recovered.stderr));
    let backup_code = printed(&String::from_utf8_lossy(&recovered.stdout), "restore code ").to_owned();
    let mut in_backup = xianglin_sync::backup::read_header(&made.path).unwrap().header.keyring;
    let key = in_backup.unlock_with_code(&user, &backup_code, now()).unwrap();
    assert_eq!(key.fingerprint(), pc_key.fingerprint());
    // The backup is whole: it restores with that key.
    let restored = dir.path().join("restored").join("xianglin.sqlite");
    std::fs::create_dir(restored.parent().unwrap()).unwrap();
    xianglin_sync::backup::restore(&made.path, &key, &restored, &mut |_, _, _| {}).unwrap();
    assert!(xianglin_sync::Replica::open_encrypted(&restored, &key).is_ok());
}

/// A village of another township than [`VILLAGE`]'s.
const OTHER_TOWNSHIP_VILLAGE: &str = "360733100201";

#[tokio::test]
async fn a_locked_pc_gets_a_code_s_wrap_from_the_server_online_which_only_that_code_opens() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let (owner, enrollment) = new_caseworker(&config, "刘芳", VILLAGE);
    let (colleague, _) = new_caseworker(&config, "王秀英", VILLAGE);
    let (elsewhere, _) = new_caseworker(&config, "陈建国", OTHER_TOWNSHIP_VILLAGE);
    let code_of = |user: &str| printed(&admin(&config, &["signin-code", "--user", user]), "sign-in code ").to_owned();
    let colleague_code = code_of(&colleague);
    code_of(&elsewhere);

    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = serve(&config, port).await;
    let device = enroll(&url, &enrollment).await;
    let device_id = device.replica.lock().unwrap().device_id();

    // The PC, after a sync, keeps its key sealed for the server; then it is locked (or restarted).
    let pc_key = Key::generate();
    let mut keyring = Keyring::new(&pc_key, false);
    let secret = xianglin_sync::client::bundle::key_of_token(&device.token);
    keyring.set_server(&pc_key, &device_id, &secret, &url, None);
    let server_wrap = keyring.server.clone().unwrap();
    let ask = |user: &str, wrapped: &str| CodeWrapRequest {
        device_id: device_id.clone(),
        user_id: user.to_owned(),
        wrapped: wrapped.to_owned(),
    };

    // The colleague's first sign-in: the answer opens with their code (not another), once.
    let answer = http::code_wrap(&url, None, &ask(&colleague, &server_wrap.wrapped)).await.unwrap();
    assert_eq!(answer.masked_name, "王*英");
    assert!(!serde_json::to_string(&answer).unwrap().contains("王秀英"));
    keyring.hold_code_wrap(&colleague, answer).unwrap();
    assert!(matches!(
        keyring.unlock_with_code(&colleague, "ABCD-EFGH-JKMN", now()),
        Err(KeyringError::WrongPassword { left: 4 })
    ));
    assert_eq!(
        keyring.unlock_with_code(&colleague, &colleague_code, now()).unwrap().fingerprint(),
        pc_key.fingerprint()
    );

    // Refused: someone whose places are not this PC's; someone with no code; a box that does
    // not open (tampered, or presented by another device id); an oversized body.
    let refused = |result: Result<CodeWrap, http::SyncError>| result.unwrap_err().code().to_owned();
    assert_eq!(refused(http::code_wrap(&url, None, &ask(&elsewhere, &server_wrap.wrapped)).await), "forbidden");
    assert_eq!(refused(http::code_wrap(&url, None, &ask(&owner, &server_wrap.wrapped)).await), "not_found");
    let mut tampered = server_wrap.wrapped.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(refused(http::code_wrap(&url, None, &ask(&colleague, &tampered)).await), "unauthorized");
    let stranger = CodeWrapRequest { device_id: "ab".repeat(16), ..ask(&colleague, &server_wrap.wrapped) };
    assert_eq!(refused(http::code_wrap(&url, None, &stranger).await), "unauthorized");
    let oversized =
        http_client().post(format!("{url}/v1/signin/code")).body(vec![0u8; 64 * 1024]).send().await.unwrap();
    assert_eq!(oversized.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);

    // A revoked PC gets nothing more.
    admin(&config, &["revoke", &device_id]);
    assert_eq!(refused(http::code_wrap(&url, None, &ask(&colleague, &server_wrap.wrapped)).await), "revoked");
}
