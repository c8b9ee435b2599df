//! Who works on this PC: the stages of a PC (fresh, upgrading, signed out, signed in), sign-in
//! with a password or the county's one-time code, sign-out, password change, and keeping the
//! keyring in step with the county document (sign-in rules, one-time codes, recovery key).
//!
//! The keyring ([`xianglin_sync::keyring`]) holds the PC's data key wrapped per person; a
//! sign-in unwraps it and opens the replica. The backend keeps the session: every command
//! other than these needs one, and the county's pages need the reviewer's role.

use std::path::Path;

use xianglin_domain::{lookup, query};
use xianglin_schema::api::{AccountOption, SessionStage, SessionStatus};
use xianglin_schema::clock;
use xianglin_schema::policy::SessionRules;
use xianglin_schema::user::{RecoveryKey, Role, SigninGrant};
use xianglin_sync::ShardId;
use xianglin_sync::client::http;
use xianglin_sync::crypto::Key;
use xianglin_sync::keyring::{self, Keyring, KeyringError, Person};
use xianglin_sync::protocol::CodeWrapRequest;

use crate::error::AppError;
use crate::state::{AppState, Session};
use crate::sync_status::{PIN, SERVER_URL, TOKEN};

/// The demo county's accounts all have this password (README); the 身份 picker uses it.
pub const DEMO_PASSWORD: &str = "xianglin-demo";

/// Where this PC stands, and what the sign-in page offers.
pub fn status(state: &AppState) -> Result<SessionStatus, AppError> {
    let session = state.session();
    let keyring = state.keyring();
    let (stage, upgrade_user) = match (&*keyring, &session) {
        (Some(_), Some(_)) => (SessionStage::SignedIn, None),
        (Some(_), None) => (SessionStage::SignedOut, None),
        (None, _) if state.is_open() => (SessionStage::Fresh, None),
        (None, _) => match xianglin_sync::encrypted::state(&state.database_path())? {
            xianglin_sync::encrypted::FileState::Plain => {
                (SessionStage::Upgrade, Some(plain_user(&state.database_path())?))
            }
            _ => (SessionStage::Fresh, None),
        },
    };
    let rules = keyring.as_ref().map(|ring| ring.rules.clone()).unwrap_or_default();
    let accounts = keyring.as_ref().map(accounts).unwrap_or_default();
    let demo = keyring.as_ref().is_some_and(|ring| ring.demo);
    drop(keyring);
    let user = match &session {
        Some(session) => {
            query::app_status(&*state.replica_unchecked()?, "")?.user.filter(|user| user.id == session.user_id)
        }
        None => None,
    };
    Ok(SessionStatus {
        stage,
        accounts,
        user,
        upgrade_user,
        demo,
        min_password_length: rules.min_password_length,
        idle_lock_seconds: state.idle_lock_override().unwrap_or(rules.idle_lock_minutes.saturating_mul(60)),
    })
}

fn accounts(ring: &Keyring) -> Vec<AccountOption> {
    let mut options: Vec<AccountOption> = ring
        .accounts
        .iter()
        .map(|(user_id, account)| AccountOption {
            user_id: user_id.clone(),
            role: role_of(&account.role),
            masked_name: account.masked_name.clone(),
            has_password: true,
            has_code: ring.codes.contains_key(user_id),
            can_ask_county: ring.server.is_some(),
            locked_until: account.locked_until.map(|until| until.format("%Y-%m-%d %H:%M:%S").to_string()),
        })
        .collect();
    for (user_id, code) in &ring.codes {
        if !ring.accounts.contains_key(user_id) {
            options.push(AccountOption {
                user_id: user_id.clone(),
                role: role_of(&code.role),
                masked_name: code.masked_name.clone(),
                has_password: false,
                has_code: true,
                can_ask_county: ring.server.is_some(),
                locked_until: None,
            });
        }
    }
    // Whoever may sign in here but has neither: online, the county answers for their code.
    if ring.server.is_some() {
        for (user_id, person) in &ring.people {
            if !ring.accounts.contains_key(user_id) && !ring.codes.contains_key(user_id) {
                options.push(AccountOption {
                    user_id: user_id.clone(),
                    role: role_of(&person.role),
                    masked_name: person.masked_name.clone(),
                    has_password: false,
                    has_code: false,
                    can_ask_county: true,
                    locked_until: None,
                });
            }
        }
    }
    let rank = |role: Role| match role {
        Role::StationDirector => 0,
        Role::Caseworker => 1,
        Role::CountyReviewer => 2,
    };
    options.sort_by(|a, b| (rank(a.role), &a.masked_name, &a.user_id).cmp(&(rank(b.role), &b.masked_name, &b.user_id)));
    options
}

fn role_of(text: &str) -> Role {
    xianglin_sync::projection::from_text(text).unwrap_or(Role::Caseworker)
}

