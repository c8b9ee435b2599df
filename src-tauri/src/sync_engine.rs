//! The background sync task: syncs with the county server at start, a few seconds after local
//! writes, on a timer and on 立即同步; backs off exponentially while the server cannot be
//! reached. Its status (last success, shards waiting, last error in Chinese) is what the UI
//! shows. No work ever waits for it: commands write to the replica and return.

use std::time::{Duration, Instant};

use xianglin_schema::clock;
use xianglin_sync::client::{self, http};
use xianglin_sync::protocol::Scope;

use crate::error::AppError;
use crate::state::AppState;
use crate::sync_status::{PIN, SERVER_URL, TOKEN};

/// Between successful syncs.
const EVERY: Duration = Duration::from_secs(5 * 60);
/// After a local write, wait this long for more before syncing.
const DEBOUNCE: Duration = Duration::from_secs(3);
/// The first retry after a failure; doubled each time up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_secs(15);
const MAX_BACKOFF: Duration = Duration::from_secs(10 * 60);

/// Starts the task; it runs as long as the app.
pub fn spawn(state: AppState) {
    tauri::async_runtime::spawn(async move {
        let engine = state.sync();
        loop {
            // Sync first, at start too; then wait for a reason to sync again.
            let delay = match round(&state).await {
                Some(delay) => delay,
                None => Duration::from_secs(24 * 60 * 60),
            };
            engine.progress().next_attempt = Some(Instant::now() + delay);
            tokio::select! {
                () = engine.wake.notified() => {}
                () = tokio::time::sleep(delay) => {}
                () = async {
                    engine.debounced.notified().await;
                    // More writes within the pause push the sync further out.
                    while tokio::time::timeout(DEBOUNCE, engine.debounced.notified()).await.is_ok() {}
                } => {}
            }
        }
    });
}

/// One sync (as many round trips as it takes). Returns when to try again, `None` when not
/// enrolled.
async fn round(state: &AppState) -> Option<Duration> {
    let engine = state.sync();
    let link = {
        let Ok(replica) = state.replica_unchecked() else { return None };
        let (url, token) = (replica.setting(SERVER_URL).ok()??, replica.setting(TOKEN).ok()??);
        let pin = replica.setting(PIN).ok()?;
        http::Link::new(&url, pin.as_deref(), &token)
    };
    {
        let mut progress = engine.progress();
        progress.syncing = true;
        progress.last_attempt = Some(clock::now().format("%Y-%m-%d %H:%M:%S").to_string());
    }
    let release_link = link.as_ref().ok().cloned();
    let result = match (link, state.replica_mutex()) {
        (Ok(link), Ok(replica)) => match link.sync(replica).await {
            // Photos and scans travel after the records that refer to them.
            Ok(moved) => match state.attachments_for_sync() {
                Some(attachments) => link.sync_attachments(replica, attachments).await.map(|files| (moved, files)),
                None => Ok((moved, (0, 0))),
            },
            Err(error) => Err(error),
        },
        (Err(error), _) => Err(error),
        (_, Err(_)) => return None,
    };
    let delay = {
        let mut progress = engine.progress();
        progress.syncing = false;
        match &result {
            Ok((moved, (uploaded, downloaded))) => {
                tracing::info!(
                    pushed = moved.pushed_changes,
                    pulled = moved.pulled_changes,
                    removed_shards = moved.removed_shards,
                    uploaded,
                    downloaded,
                    "synced with the county server"
                );
                progress.last_success = progress.last_attempt.clone();
                progress.last_error = None;
                progress.failures = 0;
                EVERY
            }
            Err(error) => {
                tracing::warn!(code = error.code(), error = %error, "sync failed");
                progress.last_error = Some(chinese(error));
                progress.failures += 1;
                retry_after(error.code(), progress.failures)
            }
        }
    };
    if result.is_ok() {
        // One-time codes, the recovery key and the sign-in rules arrive with the county document.
        if let Err(error) = crate::session::refresh_keyring(state) {
            tracing::warn!(error = %error.message, "the keyring was not refreshed after sync");
        }
    }
    if let Some(link) = &release_link {
        // A release the county offers downloads in the background; an app refused as too old
        // asks for it.
        let outdated = matches!(&result, Err(error) if error.code() == "outdated");
        if result.is_ok() || outdated {
            crate::updates::after_sync(state, link, outdated).await;
        }
    }
    engine.rounds.send_modify(|round| *round += 1);
    Some(delay)
}

