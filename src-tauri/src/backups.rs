//! This PC's backups (备份与恢复): a daily backup in the background once someone has signed in,
//! one when a person asks (optionally copied to a USB stick); finding backups on this PC and on
//! USB sticks; restoring one on the welcome page with the password of a person it knows; taking
//! over a replaced PC's backup (接替旧电脑, [`xianglin_sync::successor`]). (The
//! backup before a migration is `state`'s, as it opens the replica.) The files and their
//! safety are [`xianglin_sync::backup`]'s.

use std::path::{Path, PathBuf};

use xianglin_schema::api::{
    BackupAccount, BackupList, BackupPhase, BackupProgress, BackupRow, RestoreBackup, TakenOver,
};
use xianglin_schema::clock;
use xianglin_sync::backup::{self, Backup, Reason};
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::Keyring;
use xianglin_sync::successor;

use crate::error::AppError;
use crate::state::AppState;

/// How often the background thread looks whether the day's backup is due.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);
/// The replica setting naming the folder each day's backup is also copied to.
const COPY_TO: &str = "backup.copy_to";
/// The first look, a little after the first sign-in of a run: the first screen (and after an
/// enrollment, the first sync) go first.
const FIRST_LOOK: std::time::Duration = std::time::Duration::from_secs(15);

/// Starts (once per run of the app) the background thread that makes the day's backup (when the
/// newest of this PC is a day old) and removes old ones; it runs while the app runs.
pub fn spawn_daily(state: &AppState) {
    if !state.first_daily_backups() {
        return;
    }
    let state = state.clone();
    let spawned = std::thread::Builder::new().name("daily-backup".into()).spawn(move || {
        std::thread::sleep(FIRST_LOOK);
        loop {
            if let Err(error) = daily(&state) {
                tracing::warn!(error = %error.message, "the daily backup failed; it is tried again within the hour");
            }
            if let Err(error) = mirror(&state) {
                tracing::warn!(error = %error.message, "the daily copy to the chosen folder failed; next look");
            }
            std::thread::sleep(LOOK_EVERY);
        }
    });
    if let Err(error) = spawned {
        tracing::error!(error = %error, "no daily backups: the thread could not start");
    }
}

fn daily(state: &AppState) -> Result<(), AppError> {
    let now = clock::now();
    let device_id = state.replica_unchecked()?.device_id();
    let folder = state.backup_folder();
    if !backup::due(&folder, &device_id, now, backup::DAILY)? {
        return Ok(());
    }
    make(state, Reason::Daily, &mut |_| {})?;
    let removed = backup::prune(&folder, &device_id, now, backup::KEEP_DAYS, backup::KEEP_AT_LEAST)?;
    if removed > 0 {
        tracing::info!(removed, "old backups removed");
    }
    Ok(())
}

/// Copies the newest backup to the folder set for daily copies (a USB stick) when it lacks it:
/// at every look, so a stick plugged in after the day's backup still gets it.
fn mirror(state: &AppState) -> Result<(), AppError> {
    let (device_id, copy_to) = {
        let replica = state.replica_unchecked()?;
        (replica.device_id(), replica.setting(COPY_TO)?)
    };
    let Some(copy_to) = copy_to.map(PathBuf::from) else { return Ok(()) };
    if !copy_to.is_dir() {
        tracing::debug!("the folder for daily copies is not there (the stick is out); next look");
        return Ok(());
    }
    if backup::mirror_newest(&state.backup_folder(), &copy_to, &device_id, clock::now())?.is_some() {
        tracing::info!("the newest backup was copied to the folder set for daily copies");
    }
    Ok(())
}

/// Sets (or, with `None`, clears) the folder each day's backup is also copied to; it must
/// exist when set. The newest backup goes there at once.
pub fn set_copy_to(state: &AppState, folder: Option<&str>) -> Result<(), AppError> {
    let folder = folder.map(str::trim).filter(|folder| !folder.is_empty());
    if let Some(folder) = folder
        && !Path::new(folder).is_dir()
    {
        return Err(AppError::new("no_folder", format!("找不到文件夹 {folder}：请检查U盘是否已插好")));
    }
    state.replica()?.set_setting(COPY_TO, folder)?;
    mirror(state)
}

