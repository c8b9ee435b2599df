//! Signing in on a station PC: what the sign-in page shows before anyone is signed in, and
//! what it sends.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::app::UserOption;
use crate::user::Role;

/// Where this PC stands, before and after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// No data and no keys yet: the welcome page (demo county or enrollment).
    Fresh,
    /// Data of an earlier version, not encrypted yet: its user sets a password, then the data
    /// is encrypted in place.
    Upgrade,
    /// Keys and data, nobody signed in: the sign-in page.
    SignedOut,
    SignedIn,
}

/// An account the sign-in page offers: one that has signed in on this PC, or one the county
/// issued a one-time code for. The name is masked (谢*华): the page shows before sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountOption {
    pub user_id: String,
    pub role: Role,
    pub masked_name: String,
    /// Has set a password on this PC (else only a one-time code signs them in).
    pub has_password: bool,
    /// A one-time code from the county waits for them (first sign-in or reset).
    pub has_code: bool,
    /// Without a code here, this PC can ask the county server for it (online).
    pub can_ask_county: bool,
    /// Locked after wrong passwords until this time (`YYYY-MM-DD HH:MM:SS`).
    pub locked_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionStatus {
    pub stage: SessionStage,
    pub accounts: Vec<AccountOption>,
    /// Who is signed in.
    pub user: Option<UserOption>,
    /// On [`SessionStage::Upgrade`]: the account that set up this PC (it sets the password).
    pub upgrade_user: Option<AccountOption>,
    /// The demo county: its accounts share the documented demo password, and the header's
    /// 身份 picker switches between them.
    pub demo: bool,
    pub min_password_length: u32,
    /// Seconds without input before the sign-in comes back over the page.
    pub idle_lock_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignIn {
    pub user_id: String,
    pub password: String,
}

/// A first sign-in (or a reset) with the county's one-time code; the person sets a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SignInWithCode {
    pub user_id: String,
    pub code: String,
    pub new_password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ChangePassword {
    pub old_password: String,
    pub new_password: String,
}

/// The upgrade's first step: the password of the person who set up this PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SetUpPassword {
    pub password: String,
}