/// The county's device list (设备状况), asked of the server now: it lives there, so it needs
/// the network. Place codes are named from this replica.
pub async fn fleet(state: &AppState) -> Result<xianglin_schema::api::FleetHealth, AppError> {
    let link = {
        let replica = state.replica()?;
        let (Some(url), Some(token)) = (replica.setting(SERVER_URL)?, replica.setting(TOKEN)?) else {
            return Err(AppError::new("not_enrolled", "本机尚未登记到县服务器，看不到设备状况。"));
        };
        let pin = replica.setting(PIN)?;
        http::Link::new(&url, pin.as_deref(), &token).map_err(|error| AppError::new("sync_failed", chinese(&error)))?
    };
    // Offline, this page has nothing to show: say so in the words of a failed sync.
    let mut fleet = link.fleet().await.map_err(|error| AppError::new("sync_failed", chinese(&error)))?;
    let replica = state.replica()?;
    for device in &mut fleet.devices {
        device.place_names = device
            .place_codes
            .iter()
            .map(|code| Ok(xianglin_domain::lookup::place_name(&replica, code)?.unwrap_or_else(|| code.clone())))
            .collect::<Result<_, AppError>>()?;
    }
    Ok(fleet)
}

/// When to try again after `failures` failures in a row, the last with `code`: 15 s, then
/// doubling up to 10 min; a revoked or unknown device waits a day (it needs the county first).
fn retry_after(code: &str, failures: u32) -> Duration {
    match code {
        "revoked" | "unauthorized" => Duration::from_secs(24 * 60 * 60),
        // Nothing changes until the app is updated (which restarts it); check hourly anyway.
        "outdated" => Duration::from_secs(60 * 60),
        _ => FIRST_BACKOFF.saturating_mul(1 << failures.clamp(1, 7).saturating_sub(1)).min(MAX_BACKOFF),
    }
}

/// The Chinese wording of a sync failure.
pub fn chinese(error: &http::SyncError) -> String {
    match error {
        http::SyncError::Offline(_) => "无法连接县服务器，将自动重试；本机的工作照常保存。".into(),
        http::SyncError::BadAddress(address) => {
            format!(
                "服务器地址“{address}”无法使用：应为 https:// 开头并填写证书指纹；不加密的 http:// 只能用于本机测试（如 http://127.0.0.1:8440）"
            )
        }
        http::SyncError::Refused { code, message, .. } => match code.as_str() {
            "revoked" => "本机已被县里停用，不再同步。请联系县民政局。".into(),
            "unauthorized" => "县服务器不认识本机的同步凭证，请重新登记。".into(),
            "bad_code" => "登记码无效、已使用或已过期，请向县民政局索取新的登记码。".into(),
            "forbidden" => format!("有数据超出本机负责的范围，县服务器拒收了本次同步（{message}）。"),
            // The server words it: the county's minimum version is in it.
            "outdated" => message.clone(),
            _ => format!("县服务器拒收了本次同步（{code}：{message}），本机数据未受影响。"),
        },
        http::SyncError::BadAnswer(_) => "县服务器的回复无法识别，将自动重试。".into(),
        http::SyncError::Local(error) => format!("本机数据库出错：{error}"),
    }
}

/// Writes the sync-by-file bundle (what the county lacks) for a USB stick; returns its path.
pub fn export_bundle(state: &AppState) -> Result<String, AppError> {
    let mut replica = state.replica()?;
    let token = replica.setting(TOKEN)?.ok_or_else(not_enrolled)?;
    let bytes = client::bundle::export(&mut replica, &token)?;
    let name = format!("乡邻同步包-{}-{}.xlsync", &replica.device_id()[..8], clock::now().format("%Y%m%d-%H%M"));
    state.save_export(&name, &bytes)
}