/// A backup of the open replica now, for `reason`.
pub fn make(state: &AppState, reason: Reason, progress: &mut dyn FnMut(BackupProgress)) -> Result<Backup, AppError> {
    let key = state.data_key().ok_or_else(|| AppError::new("signed_out", "请先登录"))?.clone();
    let keyring = state.keyring().clone().ok_or_else(|| AppError::internal("an open replica without a keyring"))?;
    Ok(backup::write(
        &state.database_path(),
        &key,
        &keyring,
        &state.backup_folder(),
        clock::now(),
        reason,
        &mut |done, all| progress(BackupProgress { phase: BackupPhase::Writing, fraction: fraction(done, all) }),
    )?)
}

/// This PC's backups, newest first.
pub fn list(state: &AppState) -> Result<BackupList, AppError> {
    let (device_id, copy_to, succeeds) = {
        let replica = state.replica()?;
        (replica.device_id(), replica.setting(COPY_TO)?, xianglin_sync::client::succeeds(&replica)?)
    };
    let folder = state.backup_folder();
    let backups = backup::list(&folder)?.iter().map(|found| row(found, found.header.device_id == device_id)).collect();
    Ok(BackupList {
        folder: folder.display().to_string(),
        keep_days: backup::KEEP_DAYS as u32,
        keep_at_least: backup::KEEP_AT_LEAST as u32,
        copy_to,
        backups,
        succeeds,
    })
}

/// Copies a backup of this PC to `folder` (a USB stick), whole or not at all.
pub fn copy_to(made: &Backup, folder: &str) -> Result<String, AppError> {
    let folder = Path::new(folder.trim());
    if !folder.is_dir() {
        return Err(AppError::new("no_folder", format!("找不到文件夹 {}：请检查U盘是否已插好", folder.display())));
    }
    Ok(backup::copy_to(made, folder)?.display().to_string())
}

/// The backups found where a person keeps them: this PC's backup folder, the folder they
/// name, and every USB stick mounted under `/media/<user>` or `/run/media/<user>` (each
/// stick's top folder and the folders in it). Newest first; files that are not whole backups
/// are left out.
pub fn find(state: &AppState, folder: Option<&str>) -> Vec<BackupRow> {
    let mut places = vec![state.backup_folder()];
    if let Some(folder) = folder.map(str::trim).filter(|folder| !folder.is_empty()) {
        places.push(PathBuf::from(folder));
    }
    let user = std::env::var("USER").unwrap_or_default();
    for root in [PathBuf::from("/media").join(&user), PathBuf::from("/run/media").join(&user)] {
        for stick in subfolders(&root) {
            places.extend(subfolders(&stick));
            places.push(stick);
        }
    }
    let mut found: Vec<Backup> = places.iter().flat_map(|place| backup::list(place).unwrap_or_default()).collect();
    // Newest first; the same file found twice (a folder named and also mounted) sorts together.
    found.sort_by_key(|backup| (std::cmp::Reverse(backup.header.created_at), backup.path.clone()));
    found.dedup_by(|a, b| a.path == b.path);
    let own = state.backup_folder();
    found.iter().map(|backup| row(backup, backup.path.starts_with(&own))).collect()
}

fn subfolders(folder: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .map(|entries| entries.flatten().map(|entry| entry.path()).filter(|path| path.is_dir()).collect())
        .unwrap_or_default()
}

/// Restores a backup on a PC whose replica is not open (the welcome page) with the password
/// of one of its people; the keyring it brought is this PC's after. The caller signs them in.
pub fn restore(
    state: &AppState,
    request: &RestoreBackup,
    progress: &mut dyn FnMut(BackupProgress),
) -> Result<(), AppError> {
    if state.is_open() {
        return Err(AppError::new("replica_open", "本机数据已经打开，不能在使用中恢复备份；请在欢迎页面恢复"));
    }
    let path = Path::new(&request.path);
    if request.by_code && request.new_password.is_none() {
        return Err(AppError::new("no_new_password", "用恢复码恢复时，请同时设置新密码"));
    }
    let (header, key) = unlock(request)?;
    backup::restore(path, &key, &state.database_path(), &mut steps(progress))?;
    tracing::info!(app_version = %header.app_version, "a backup was restored on the welcome page");
    state.reload_keyring();
    Ok(())
}