/// The person who set up a plain replica of an earlier version (it is plain: nothing to unlock).
fn plain_user(path: &Path) -> Result<AccountOption, AppError> {
    let replica = xianglin_sync::Replica::open(path)?;
    let user_id = replica.user_id().to_owned();
    let (name, role) = match lookup::user_account(&replica, &user_id)? {
        Some((name, role, _)) => (name, role),
        None => (String::new(), Role::Caseworker),
    };
    Ok(AccountOption {
        user_id,
        role,
        masked_name: keyring::mask_name(&name),
        has_password: false,
        has_code: false,
        can_ask_county: false,
        locked_until: None,
    })
}

/// Signs `user_id` in with their password.
pub fn sign_in(state: &AppState, user_id: &str, password: &str) -> Result<SessionStatus, AppError> {
    let key = {
        let mut guard = state.keyring();
        let ring = guard.as_mut().ok_or_else(|| AppError::new("no_keyring", "本机尚未设置，请先登记或载入演示县"))?;
        let unlocked = ring.unlock(user_id, password, clock::now());
        save(ring, state.data_path())?;
        unlocked.map_err(refusal)?
    };
    begin(state, key, user_id)
}

/// What to ask the county server for `user_id`'s one-time code, when this PC holds none that
/// could still open (a first sign-in nobody's sync has prepared) and it knows its server.
pub fn code_request(
    state: &AppState,
    user_id: &str,
) -> Result<Option<(String, Option<String>, CodeWrapRequest)>, AppError> {
    let guard = state.keyring();
    let ring = guard.as_ref().ok_or_else(|| AppError::new("no_keyring", "本机尚未设置，请先登记或载入演示县"))?;
    Ok(match (&ring.server, ring.has_usable_code(user_id, clock::now())) {
        (Some(server), false) => Some((
            server.server_url.clone(),
            server.pin.clone(),
            CodeWrapRequest {
                device_id: server.device_id.clone(),
                user_id: user_id.to_owned(),
                wrapped: server.wrapped.clone(),
            },
        )),
        _ => None,
    })
}

/// Keeps what the county server answered for `user_id`'s code; a failed request is explained
/// in Chinese (the offline way stays open: a colleague's sync brings the code).
pub fn hold_fetched_code(
    state: &AppState,
    user_id: &str,
    fetched: Result<keyring::CodeWrap, http::SyncError>,
) -> Result<(), AppError> {
    let wrap = fetched.map_err(|error| {
        tracing::warn!(code = error.code(), "the county server did not hand over a sign-in code");
        let message = match error.code() {
            "offline" => "无法连接县服务器，本机也还没有收到该账号的一次性登录码：请联网后重试，或请已登录的同事同步一次（联网或U盘）",
            "not_found" => "县里还没有给该账号发放一次性登录码，或登录码已过期：请联系县级管理员",
            "forbidden" => "该账号负责的地方不属于本机，不能在本机登录",
            "revoked" => "本机已被县里停用，不能再登录新账号",
            _ => "县服务器不认可本机的登录请求：请已登录的同事同步一次后再试，或联系县级管理员",
        };
        AppError::new("code_not_fetched", message)
    })?;
    let mut guard = state.keyring();
    let ring = guard.as_mut().ok_or_else(|| AppError::new("no_keyring", "本机尚未设置，请先登记或载入演示县"))?;
    ring.hold_code_wrap(user_id, wrap).map_err(refusal)?;
    save(ring, state.data_path())
}

/// A first sign-in (or a reset) with the county's one-time code; the person sets a password.
pub fn sign_in_with_code(
    state: &AppState,
    user_id: &str,
    code: &str,
    new_password: &str,
) -> Result<SessionStatus, AppError> {
    let key = {
        let mut guard = state.keyring();
        let ring = guard.as_mut().ok_or_else(|| AppError::new("no_keyring", "本机尚未设置，请先登记或载入演示县"))?;
        let min = ring.rules.min_password_length as usize;
        if new_password.chars().count() < min {
            return Err(refusal(KeyringError::TooShort(min)));
        }
        let (role, masked_name) = match ring.codes.get(user_id) {
            Some(held) => (held.role.clone(), held.masked_name.clone()),
            None => return Err(refusal(KeyringError::NoCode)),
        };
        let unlocked = ring.unlock_with_code(user_id, code, clock::now());
        let key = match unlocked {
            Ok(key) => key,
            Err(error) => {
                save(ring, state.data_path())?;
                return Err(refusal(error));
            }
        };
        if key.fingerprint() != ring.key_fingerprint {
            // A code's wrap of another PC's key (a server answering for the wrong device).
            save(ring, state.data_path())?;
            return Err(AppError::new("wrong_key", "该登录码对应的不是本机的数据，请联系县级管理员"));
        }
        let person = Person { user_id, role: &role, name: &masked_name };
        ring.set_password(&key, &person, new_password, min, clock::now()).map_err(refusal)?;
        save(ring, state.data_path())?;
        key
    };
    tracing::info!("a one-time code was used to sign in");
    begin(state, key, user_id)
}

