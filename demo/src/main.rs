//! `xianglin-demo`: writes the demo county into a database file, for a county server to serve
//! (the app makes its own demo from its welcome page).
//!
//! ```text
//! xianglin-demo county <database>   # the county server's database, holding the demo township
//! xianglin-demo needles              # the demo's names, ID numbers and phones, one per line
//! ```
//!
//! `needles` is for the end-to-end test's scan of every file the app and the server wrote: what
//! must not be found in clear (all made up, as the demo is).

use std::path::PathBuf;
use std::process::ExitCode;

use xianglin_demo::{DemoOptions, DemoSize};
use xianglin_sync::Replica;

const USAGE: &str = "usage: xianglin-demo county <database> | xianglin-demo needles";

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let database = match arguments.as_slice() {
        [command, database] if command == "county" => PathBuf::from(database),
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
