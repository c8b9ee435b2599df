//! Updates of the app from the county (有新版本): after each sync, the release the county offers
//! (when newer than this app) downloads in the background, resuming where a broken link left it,
//! or arrives inside a USB answer file; either way it is kept only once its signature checks
//! against the update key built into this app. 安装更新 backs the PC up, then installs the
//! package with the system's privilege prompt (pkexec); nothing ever installs by itself, so no
//! form being filled is interrupted: the new version runs from the next start.

use std::path::Path;

use xianglin_schema::api::{BackupProgress, UpdateState, UpdateStatus};
use xianglin_schema::version::APP_VERSION;
use xianglin_sync::backup::Reason;
use xianglin_sync::client::{self, http};
use xianglin_sync::release::{self, ReleaseError, ReleaseOffer, UpdateFolder};

use crate::error::AppError;
use crate::state::AppState;

/// The update public key this build trusts (as `cargo tauri signer generate` writes it), set
/// when the app is built; a build without one refuses every package.
const UPDATE_KEY: Option<&str> = option_env!("XIANGLIN_UPDATE_PUBLIC_KEY");

fn key() -> Result<minisign_verify::PublicKey, ReleaseError> {
    release::public_key(UPDATE_KEY.filter(|key| !key.trim().is_empty()).ok_or(ReleaseError::NoKey)?)
}

/// The release the county offers that this app should take.
fn wanted(state: &AppState) -> Result<Option<ReleaseOffer>, AppError> {
    let offer = client::offered_release(&*state.replica_unchecked()?)?;
    Ok(offer.filter(|offer| match UpdateFolder::wanted(offer, APP_VERSION) {
        Ok(()) => true,
        Err(error) => {
            tracing::debug!(error = %error, "a release the county offers is not for this app");
            false
        }
    }))
}

/// After a sync round: asks for the release when the county refused this app as too old (its
/// answers carry the offer otherwise), then downloads the offer in the background, once.
pub async fn after_sync(state: &AppState, link: &http::Link, refused_as_outdated: bool) {
    if refused_as_outdated {
        match link.newest_release().await {
            Ok(offer) => {
                if let Ok(replica) = state.replica_unchecked()
                    && let Err(error) = client::note_release(&replica, offer.as_ref())
                {
                    tracing::warn!(error = %error, "the offered release was not noted");
                }
            }
            Err(error) => tracing::warn!(error = %error, "the county's newest release could not be asked"),
        }
    }
    let Ok(Some(offer)) = wanted(state) else { return };
    let folder = state.update_folder();
    if folder.ready(&offer).is_some() {
        return;
    }
    {
        let mut progress = state.update();
        if progress.downloading {
            return;
        }
        progress.downloading = true;
        progress.failure = None;
    }
    let (state, link) = (state.clone(), link.clone());
    tauri::async_runtime::spawn(async move {
        let result = match key() {
            Ok(key) => {
                let reporter = state.clone();
                link.download_release(&offer, &folder, &key, move |have, _| reporter.update().downloaded = have)
                    .await
                    .map_err(|error| (error.code() == "offline", error.to_string()))
            }
            Err(error) => Err((false, error.to_string())),
        };
        let mut progress = state.update();
        progress.downloading = false;
        match result {
            Ok(_) => tracing::info!(version = %offer.version, "an update was downloaded and its signature checked"),
            Err((offline, error)) => {
                tracing::warn!(version = %offer.version, error = %error, "the update download stopped");
                progress.failure = Some(if offline {
                    "下载中断，将在下次同步时从断点继续。".to_owned()
                } else {
                    format!("更新包未通过签名校验，已丢弃，不会安装（{error}）。")
                });
            }
        }
    });
}

/// Takes the package a USB answer file carried, through the same checks as a download.
pub fn accept_package(state: &AppState, package: &[u8]) -> Result<(), AppError> {
    let Some(offer) = wanted(state)? else { return Ok(()) };
    let checked = key().and_then(|key| state.update_folder().accept(&offer, package, &key));
    match checked {
        Ok(_) => {
            tracing::info!(version = %offer.version, "an update arrived in the answer file, its signature checked");
            Ok(())
        }
        Err(error) => {
            tracing::warn!(error = %error, "the update in the answer file was refused");
            state.update().failure = Some(refused(&error));
            Ok(())
        }
    }
}