/// The upgrade from an earlier version: the person who set up this PC sets a password; the data
/// key is made, wrapped, saved, and only then the replica encrypted in place (a kill midway is
/// finished at the next sign-in).
pub fn set_up_password(state: &AppState, password: &str) -> Result<SessionStatus, AppError> {
    let path = state.database_path();
    if state.keyring().is_some()
        || xianglin_sync::encrypted::state(&path)? != xianglin_sync::encrypted::FileState::Plain
    {
        return Err(AppError::new("not_upgrade", "本机不需要升级"));
    }
    let (user_id, name, role, demo_people) = {
        let replica = xianglin_sync::Replica::open(&path)?;
        let user_id = replica.user_id().to_owned();
        let (name, role) = match lookup::user_account(&replica, &user_id)? {
            Some((name, role, _)) => (name, role),
            None => return Err(AppError::new("no_user", "本机没有登记人员，无法升级；请联系县级管理员")),
        };
        // On the demo county everyone else keeps working from the 身份 picker.
        let demo_people: Option<Vec<(String, String, Role)>> = if query::app_status(&replica, "")?.demo {
            Some(query::users(&replica)?.into_iter().map(|user| (user.id, user.name, user.role)).collect())
        } else {
            None
        };
        (user_id, name, role, demo_people)
    };
    let demo = demo_people.is_some();
    let rules = SessionRules::default();
    let key = Key::generate();
    let mut ring = Keyring::new(&key, demo);
    ring.owner = (!demo).then(|| user_id.clone());
    ring.set_password(
        &key,
        &Person { user_id: &user_id, role: role.as_str(), name: &name },
        password,
        rules.min_password_length as usize,
        clock::now(),
    )
    .map_err(refusal)?;
    for (other, name, role) in demo_people.iter().flatten().filter(|(other, _, _)| *other != user_id) {
        let person = Person { user_id: other, role: role.as_str(), name };
        ring.set_password(&key, &person, DEMO_PASSWORD, 0, clock::now()).map_err(refusal)?;
    }
    save(&ring, state.data_path())?;
    *state.keyring() = Some(ring);
    tracing::info!("upgrading: the replica will be encrypted in place");
    begin(state, key, &user_id)
}

/// A fresh PC's data key: a new one, or the one already opening a replica that a failed
/// enrollment left (the same run of the app).
pub fn fresh_key(state: &AppState) -> Result<Key, AppError> {
    if state.keyring().is_some() {
        return Err(AppError::new("has_data", "本机已经设置过，不能再次设置"));
    }
    if let Some(key) = state.data_key() {
        return Ok(key.clone());
    }
    let path = state.database_path();
    match xianglin_sync::encrypted::state(&path)? {
        xianglin_sync::encrypted::FileState::Missing => {}
        xianglin_sync::encrypted::FileState::Plain => {
            return Err(AppError::new("has_data", "本机已有旧版本的数据，请先设置密码完成升级"));
        }
        xianglin_sync::encrypted::FileState::Encrypted => {
            // An encrypted replica and no keyring: a setup that stopped before its keyring was
            // written. Nothing opens it; set it aside (never delete) and start again.
            let aside = path.with_extension(format!("sqlite.unopened-{}", clock::now().format("%Y%m%d%H%M%S")));
            std::fs::rename(&path, &aside).map_err(|error| AppError::internal(&error.to_string()))?;
            tracing::warn!(aside = %aside.display(), "set aside an encrypted replica without a keyring");
        }
    }
    let key = Key::generate();
    state.open_with(key.clone())?;
    Ok(key)
}

/// After the demo county is generated with `key`: every demo account gets the demo password,
/// and whoever the demo signed in stays signed in.
pub fn finish_demo(state: &AppState, key: Key) -> Result<SessionStatus, AppError> {
    let (people, signed_in) = {
        let replica = state.replica_unchecked()?;
        let people: Vec<(String, String, Role)> =
            query::users(&replica)?.into_iter().map(|user| (user.id, user.name, user.role)).collect();
        (people, replica.user_id().to_owned())
    };
    let mut ring = Keyring::new(&key, true);
    for (user_id, name, role) in &people {
        let person = Person { user_id, role: role.as_str(), name };
        ring.set_password(&key, &person, DEMO_PASSWORD, 0, clock::now()).map_err(refusal)?;
    }
    save(&ring, state.data_path())?;
    *state.keyring() = Some(ring);
    begin(state, key, &signed_in)
}

/// After an enrollment: the enrolled person's password, then their session.
pub fn finish_enrollment(
    state: &AppState,
    key: Key,
    user_id: &str,
    role: Role,
    password: &str,
) -> Result<SessionStatus, AppError> {
    let mut ring = Keyring::new(&key, false);
    ring.owner = Some(user_id.to_owned());
    ring.set_password(&key, &Person { user_id, role: role.as_str(), name: "" }, password, 0, clock::now())
        .map_err(refusal)?;
    save(&ring, state.data_path())?;
    *state.keyring() = Some(ring);
    begin(state, key, user_id)
}

