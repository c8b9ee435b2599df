//! `xianglin-next-version`: a second build of the app's record types for the mixed-versions
//! scenario, standing for the next release. Its elder has a field this build's lacks
//! (`care_level`, 护理等级) and an economic status this build cannot name (临时救助,
//! [`NEW_ECONOMIC_STATUS`]); it registers, edits and reads elders through that type in a replica
//! of its own and syncs with a real county server, one command per process:
//!
//! ```text
//! xianglin-next-version <data-dir> <county-url> enroll <code>
//! xianglin-next-version <data-dir> <county-url> register <care-level>   # the elder's JSON on stdin; prints its id
//! xianglin-next-version <data-dir> <county-url> show <elder-id>         # syncs, prints the elder as this build reads it
//! ```
//!
//! Each command prints one line of JSON; any failure exits non-zero with the reason.

use std::path::Path;

use serde::{Deserialize, Serialize};
use xianglin_schema::elder::Elder;
use xianglin_sync::client::http::{self, Link};
use xianglin_sync::protocol::EnrollRequest;
use xianglin_sync::{Replica, ShardId};

/// The next release's elder: everything this build's has, and a care level.
#[derive(Debug, Serialize, Deserialize)]
struct NextElder {
    #[serde(flatten)]
    elder: Elder,
    care_level: String,
}

/// The economic status the next release adds; this build reads it as `EconomicStatus::Unknown`.
const NEW_ECONOMIC_STATUS: &str = "temporary_relief";

const TOKEN_FILE: &str = "token";

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    match runtime.block_on(run(&arguments)) {
        Ok(line) => println!("{line}"),
        Err(reason) => {
            eprintln!("xianglin-next-version: {reason}");
            std::process::exit(1);
        }
    }
}

async fn run(arguments: &[String]) -> Result<String, String> {
    let [data_dir, url, command, argument] = arguments else {
        return Err("usage: <data-dir> <county-url> enroll <code> | register <care-level> | show <elder-id>".into());
    };
    let data_dir = Path::new(data_dir);
    std::fs::create_dir_all(data_dir).map_err(|error| error.to_string())?;
    let replica = Replica::open(&data_dir.join("xianglin.sqlite")).map_err(|error| error.to_string())?;
    let replica = std::sync::Mutex::new(replica);
    let fail = |error: &dyn std::fmt::Display| error.to_string();
    match command.as_str() {
        "enroll" => {
            let device_id = replica.lock().map_err(|error| fail(&error))?.device_id();
            let request = EnrollRequest { code: argument.clone(), device_id, label: "新版本的电脑".into() };
            let enrolled = http::enroll(url, None, &request).await.map_err(|error| fail(&error))?;
            replica.lock().map_err(|error| fail(&error))?.set_user(&enrolled.scope.user_id).map_err(|e| fail(&e))?;
            std::fs::write(data_dir.join(TOKEN_FILE), &enrolled.token).map_err(|error| fail(&error))?;
            sync(data_dir, url, &replica).await?;
            Ok(serde_json::json!({ "device_id": enrolled.scope.device_id }).to_string())
        }
        "register" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|error| fail(&error))?;
            let elder: Elder = serde_json::from_str(&text).map_err(|error| fail(&error))?;
            let next = NextElder { elder, care_level: argument.clone() };
            let id = next.elder.id.clone();
            {
                let mut replica = replica.lock().map_err(|error| fail(&error))?;
                let mut value = serde_json::to_value(&next).map_err(|error| fail(&error))?;
                value["economic_status"] = NEW_ECONOMIC_STATUS.into();
                let author = replica.author();
                let shard = ShardId::elders(&next.elder.village_code);
                replica.commit(&shard, &[(id.clone(), value)], &author).map_err(|error| fail(&error))?;
            }
            sync(data_dir, url, &replica).await?;
            Ok(serde_json::json!({ "id": id }).to_string())
        }
        "show" => {
            sync(data_dir, url, &replica).await?;
            let mut replica = replica.lock().map_err(|error| fail(&error))?;
            for shard in replica.shards().map_err(|error| fail(&error))? {
                if !matches!(shard, ShardId::Elders { .. }) {
                    continue;
                }
                if let Some(stored) = replica.read_record(&shard, argument).map_err(|error| fail(&error))? {
                    // It must read as the next release's type; what is printed is what is
                    // stored, so a value this build's enums cannot name shows as written.
                    serde_json::from_value::<NextElder>(stored.value.clone()).map_err(|error| fail(&error))?;
                    return Ok(stored.value.to_string());
                }
            }
            Err(format!("no elder {argument}"))
        }
        other => Err(format!("unknown command {other}")),
    }
}

async fn sync(data_dir: &Path, url: &str, replica: &std::sync::Mutex<Replica>) -> Result<(), String> {
    let token = std::fs::read_to_string(data_dir.join(TOKEN_FILE)).map_err(|error| error.to_string())?;
    let link = Link::new(url, None, token.trim()).map_err(|error| error.to_string())?;
    link.sync(replica).await.map_err(|error| error.to_string())?;
    Ok(())
}