/// The data key of the backup `request` names, unwrapped from its keyring by the password of
/// one of its people, or by the county's one-time restore code for one (checking the new
/// password a restore by code sets, before anything is copied).
/// The file is not changed: a restore spends the code in the keyring it brings.
fn unlock(request: &RestoreBackup) -> Result<(backup::Header, Key), AppError> {
    use xianglin_sync::keyring::KeyringError;
    let header = backup::read_header(Path::new(&request.path))?.header;
    let mut keyring: Keyring = header.keyring.clone();
    let key = match request.by_code {
        false => keyring.unlock(&request.user_id, &request.password, clock::now()).map_err(|error| match error {
            KeyringError::UnknownAccount(_) => AppError::new("unknown_account", "这个备份里没有该账号"),
            _ => AppError::new("wrong_password", "密码不正确：请输入该账号在备份时使用的密码"),
        })?,
        true => {
            if let Some(new_password) = &request.new_password {
                let min = keyring.rules.min_password_length as usize;
                if new_password.chars().count() < min {
                    return Err(AppError::new("too_short", format!("新密码至少需要 {min} 个字符")));
                }
            }
            keyring.unlock_with_code(&request.user_id, request.password.trim(), clock::now()).map_err(|error| {
                match error {
                    KeyringError::NoCode => AppError::new("no_code", "县里还没有为该账号在这个备份里放恢复码"),
                    KeyringError::CodeExpired(at) => AppError::new(
                        "code_expired",
                        format!("恢复码已于 {} 过期：请县级管理员重新发放", at.format("%Y-%m-%d %H:%M")),
                    ),
                    _ => AppError::new("wrong_code", "恢复码不正确：请核对县里给的恢复码"),
                }
            })?
        }
    };
    Ok((header, key))
}

/// A backup's or a restore's steps as the pages' progress.
fn steps(progress: &mut dyn FnMut(BackupProgress)) -> impl FnMut(backup::Step, u64, u64) + '_ {
    move |step, done, all| {
        let phase = match step {
            backup::Step::Copying => BackupPhase::Copying,
            backup::Step::Committing | backup::Step::TakingNames => BackupPhase::Committing,
        };
        progress(BackupProgress { phase, fraction: fraction(done, all) });
    }
}

/// Takes over the backup of a lost PC this one replaced (接替旧电脑): the edits it never sent
/// are merged into this PC's data and go up at the next sync. The backup opens with the
/// password one of its people had on that PC.
pub fn take_over(
    state: &AppState,
    request: &RestoreBackup,
    progress: &mut dyn FnMut(BackupProgress),
) -> Result<TakenOver, AppError> {
    let (header, key) = unlock(request)?;
    let taken = {
        let mut replica = state.replica_to_write()?;
        if header.device_id == replica.device_id() {
            return Err(AppError::new("own_backup", "这是本机自己的备份，不需要导入；如需恢复，请在欢迎页面恢复"));
        }
        let attachments = state.attachments()?;
        successor::take_over(&mut replica, attachments, Path::new(&request.path), &key, &mut steps(progress)).map_err(
            |error| match error {
                backup::BackupError::Replica(xianglin_sync::Error::Invalid(reason)) => {
                    tracing::warn!(%reason, "a backup was not taken over");
                    AppError::new(
                        "not_successor",
                        "县里还没有登记本机接替这台旧电脑（或本机登记后还没有同步）：请县里运行接替登记后先同步，再导入",
                    )
                }
                other => AppError::from(other),
            },
        )?
    };
    let count = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
    Ok(TakenOver {
        shards: count(taken.shards),
        changed: count(taken.changed),
        outside: count(taken.outside),
        attachments: count(taken.attachments),
    })
}

/// Who can open a backup: its people with passwords, and those the county put a restore code
/// in it for (a person with both is listed once, by code: they asked for it).
fn accounts(keyring: &Keyring) -> Vec<BackupAccount> {
    let mut accounts: Vec<BackupAccount> = keyring
        .accounts
        .iter()
        .filter(|(user_id, _)| !keyring.codes.contains_key(*user_id))
        .map(|(user_id, account)| BackupAccount {
            user_id: user_id.clone(),
            masked_name: account.masked_name.clone(),
            role: account.role.clone(),
            by_code: false,
        })
        .collect();
    accounts.extend(keyring.codes.iter().map(|(user_id, held)| BackupAccount {
        user_id: user_id.clone(),
        masked_name: held.masked_name.clone(),
        role: held.role.clone(),
        by_code: true,
    }));
    accounts
}

/// A backup as the pages list it.
pub fn row(backup: &Backup, this_pc: bool) -> BackupRow {
    let header = &backup.header;
    BackupRow {
        path: backup.path.display().to_string(),
        device_id: header.device_id.clone(),
        file_name: backup.path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(),
        created_at: header.created_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        reason: header.reason,
        app_version: header.app_version.clone(),
        megabytes: (backup.bytes as f64 / 100_000.0).round() / 10.0,
        attachments: u32::try_from(header.attachments.len()).unwrap_or(u32::MAX),
        this_pc,
        accounts: accounts(&header.keyring),
    }
}