/// The minimum password length before a keyring exists (the county's default).
pub fn check_new_password(password: &str) -> Result<(), AppError> {
    let min = SessionRules::default().min_password_length as usize;
    if password.chars().count() < min {
        return Err(refusal(KeyringError::TooShort(min)));
    }
    Ok(())
}

/// Opens the replica with `key` and signs `user_id` in: they must be a user of the county
/// document this PC holds (or the county document has not arrived yet: a PC just enrolled).
fn begin(state: &AppState, key: Key, user_id: &str) -> Result<SessionStatus, AppError> {
    state.open_with(key)?;
    crate::backups::spawn_daily(state);
    let role = {
        let mut replica = state.replica_unchecked()?;
        let role = match lookup::user_account(&replica, user_id)? {
            Some((_, role, _)) => role,
            None if query::app_status(&replica, "")?.county.is_none() => {
                let guard = state.keyring();
                let account = guard.as_ref().and_then(|ring| ring.accounts.get(user_id));
                account.map(|account| role_of(&account.role)).unwrap_or(Role::Caseworker)
            }
            None => return Err(AppError::new("revoked", "该账号已被县里停用，不能在本机登录")),
        };
        replica.set_user(user_id)?;
        role
    };
    state.set_session(Some(Session { user_id: user_id.to_owned(), role }));
    tracing::info!(role = role.as_str(), "signed in");
    // The background sync found no replica at start; with one open it syncs now.
    state.sync().wake.notify_one();
    if let Err(error) = refresh_keyring(state) {
        tracing::warn!(error = %error.message, "the keyring was not refreshed");
    }
    status(state)
}

/// Signs out (also the idle lock): commands refuse until someone signs in again.
pub fn sign_out(state: &AppState) {
    if state.session().is_some() {
        tracing::info!("signed out");
    }
    state.set_session(None);
}

/// A new password for the signed-in person, who types the old one (wrong ones count).
pub fn change_password(state: &AppState, old_password: &str, new_password: &str) -> Result<(), AppError> {
    let session = state.session().ok_or_else(|| AppError::new("signed_out", "请先登录"))?;
    let mut guard = state.keyring();
    let ring = guard.as_mut().ok_or_else(|| AppError::internal("signed in without a keyring"))?;
    let min = ring.rules.min_password_length as usize;
    if new_password.chars().count() < min {
        return Err(refusal(KeyringError::TooShort(min)));
    }
    let unlocked = ring.unlock(&session.user_id, old_password, clock::now());
    let key = match unlocked {
        Ok(key) => key,
        Err(error) => {
            save(ring, state.data_path())?;
            return Err(match error {
                KeyringError::WrongPassword { left } => {
                    AppError::new("wrong_password", format!("原密码不正确，还可尝试 {left} 次"))
                }
                other => refusal(other),
            });
        }
    };
    let account = ring.accounts.get(&session.user_id).cloned().ok_or_else(|| AppError::internal("no account"))?;
    let person = Person { user_id: &session.user_id, role: &account.role, name: &account.masked_name };
    ring.set_password(&key, &person, new_password, min, clock::now()).map_err(refusal)?;
    save(ring, state.data_path())?;
    tracing::info!("password changed");
    Ok(())
}

