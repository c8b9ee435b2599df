//! The Xianglin desktop app: thin Tauri commands over the local replica.
//!
//! `run` reads the keyring of the data directory (`XIANGLIN_DATA_DIR`, or the platform's app
//! data directory) and serves the UI embedded from `ui/dist`; a person's sign-in
//! ([`session`]) opens the encrypted replica. Commands live in
//! [`commands`], one module per area; each takes the state and one request and maps errors to
//! [`error::AppError`].
//!
//! **Architecture invariant:** no SQL and no automerge here; they belong to `xianglin-sync`.

pub mod backups;
mod commands;
pub mod error;
pub mod print;
pub mod session;
pub mod state;
pub mod sync_engine;
pub mod sync_status;
pub mod updates;

use tauri::Manager;

use crate::state::AppState;

/// The builder with every command registered (`run` passes the default builder). The commands
/// are tested end to end in the real window (`tests/e2e`), not through a mock runtime.
pub fn builder<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app::app_status,
        commands::app::open_demo_county,
        commands::app::demo_users,
        commands::app::switch_demo_user,
        commands::session::session_status,
        commands::session::sign_in,
        commands::session::sign_in_with_code,
        commands::session::set_up_password,
        commands::session::sign_out,
        commands::session::change_password,
        commands::attachments::add_attachment,
        commands::attachments::attachment_bytes,
        commands::elders::place_tree,
        commands::elders::search_elders,
        commands::elders::get_elder,
        commands::elders::save_elder,
        commands::elders::elder_history,
        commands::elders::elder_for_edit,
        commands::access::reveal_id_number,
        commands::access::access_log,
        commands::access::elder_access_log,
        commands::elders::set_life_status,
        commands::elders::record_life_event,
        commands::roster::roster_template,
        commands::roster::check_roster,
        commands::roster::import_roster,
        commands::roster::cancel_roster,
        commands::roster::export_registry,
        commands::visits::due_list,
        commands::visits::caseworkers,
        commands::visits::record_visit,
        commands::visits::coverage,
        commands::visits::referrals,
        commands::visits::update_referral,
        commands::visits::print_visit_register,
        commands::meals::meal_points,
        commands::meals::save_meal_point,
        commands::meals::meal_diners,
        commands::meals::enroll_diner,
        commands::meals::leave_diner,
        commands::meals::meal_roster,
        commands::meals::set_meal,
        commands::meals::copy_meal_day,
        commands::meals::meal_settlement,
        commands::meals::township_settlements,
        commands::meals::submit_settlement,
        commands::meals::review_settlement,
        commands::meals::add_meal_adjustment,
        commands::meals::print_settlement,
        commands::meals::export_settlement,
        commands::meals::print_township_settlements,
        commands::adaptation::adaptation_eligibility,
        commands::adaptation::open_adaptation_case,
        commands::adaptation::save_adaptation_case,
        commands::adaptation::record_case_step,
        commands::adaptation::save_case_plan,
        commands::adaptation::sign_case_plan,
        commands::adaptation::add_case_attachment,
        commands::adaptation::case_detail,
        commands::adaptation::adaptation_cases,
        commands::adaptation::record_assessment,
        commands::adaptation::elder_assessments,
        commands::adaptation::adaptation_catalog,
        commands::adaptation::print_case_file,
        commands::conflicts::conflicts,
        commands::review::county_anomalies,
        commands::review::approvals,
        commands::review::city_export,
        commands::review::export_log,
        commands::review::coverage_trend,
        commands::review::meal_trend,
        commands::review::export_dashboard,
        commands::review::print_dashboard,
        commands::conflicts::resolve_conflict,
        commands::duplicates::duplicates,
        commands::duplicates::decide_duplicate,
        commands::duplicates::undo_duplicate_decision,
        commands::sync::sync_status,
        commands::sync::sync_now,
        commands::sync::fleet_health,
        commands::sync::enroll_device,
        commands::sync::export_sync_bundle,
        commands::sync::import_sync_answer,
        commands::backup::backups,
        commands::backup::backup_now,
        commands::backup::set_backup_copy_to,
        commands::backup::find_backups,
        commands::backup::restore_backup,
        commands::backup::take_over_backup,
        commands::update::update_status,
        commands::update::install_update,
    ])
}

/// The value of `--<name> <value>` on the command line, if given.
fn argument(name: &str) -> Option<std::ffi::OsString> {
    let mut arguments = std::env::args_os().skip(1);
    while let Some(argument) = arguments.next() {
        if argument.to_str().and_then(|text| text.strip_prefix("--")) == Some(name) {
            return arguments.next();
        }
    }
    None
}

/// Starts the app.
pub fn run() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    builder(tauri::Builder::default())
        .setup(|app| {
            // `--data-dir <dir>` first (a second county on one computer, the end-to-end tests),
            // then XIANGLIN_DATA_DIR, then the platform's app data directory.
            let data_dir = match argument("data-dir").or_else(|| std::env::var_os("XIANGLIN_DATA_DIR")) {
                Some(directory) => std::path::PathBuf::from(directory),
                None => app.path().app_data_dir()?,
            };
            let export_dir = match std::env::var_os("XIANGLIN_EXPORT_DIR") {
                Some(directory) => std::path::PathBuf::from(directory),
                None => app.path().document_dir().unwrap_or_else(|_| data_dir.clone()).join("乡邻导出"),
            };
            let state = AppState::new(&data_dir, &export_dir);
            // `--idle-lock-seconds <n>` (the end-to-end test, a kiosk) instead of the county's idle time.
            let idle = argument("idle-lock-seconds").or_else(|| std::env::var_os("XIANGLIN_IDLE_LOCK_SECONDS"));
            if let Some(seconds) = idle.and_then(|text| text.to_str()?.parse().ok()) {
                state.override_idle_lock(seconds);
            }
            sync_engine::spawn(state.clone());
            app.manage(state);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the app failed to start");
}