/// The notice: the offered version and how far it has come.
pub fn status(state: &AppState) -> Result<UpdateStatus, AppError> {
    let mut status = UpdateStatus {
        running: APP_VERSION.to_owned(),
        version: None,
        state: UpdateState::None,
        downloaded_mb: 0.0,
        total_mb: 0.0,
        message: None,
    };
    let Some(offer) = wanted(state)? else { return Ok(status) };
    let folder = state.update_folder();
    let progress = state.update();
    status.version = Some(offer.version.clone());
    status.total_mb = megabytes(offer.bytes);
    status.message = progress.failure.clone();
    status.state = if progress.installed.as_deref() == Some(offer.version.as_str()) {
        status.downloaded_mb = status.total_mb;
        status.message = Some(format!("乡邻 {} 版已安装，将在下次打开乡邻时启用。", offer.version));
        UpdateState::Installed
    } else if folder.ready(&offer).is_some() {
        status.downloaded_mb = status.total_mb;
        UpdateState::Ready
    } else {
        status.downloaded_mb =
            megabytes(if progress.downloading { progress.downloaded } else { folder.downloaded(&offer) });
        if progress.downloading {
            UpdateState::Downloading
        } else if progress.failure.is_some() {
            UpdateState::Failed
        } else {
            // Offered, not started yet (it starts after the next sync).
            UpdateState::Downloading
        }
    };
    Ok(status)
}

/// 安装更新: checks the package once more, backs this PC up, and installs it with the system's
/// privilege prompt. Refuses, saying what to do instead, when it cannot.
pub fn install(state: &AppState, progress: &mut dyn FnMut(BackupProgress)) -> Result<UpdateStatus, AppError> {
    let offer = wanted(state)?.ok_or_else(|| AppError::new("no_update", "县里没有比本机更新的版本。"))?;
    let folder = state.update_folder();
    let path = folder.ready(&offer).ok_or_else(|| AppError::new("update_not_ready", "更新包还没有下载完成。"))?;
    // Checked again right before it runs as root: the file could have changed since.
    let key = key().map_err(|error| AppError::new("update_refused", refused(&error)))?;
    if let Err(error) = release::check_file(&key, &path, &offer.signature)
        .and_then(|checked| if checked.sha256 == offer.sha256 { Ok(()) } else { Err(ReleaseError::WrongHash) })
    {
        let _ = std::fs::remove_file(&path);
        return Err(AppError::new("update_refused", refused(&error)));
    }
    crate::backups::make(state, Reason::Update, progress)?;
    run_installer(&path)?;
    tracing::info!(version = %offer.version, "the update was installed");
    state.update().installed = Some(offer.version.clone());
    status(state)
}

/// Installs the package with `pkexec apt-get install` (the system asks for an administrator's
/// password; an app already running as root installs directly); without pkexec, or when the
/// person cancels, says how an administrator can.
fn run_installer(package: &Path) -> Result<(), AppError> {
    let by_hand = format!("也可请管理员在终端运行：sudo apt install {}", package.display());
    if running_as_root() {
        // Already the administrator (a kiosk set up so, or a test machine): no prompt to show.
        let output = std::process::Command::new("apt-get")
            .args(["install", "-y"])
            .arg(package)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .output()
            .map_err(|error| AppError::new("update_manual", format!("无法启动安装程序（{error}）。{by_hand}")))?;
        if output.status.success() {
            return Ok(());
        }
        tracing::warn!(status = ?output.status, "the update's installation failed");
        return Err(AppError::new("update_failed", format!("安装没有成功，本机仍是原来的版本。{by_hand}")));
    }
    let Some(pkexec) = ["/usr/bin/pkexec", "/bin/pkexec"].into_iter().map(Path::new).find(|path| path.exists()) else {
        return Err(AppError::new("update_manual", format!("本机不能弹出管理员授权窗口。{by_hand}")));
    };
    let output = std::process::Command::new(pkexec)
        .args(["/usr/bin/apt-get", "install", "-y"])
        .arg(package)
        .output()
        .map_err(|error| AppError::new("update_manual", format!("无法启动安装程序（{error}）。{by_hand}")))?;
    match output.status.code() {
        Some(0) => Ok(()),
        // pkexec: the prompt was dismissed, or the person is not an administrator.
        Some(126 | 127) => Err(AppError::new("update_cancelled", format!("没有获得管理员授权，更新未安装。{by_hand}"))),
        _ => {
            tracing::warn!(status = ?output.status, "the update's installation failed");
            Err(AppError::new("update_failed", format!("安装没有成功，本机仍是原来的版本。{by_hand}")))
        }
    }
}

/// Whether this process runs as root (`/proc/self` belongs to the process's effective user).
#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|metadata| metadata.uid() == 0)
}

#[cfg(not(unix))]
fn running_as_root() -> bool {
    false
}

/// A refused package, in Chinese.
fn refused(error: &ReleaseError) -> String {
    match error {
        ReleaseError::NoKey => "此版本的乡邻没有内置更新公钥，不能安装县里下发的更新，请联系县民政局。".into(),
        ReleaseError::Mismatch | ReleaseError::WrongHash | ReleaseError::WrongVersion { .. } => {
            "更新包与签名不符（可能被改动或损坏），已丢弃，不会安装。".into()
        }
        other => format!("更新包未通过校验，已丢弃，不会安装（{other}）。"),
    }
}

fn megabytes(bytes: u64) -> f64 {
    (bytes as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0
}