/// Brings the keyring in step with the county document this PC holds: the sign-in rules, the
/// names of its accounts (masked), one-time codes issued for people of this PC's places, and
/// the county's recovery key. Runs at sign-in and after each sync.
pub fn refresh_keyring(state: &AppState) -> Result<(), AppError> {
    let Some(key) = state.data_key().cloned() else { return Ok(()) };
    let mut replica = state.replica_unchecked()?;
    let Some(county) = query::app_status(&replica, "")?.county else { return Ok(()) };
    let shard = ShardId::county(&county.code);
    let rules = lookup::policies(&replica)?.last().map(|policy| policy.sessions.clone()).unwrap_or_default();
    let recovery: Option<RecoveryKey> = match replica.read_record(&shard, "recovery_key/current")? {
        Some(stored) => serde_json::from_value(stored.value).ok(),
        None => None,
    };
    let server = match (replica.setting(SERVER_URL)?, replica.setting(TOKEN)?) {
        (Some(url), Some(token)) => Some((url, replica.setting(PIN)?, token, replica.device_id())),
        _ => None,
    };
    let grants: Vec<SigninGrant> = replica
        .read_records_with_prefix(&shard, "signin/")?
        .into_iter()
        .filter_map(|(_, stored)| serde_json::from_value(stored.value).ok())
        .collect();
    let mut guard = state.keyring();
    let Some(ring) = guard.as_mut() else { return Ok(()) };
    let before = ring.clone();
    ring.rules = rules;
    let owner_scope: Option<Vec<String>> = match &ring.owner {
        Some(owner) => lookup::user_account(&replica, owner)?.map(|(_, _, places)| places),
        None => None,
    };
    let within_pc = |places: &[String]| match &owner_scope {
        Some(scope) => {
            !places.is_empty() && places.iter().all(|place| scope.iter().any(|own| place_within(place, own)))
        }
        None => true,
    };
    let mut people = std::collections::BTreeMap::new();
    for user in query::users(&replica)? {
        let Some((name, role, places)) = lookup::user_account(&replica, &user.id)? else { continue };
        if within_pc(&places) {
            people.insert(
                user.id,
                keyring::Eligible { role: role.as_str().to_owned(), masked_name: keyring::mask_name(&name) },
            );
        }
    }
    ring.people = people;
    if let Some((url, pin, token, device_id)) = &server {
        let secret = xianglin_sync::client::bundle::key_of_token(token);
        ring.set_server(&key, device_id, &secret, url, pin.as_deref());
    }
    let mut names = std::collections::BTreeMap::new();
    for grant in &grants {
        if grant.expires_at < clock::now() {
            continue;
        }
        let Some((name, role, places)) = lookup::user_account(&replica, &grant.user_id)? else { continue };
        // Only people whose places lie within this PC's: a PC holds only its places' data.
        if !within_pc(&places) {
            continue;
        }
        let person = Person { user_id: &grant.user_id, role: role.as_str(), name: &name };
        ring.hold_code(&key, &person, grant).map_err(refusal)?;
    }
    for user_id in ring.accounts.keys() {
        if let Some((name, _, _)) = lookup::user_account(&replica, user_id)? {
            names.insert(user_id.clone(), keyring::mask_name(&name));
        }
    }
    for (user_id, masked) in names {
        if let Some(account) = ring.accounts.get_mut(&user_id) {
            account.masked_name = masked;
        }
    }
    if let Some(recovery) = recovery {
        ring.set_recovery(&key, &recovery.public_key).map_err(refusal)?;
    }
    drop(replica);
    if *ring != before {
        save(ring, state.data_path())?;
    }
    Ok(())
}

/// Whether `place` lies within `scope` (a village within its township or county).
fn place_within(place: &str, scope: &str) -> bool {
    lookup::place_prefix(Some(scope)).is_ok_and(|prefix| place.starts_with(&prefix))
}

fn save(ring: &Keyring, directory: &Path) -> Result<(), AppError> {
    ring.save(directory).map_err(|error| {
        tracing::error!(error = %error, "the keyring could not be saved");
        AppError::new("keyring", "无法保存本机的登录信息（keyring.json），请检查磁盘空间和权限")
    })
}