/// Takes the county's answer file in, as a network answer; a file for another computer, an
/// altered or truncated one changes nothing.
pub fn import_answer(state: &AppState, bytes: &[u8]) -> Result<(), AppError> {
    let mut replica = state.replica_to_write()?;
    let token = replica.setting(TOKEN)?.ok_or_else(not_enrolled)?;
    let (moved, package) = client::bundle::import_answer(&mut replica, &token, bytes).map_err(|error| {
        AppError::new(
            "bad_answer_file",
            format!("这不是县里为本机生成的同步回执，或文件已损坏（{error}）；本机数据未改变。"),
        )
    })?;
    tracing::info!(pulled = moved.pulled_changes, "sync answer file imported");
    drop(replica);
    if !package.is_empty() {
        crate::updates::accept_package(state, &package)?;
    }
    let mut progress = state.sync().progress();
    progress.last_success = Some(clock::now().format("%Y-%m-%d %H:%M:%S").to_string());
    progress.last_error = None;
    Ok(())
}

fn not_enrolled() -> AppError {
    AppError::new("not_enrolled", "本机尚未登记到县服务器，请先登记")
}

/// Redeems a one-time code: remembers the server and the token, and signs in as the user the
/// code was made for. Only a computer without a county yet can enroll.
pub async fn enroll(
    state: &AppState,
    server_url: &str,
    fingerprint: Option<&str>,
    code: &str,
    label: &str,
) -> Result<Scope, AppError> {
    let device_id = {
        let replica = state.replica_unchecked()?;
        if replica.setting(TOKEN)?.is_some() {
            return Err(AppError::new("enrolled", "本机已经登记过，不能再次登记"));
        }
        if !replica.shards()?.is_empty() {
            return Err(AppError::new(
                "has_data",
                "本机已有数据（如演示县），不能登记到县服务器；请在没有数据的电脑上登记",
            ));
        }
        replica.device_id()
    };
    let label = label.trim();
    if code.trim().is_empty() || label.is_empty() {
        return Err(AppError::new("invalid", "请填写登记码和本机名称"));
    }
    let request =
        xianglin_sync::protocol::EnrollRequest { code: code.trim().to_owned(), device_id, label: label.to_owned() };
    let fingerprint = fingerprint.map(str::trim).filter(|text| !text.is_empty());
    let pin = match fingerprint {
        Some(text) => Some(
            xianglin_sync::tls::normalize_fingerprint(text)
                .ok_or_else(|| AppError::new("invalid", "证书指纹应为 64 位十六进制数字（县里随登记码一起提供）"))?,
        ),
        None => None,
    };
    let enrolled = http::enroll(server_url, pin.as_deref(), &request)
        .await
        .map_err(|error| AppError::new("enroll_failed", chinese(&error)))?;
    let mut replica = state.replica_unchecked()?;
    replica.set_setting(SERVER_URL, Some(server_url.trim().trim_end_matches('/')))?;
    replica.set_setting(TOKEN, Some(&enrolled.token))?;
    replica.set_setting(PIN, pin.as_deref())?;
    replica.set_user(&enrolled.scope.user_id)?;
    tracing::info!(role = ?enrolled.scope.role, "enrolled with the county server");
    Ok(enrolled.scope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_fifteen_seconds_to_ten_minutes() {
        let waits: Vec<u64> = (1..=8).map(|failures| retry_after("offline", failures).as_secs()).collect();
        assert_eq!(waits, [15, 30, 60, 120, 240, 480, 600, 600]);
        assert_eq!(retry_after("revoked", 1), Duration::from_secs(86_400));
    }

    #[test]
    fn refusals_are_explained_in_chinese() {
        let refused =
            |code: &str| http::SyncError::Refused { status: 403, code: code.into(), message: "detail".into() };
        assert!(chinese(&refused("revoked")).contains("停用"));
        assert!(chinese(&refused("forbidden")).contains("范围"));
        assert!(chinese(&http::SyncError::Offline("refused".into())).contains("自动重试"));
        assert!(chinese(&http::SyncError::BadAddress("http://10.0.0.1".into())).contains("127.0.0.1"));
    }
}
