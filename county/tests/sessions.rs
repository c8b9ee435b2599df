//! The county's side of station sign-in, with the real binary: `signin-code` publishes a grant
//! whose code (and only it) opens what a PC wraps for it; `recovery-key` writes a private key
//! file and publishes its public key; `recover-pc` turns a PC's keyring and that key into a new
//! one-time code.

use std::path::Path;

use chrono::NaiveDateTime;
use xianglin_county::{ChangeStore, DeviceStore};
use xianglin_schema::user::{RecoveryKey, SigninGrant};
use xianglin_sync::ShardId;
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::{Keyring, KeyringError, Person};

mod common;

use common::{BINARY, VILLAGE, admin, open_store};

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
    let config = dir.path().join("county.toml");
    std::fs::write(&config, format!("database = {:?}\n", dir.path().join("county.sqlite").display().to_string()))
        .unwrap();
    admin(&config, &["init"]);
    let made = admin(&config, &["code", "--role", "caseworker", "--places", VILLAGE, "--name", "刘芳"]);
    let user = printed(&made, "user ").to_owned();

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
}
