//! `xianglin-demo`: writes the demo county into a database file, for a county server to serve
//! (the app makes its own demo from its welcome page).
//!
//! ```text
//! xianglin-demo county <database>   # the county server's database, holding the demo township
//! xianglin-demo needles              # the demo's names, ID numbers and phones, one per line
//! xianglin-demo old-pc <county-url> <code> <folder> <password>
//! ```
//!
//! `old-pc` makes a PC that will be lost, for the end-to-end test of 接替旧电脑: in `folder`, an
//! encrypted replica enrolled at the county with `code` (a caseworker's), synced, then one elder
//! registered and never sent, and a backup (in `folder/backups`) that `password` opens. It prints
//! one line of JSON: the device id, the elder's name, the backup file.
//!
//! `needles` is for the end-to-end test's scan of every file the app and the server wrote: what
//! must not be found in clear (all made up, as the demo is).

use std::path::PathBuf;
use std::process::ExitCode;

use xianglin_demo::{DemoOptions, DemoSize};
use xianglin_sync::Replica;

const USAGE: &str = "usage: xianglin-demo county <database> | xianglin-demo needles | \
                     xianglin-demo old-pc <county-url> <code> <folder> <password>";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let database = match arguments.as_slice() {
        [command, database] if command == "county" => PathBuf::from(database),
        [command, url, code, folder, password] if command == "old-pc" => {
            return match old_pc(url, code, std::path::Path::new(folder), password) {
                Ok(line) => {
                    println!("{line}");
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        [command] if command == "needles" => {
            return match needles() {
                Ok(lines) => {
                    println!("{}", lines.join("\n"));
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match county(&database) {
        Ok(()) => {
            println!("demo county ready: {}", database.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The one-township demo (the app's demo), generated at today's date, written as the county
/// server writes: as the user `county-server`.
fn county(database: &std::path::Path) -> Result<(), String> {
    let mut replica = Replica::open(database).map_err(|error| error.to_string())?;
    if !replica.shards().map_err(|error| error.to_string())?.is_empty() {
        return Err(format!("{} already holds data; the demo goes into a new database", database.display()));
    }
    let options = DemoOptions { size: DemoSize::Small, seed: 1, today: xianglin_schema::clock::today() };
    xianglin_demo::generate(&mut replica, &options).map_err(|error| error.to_string())?;
    // The demo signs its director in; the server writes as itself.
    replica.set_user("county-server").map_err(|error| error.to_string())?;
    Ok(())
}

/// The personal values of the one-township demo at today's date (the app's and the county's
/// demo, the same from the same seed and day): every elder's name, ID number and phone, and
/// every user's name.
fn needles() -> Result<Vec<String>, String> {
    let mut replica = Replica::open_in_memory().map_err(|error| error.to_string())?;
    let options = DemoOptions { size: DemoSize::Small, seed: 1, today: xianglin_schema::clock::today() };
    xianglin_demo::generate(&mut replica, &options).map_err(|error| error.to_string())?;
    xianglin_domain::query::personal_values(&replica).map_err(|error| error.to_string())
}

/// A caseworker's PC that will be lost: enrolled, synced, one elder registered after the sync,
/// and backed up. Returns `{"device_id", "name", "backup"}`.
fn old_pc(url: &str, code: &str, folder: &std::path::Path, password: &str) -> Result<String, String> {
    use xianglin_sync::client::http::{self, Link};
    let fail = |error: &dyn std::fmt::Display| error.to_string();
    std::fs::create_dir_all(folder).map_err(|error| fail(&error))?;
    let key = xianglin_sync::crypto::Key::create_file(&folder.join("data.key")).map_err(|error| fail(&error))?;
    let database = folder.join("xianglin.sqlite");
    let replica = Replica::open_encrypted(&database, &key).map_err(|error| fail(&error))?;
    let device_id = replica.device_id();
    let replica = std::sync::Mutex::new(replica);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|error| fail(&error))?;
    let request = xianglin_sync::protocol::EnrollRequest {
        code: code.to_owned(),
        device_id: device_id.clone(),
        label: "白沙村旧电脑".into(),
    };
    let enrolled = runtime.block_on(http::enroll(url, None, &request)).map_err(|error| fail(&error))?;
    let mut replica = replica.into_inner().map_err(|error| fail(&error))?;
    replica.set_user(&enrolled.scope.user_id).map_err(|error| fail(&error))?;
    let village = enrolled.scope.places.first().cloned().ok_or("the code names no village")?;
    let replica = std::sync::Mutex::new(replica);
    let link = Link::new(url, None, &enrolled.token).map_err(|error| fail(&error))?;
    runtime.block_on(link.sync(&replica)).map_err(|error| fail(&error))?;

    let mut replica = replica.into_inner().map_err(|error| fail(&error))?;
    let today = xianglin_schema::clock::today();
    let elder = xianglin_demo::one_elder(&mut xianglin_demo::Rng::new(2026), &village, today);
    let name = elder.name.clone();
    xianglin_domain::registry::store_elder(&mut replica, elder).map_err(|error| fail(&error))?;
    drop(replica);

    let mut keyring = xianglin_sync::keyring::Keyring::new(&key, false);
    let person =
        xianglin_sync::keyring::Person { user_id: &enrolled.scope.user_id, role: "caseworker", name: "刘芳" };
    keyring.set_password(&key, &person, password, 0, xianglin_schema::clock::now()).map_err(|error| fail(&error))?;
    keyring.save(folder).map_err(|error| fail(&error))?;
    let made = xianglin_sync::backup::write(
        &database,
        &key,
        &keyring,
        &folder.join(xianglin_sync::backup::FOLDER),
        xianglin_schema::clock::now(),
        xianglin_sync::backup::Reason::Daily,
        &mut |_, _| {},
    )
    .map_err(|error| fail(&error))?;
    Ok(serde_json::json!({ "device_id": device_id, "name": name, "backup": made.path }).to_string())
}