/// A keyring refusal in Chinese.
fn refusal(error: KeyringError) -> AppError {
    match error {
        KeyringError::UnknownAccount(_) => {
            AppError::new("unknown_account", "本机没有这个账号；首次在本机登录请使用县里发的一次性登录码")
        }
        KeyringError::WrongPassword { left } => {
            AppError::new("wrong_password", format!("密码不正确，再错 {left} 次账号将在本机锁定"))
        }
        KeyringError::Locked { until } => AppError::new(
            "locked",
            format!("密码错误次数过多，账号在本机锁定至 {}；可请县级管理员发放重置码", until.format("%Y-%m-%d %H:%M")),
        ),
        KeyringError::NoCode => AppError::new(
            "no_code",
            "本机尚未收到该账号的一次性登录码：请已登录的同事同步一次（联网或U盘），或请县级管理员核对",
        ),
        KeyringError::CodeExpired(at) => AppError::new(
            "code_expired",
            format!("一次性登录码已于 {} 过期，请向县级管理员重新申请", at.format("%Y-%m-%d %H:%M")),
        ),
        KeyringError::CodeUsed => AppError::new("code_used", "该一次性登录码已经用过，请向县级管理员重新申请"),
        KeyringError::TooShort(min) => AppError::new("too_short", format!("密码至少需要 {min} 个字符")),
        other => AppError::internal(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xianglin_demo::{DemoOptions, DemoSize};
    use xianglin_schema::api::ElderSearch;
    use xianglin_schema::record::RecordMeta;

    #[test]
    fn a_village_lies_within_its_township_and_county_only() {
        assert!(place_within("360733100201", "360733100000"));
        assert!(place_within("360733100201", "360733000000"));
        assert!(place_within("360733100201", "360733100201"));
        assert!(!place_within("360733101201", "360733100000"));
    }

    /// A fresh PC with the small demo county opened on it, the way 载入演示县 does it.
    fn demo_pc(directory: &Path) -> AppState {
        let state = AppState::new(directory, &directory.join("exports"));
        let key = fresh_key(&state).unwrap();
        {
            let mut replica = state.replica_unchecked().unwrap();
            let options = DemoOptions { size: DemoSize::Small, seed: 1, today: replica.today() };
            xianglin_demo::generate(&mut replica, &options).unwrap();
        }
        let status = finish_demo(&state, key).unwrap();
        assert_eq!(status.stage, SessionStage::SignedIn);
        assert_eq!(status.user.unwrap().role, Role::StationDirector);
        state
    }

    fn first_of(state: &AppState, role: Role) -> (String, Vec<String>) {
        let replica = state.replica_unchecked().unwrap();
        let user = query::users(&replica).unwrap().into_iter().find(|user| user.role == role).unwrap();
        let (_, _, places) = lookup::user_account(&replica, &user.id).unwrap().unwrap();
        (user.id, places)
    }

    fn registry(state: &AppState) -> Result<xianglin_schema::api::ElderPage, AppError> {
        let search =
            ElderSearch { place_code: None, query: String::new(), include_inactive: false, page: 1, page_size: 500 };
        Ok(query::search_elders(&*state.replica()?, &search)?)
    }

    #[test]
    fn two_people_on_one_pc_each_see_their_own_places_and_only_the_reviewer_the_county_pages() {
        let directory = tempfile::tempdir().unwrap();
        let state = demo_pc(directory.path());
        let township = registry(&state).unwrap();
        assert!(state.require_role(Role::CountyReviewer).is_err(), "the director does not see the county's pages");
        assert!(state.require_station().is_ok());

        sign_out(&state);
        assert_eq!(registry(&state).unwrap_err().code, "signed_out", "nothing answers while nobody is signed in");
        assert_eq!(status(&state).unwrap().stage, SessionStage::SignedOut);

        let (caseworker, villages) = first_of(&state, Role::Caseworker);
        sign_in(&state, &caseworker, DEMO_PASSWORD).unwrap();
        let own = registry(&state).unwrap();
        assert!(0 < own.total && own.total < township.total, "{} of {}", own.total, township.total);
        assert!(own.items.iter().all(|row| villages.contains(&row.village_code)));
        let elsewhere = township.items.iter().find(|row| !villages.contains(&row.village_code)).unwrap();
        assert!(query::elder_detail(&state.replica().unwrap(), &elsewhere.id).is_err(), "another village's elder");
        assert!(state.require_role(Role::CountyReviewer).is_err());
        assert_eq!(state.require_station().unwrap_err().code, "forbidden", "no meal or adaptation pages");

        let (reviewer, _) = first_of(&state, Role::CountyReviewer);
        sign_in(&state, &reviewer, DEMO_PASSWORD).unwrap();
        assert!(state.require_role(Role::CountyReviewer).is_ok());
        assert_eq!(registry(&state).unwrap().total, township.total);
    }

    #[test]
    fn five_wrong_passwords_lock_the_account_on_this_pc_and_the_lock_survives_a_restart() {
        let directory = tempfile::tempdir().unwrap();
        let state = demo_pc(directory.path());
        let (caseworker, _) = first_of(&state, Role::Caseworker);
        sign_out(&state);
        for left in (1..5).rev() {
            let refused = sign_in(&state, &caseworker, "not-the-password").unwrap_err();
            assert_eq!((refused.code, refused.message.contains(&left.to_string())), ("wrong_password", true));
        }
        assert_eq!(sign_in(&state, &caseworker, "not-the-password").unwrap_err().code, "locked");
        assert_eq!(sign_in(&state, &caseworker, DEMO_PASSWORD).unwrap_err().code, "locked", "even the right one waits");
        drop(state);
        let restarted = AppState::new(directory.path(), directory.path());
        let account = &status(&restarted).unwrap().accounts.into_iter().find(|a| a.user_id == caseworker).unwrap();
        assert!(account.locked_until.is_some());
        assert_eq!(sign_in(&restarted, &caseworker, DEMO_PASSWORD).unwrap_err().code, "locked");
    }

    #[test]
    fn a_county_code_signs_a_person_in_offline_and_the_county_key_reopens_the_pc() {
        let directory = tempfile::tempdir().unwrap();
        let state = demo_pc(directory.path());
        let (caseworker, _) = first_of(&state, Role::Caseworker);
        state.keyring().as_mut().unwrap().remove_account(&caseworker);
        let county = query::app_status(&state.replica_unchecked().unwrap(), "").unwrap().county.unwrap().code;
        // What the county's `signin-code` and `recovery-key` write, as a sync brings it.
        let now = clock::now();
        let (code, grant) =
            keyring::new_code(&caseworker, now + chrono::Duration::days(7), RecordMeta::created(now, "county"))
                .unwrap();
        let (county_secret, public_key) = keyring::new_recovery_key();
        {
            let mut replica = state.replica_unchecked().unwrap();
            let author = replica.author();
            let recovery = RecoveryKey { public_key, meta: RecordMeta::created(now, "county") };
            let records = [
                (format!("signin/{caseworker}"), serde_json::to_value(&grant).unwrap()),
                ("recovery_key/current".to_owned(), serde_json::to_value(&recovery).unwrap()),
            ];
            replica.commit(&ShardId::county(&county), &records, &author).unwrap();
        }
        refresh_keyring(&state).unwrap();
        sign_out(&state);
        let offered = status(&state).unwrap().accounts.into_iter().find(|a| a.user_id == caseworker).unwrap();
        assert!(offered.has_code && !offered.has_password);
        assert_eq!(sign_in(&state, &caseworker, DEMO_PASSWORD).unwrap_err().code, "unknown_account");
        assert_eq!(sign_in_with_code(&state, &caseworker, &code, "short").unwrap_err().code, "too_short");
        sign_in_with_code(&state, &caseworker, &code.to_lowercase(), "caseworker-pass").unwrap();
        sign_out(&state);
        assert_eq!(sign_in_with_code(&state, &caseworker, &code, "caseworker-pass").unwrap_err().code, "no_code");
        sign_in(&state, &caseworker, "caseworker-pass").unwrap();

        let ring = Keyring::load(directory.path()).unwrap().unwrap();
        let recovered = ring.recover(&county_secret).unwrap();
        assert_eq!(recovered.fingerprint(), state.data_key().unwrap().fingerprint());
        drop(state);
        let replica =
            xianglin_sync::Replica::open_encrypted(&directory.path().join(crate::state::DATABASE_FILE), &recovered);
        assert!(replica.is_ok(), "the recovered key opens the replica");
    }

    #[test]
    fn online_a_person_without_a_code_here_signs_in_with_the_one_the_server_answers_for() {
        let directory = tempfile::tempdir().unwrap();
        let state = demo_pc(directory.path());
        let (caseworker, _) = first_of(&state, Role::Caseworker);
        state.keyring().as_mut().unwrap().remove_account(&caseworker);
        let token = "ABCD-EFGH-JKMN-PQRS";
        let device_id = {
            let replica = state.replica_unchecked().unwrap();
            replica.set_setting(SERVER_URL, Some("http://127.0.0.1:9")).unwrap();
            replica.set_setting(TOKEN, Some(token)).unwrap();
            replica.device_id()
        };
        // Before any sync with a server: nothing to ask, the person is not offered.
        assert!(code_request(&state, &caseworker).unwrap().is_none());
        refresh_keyring(&state).unwrap();
        sign_out(&state);
        let offered = status(&state).unwrap().accounts.into_iter().find(|a| a.user_id == caseworker).unwrap();
        assert!(offered.can_ask_county && !offered.has_code && !offered.has_password);
        let (url, pin, ask) = code_request(&state, &caseworker).unwrap().expect("asks the server");
        assert_eq!((url.as_str(), pin, ask.device_id.as_str()), ("http://127.0.0.1:9", None, device_id.as_str()));

        // No answer (offline): said in Chinese, nothing changes.
        let offline = hold_fetched_code(&state, &caseworker, Err(http::SyncError::Offline("refused".into())));
        assert!(offline.unwrap_err().message.contains("无法连接县服务器"));

        // The server's answer, as it makes it: the PC's box opened with the token's hash,
        // the key sealed for the person's code.
        let now = clock::now();
        let (code, grant) =
            keyring::new_code(&caseworker, now + chrono::Duration::days(1), RecordMeta::created(now, "county"))
                .unwrap();
        let key =
            keyring::open_server_wrap(&xianglin_sync::client::bundle::key_of_token(token), &device_id, &ask.wrapped)
                .unwrap();
        let person = Person { user_id: &caseworker, role: "caseworker", name: "某某某" };
        hold_fetched_code(&state, &caseworker, Ok(keyring::code_wrap(&key, &person, &grant).unwrap())).unwrap();
        assert!(code_request(&state, &caseworker).unwrap().is_none(), "a usable code is here now");
        sign_in_with_code(&state, &caseworker, &code, "caseworker-pass").unwrap();
        assert_eq!(status(&state).unwrap().user.unwrap().id, caseworker);
        sign_out(&state);
        sign_in(&state, &caseworker, "caseworker-pass").unwrap();

        // Another PC's key sealed for a code is refused and leaves this PC's as it was.
        sign_out(&state);
        let (code, grant) =
            keyring::new_code(&caseworker, now + chrono::Duration::days(1), RecordMeta::created(now, "county"))
                .unwrap();
        hold_fetched_code(&state, &caseworker, Ok(keyring::code_wrap(&Key::generate(), &person, &grant).unwrap()))
            .unwrap();
        assert_eq!(sign_in_with_code(&state, &caseworker, &code, "another-pass").unwrap_err().code, "wrong_key");
        sign_in(&state, &caseworker, "caseworker-pass").unwrap();
    }

    #[test]
    fn an_earlier_versions_plain_replica_is_encrypted_once_its_user_sets_a_password() {
        let directory = tempfile::tempdir().unwrap();
        let path = directory.path().join(crate::state::DATABASE_FILE);
        let elders = {
            let mut replica = xianglin_sync::Replica::open(&path).unwrap();
            let options = DemoOptions { size: DemoSize::Small, seed: 1, today: replica.today() };
            xianglin_demo::generate(&mut replica, &options).unwrap();
            query::app_status(&replica, "").unwrap().elders
        };
        let state = AppState::new(directory.path(), directory.path());
        let before = status(&state).unwrap();
        assert_eq!(before.stage, SessionStage::Upgrade);
        assert_eq!(before.upgrade_user.unwrap().role, Role::StationDirector);
        assert_eq!(set_up_password(&state, "short").unwrap_err().code, "too_short");
        assert_eq!(xianglin_sync::encrypted::state(&path).unwrap(), xianglin_sync::encrypted::FileState::Plain);
        set_up_password(&state, "director-pass").unwrap();
        assert_eq!(xianglin_sync::encrypted::state(&path).unwrap(), xianglin_sync::encrypted::FileState::Encrypted);
        assert_eq!(query::app_status(&state.replica().unwrap(), "").unwrap().elders, elders);
        // The demo's other people still sign in with the demo password (the 身份 picker).
        let (caseworker, _) = first_of(&state, Role::Caseworker);
        sign_in(&state, &caseworker, DEMO_PASSWORD).unwrap();
        let director = status(&state).unwrap().accounts.into_iter().find(|a| a.role == Role::StationDirector).unwrap();
        assert_eq!(sign_in(&state, &director.user_id, DEMO_PASSWORD).unwrap_err().code, "wrong_password");
        sign_in(&state, &director.user_id, "director-pass").unwrap();
    }

    /// The first of `needles` found in `haystack`: a rolling hash per needle length (Rabin-Karp),
    /// so a scan of a replica of megabytes stays quick in a debug build.
    fn find_any<'a>(haystack: &[u8], needles: &[&'a [u8]]) -> Option<&'a [u8]> {
        const BASE: u64 = 1_000_003;
        let hash = |bytes: &[u8]| bytes.iter().fold(0u64, |h, &b| h.wrapping_mul(BASE).wrapping_add(u64::from(b)));
        let mut by_length: std::collections::BTreeMap<usize, std::collections::HashMap<u64, Vec<&'a [u8]>>> =
            std::collections::BTreeMap::new();
        for needle in needles {
            by_length.entry(needle.len()).or_default().entry(hash(needle)).or_default().push(needle);
        }
        for (&length, table) in &by_length {
            if haystack.len() < length {
                continue;
            }
            let top = (1..length).fold(1u64, |power, _| power.wrapping_mul(BASE));
            let mut rolling = hash(&haystack[..length]);
            for start in 0..=haystack.len() - length {
                if start > 0 {
                    let (out, incoming) = (haystack[start - 1], haystack[start + length - 1]);
                    rolling = rolling
                        .wrapping_sub(u64::from(out).wrapping_mul(top))
                        .wrapping_mul(BASE)
                        .wrapping_add(u64::from(incoming));
                }
                if let Some(candidates) = table.get(&rolling) {
                    let window = &haystack[start..start + length];
                    if let Some(found) = candidates.iter().find(|candidate| **candidate == window) {
                        return Some(found);
                    }
                }
            }
        }
        None
    }

    #[test]
    fn the_scan_finds_a_value_anywhere_in_a_file() {
        let needles: [&[u8]; 3] = ["谢丽华".as_bytes(), b"360733195001011234", b"13907971234"];
        assert_eq!(find_any(b"..13907971234", &needles), Some(b"13907971234".as_slice()));
        assert_eq!(find_any("开头谢丽华".as_bytes(), &needles), Some("谢丽华".as_bytes()));
        assert_eq!(find_any(b"360733195001011234", &needles), Some(b"360733195001011234".as_slice()));
        assert_eq!(find_any(b"1390797123 36073319500101123", &needles), None);
    }

    #[test]
    fn nothing_the_station_writes_holds_a_name_an_id_number_or_a_phone_in_clear() {
        let directory = tempfile::tempdir().unwrap();
        let state = demo_pc(directory.path());
        let secrets = query::personal_values(&state.replica_unchecked().unwrap()).unwrap();
        assert!(secrets.len() > 400, "{} values", secrets.len());
        // A photo, a password change, a sign-out and a sign-in: the keyring, the WAL and the
        // attachments are written too.
        // A scan (a PDF) that holds a personal value in its text.
        let body = format!("%PDF-1.4\n% {}\n", secrets[1]);
        let scan = format!("{body}xref\n0 1\n0000000000 65535 f \ntrailer <<>>\nstartxref\n{}\n%%EOF\n", body.len());
        state.attachments().unwrap().put(scan.as_bytes()).unwrap();
        change_password(&state, DEMO_PASSWORD, "director-pass").unwrap();
        let director = state.session().unwrap().user_id;
        sign_out(&state);
        sign_in(&state, &director, "director-pass").unwrap();
        let wanted: Vec<&[u8]> =
            secrets.iter().filter(|secret| secret.chars().count() >= 2).map(|secret| secret.as_bytes()).collect();
        let mut files = vec![directory.path().to_path_buf()];
        let mut scanned = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                files.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            scanned += 1;
            let found = find_any(&bytes, &wanted);
            assert!(found.is_none(), "{} holds a personal value in clear", path.display());
        }
        assert!(scanned >= 3, "{scanned} files");
    }
}