fn fraction(done: u64, all: u64) -> f64 {
    if all == 0 { 1.0 } else { (done as f64 / all as f64).clamp(0.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use xianglin_demo::{DemoOptions, DemoSize};
    use xianglin_schema::api::SessionStage;
    use xianglin_schema::record::RecordMeta;
    use xianglin_sync::keyring::{self, Person};

    use super::*;
    use crate::session;

    /// What `xianglin-county recover-backup` does to the file: a one-time code for `user_id`,
    /// put in the backup's keyring with the county's recovery secret key. Returns the code.
    fn county_recovers(path: &Path, secret: &Key, user_id: &str) -> String {
        let mut ring = backup::read_header(path).unwrap().header.keyring;
        let key = ring.recover(secret).unwrap();
        let (code, grant) = keyring::new_code(
            user_id,
            clock::now() + chrono::Duration::days(1),
            RecordMeta::created(clock::now(), "county"),
        )
        .unwrap();
        ring.hold_code(&key, &Person { user_id, role: "station_director", name: "谢建华" }, &grant).unwrap();
        backup::replace_keyring(path, &ring).unwrap();
        code
    }

    #[test]
    fn a_backup_whose_passwords_are_forgotten_opens_with_the_county_s_code_and_a_new_password() {
        // A demo PC whose keyring is wrapped for the county's recovery key, and its backup.
        let old = tempfile::tempdir().unwrap();
        let state = AppState::new(old.path(), &old.path().join("exports"));
        let key = session::fresh_key(&state).unwrap();
        {
            let mut replica = state.replica_unchecked().unwrap();
            let options = DemoOptions { size: DemoSize::Small, seed: 1, today: replica.today() };
            xianglin_demo::generate(&mut replica, &options).unwrap();
        }
        let user_id = session::finish_demo(&state, key.clone()).unwrap().user.unwrap().id;
        let (secret, public) = keyring::new_recovery_key();
        state.keyring().as_mut().unwrap().set_recovery(&key, &public).unwrap();
        let made = make(&state, Reason::Manual, &mut |_| {}).unwrap();
        let elders = state.replica().unwrap().shards().unwrap().len();

        // The PC is gone and nobody remembers a password; the county puts a code in the file.
        let stick = tempfile::tempdir().unwrap();
        let path = PathBuf::from(copy_to(&made, &stick.path().display().to_string()).unwrap());
        let code = county_recovers(&path, &secret, &user_id);

        // A new PC finds the backup: that person opens it by code.
        let new = tempfile::tempdir().unwrap();
        let fresh = AppState::new(new.path(), &new.path().join("exports"));
        let found = find(&fresh, Some(&stick.path().display().to_string()));
        let account = found[0].accounts.iter().find(|account| account.user_id == user_id).unwrap();
        assert!(account.by_code);
        let request = |password: &str, new_password: Option<&str>| RestoreBackup {
            path: path.display().to_string(),
            user_id: user_id.clone(),
            password: password.to_owned(),
            by_code: true,
            new_password: new_password.map(str::to_owned),
        };
        let refused = restore(&fresh, &request("000000-000000", Some("new password 1")), &mut |_| {}).unwrap_err();
        assert_eq!(refused.code, "wrong_code");
        assert!(!fresh.database_path().exists(), "a wrong code restores nothing");
        let too_short = restore(&fresh, &request(&code, Some("x")), &mut |_| {}).unwrap_err();
        assert_eq!(too_short.code, "too_short");
        assert_eq!(restore(&fresh, &request(&code, None), &mut |_| {}).unwrap_err().code, "no_new_password");

        restore(&fresh, &request(&code, Some("new password 1")), &mut |_| {}).unwrap();
        let signed_in = session::sign_in_with_code(&fresh, &user_id, &code, "new password 1").unwrap();
        assert_eq!(signed_in.stage, SessionStage::SignedIn);
        assert_eq!(fresh.replica().unwrap().shards().unwrap().len(), elders, "the PC's data is back");

        // The code is spent; the new password is the person's from now on.
        session::sign_out(&fresh);
        assert!(session::sign_in_with_code(&fresh, &user_id, &code, "another password").is_err());
        assert_eq!(session::sign_in(&fresh, &user_id, "new password 1").unwrap().stage, SessionStage::SignedIn);
    }
}
