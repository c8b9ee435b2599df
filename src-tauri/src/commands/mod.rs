//! Tauri commands, one module per area. Each command takes the state and at most one request
//! and calls `xianglin-sync`; none holds logic of its own. Every command runs on the async
//! runtime's threads (`#[tauri::command(async)]`), never on the main thread, which also drives the
//! window: a query never freezes painting, and two requests from the page do not queue behind the
//! window's own work (the replica's mutex orders them).

pub mod adaptation;
pub mod app;
pub mod attachments;
pub mod conflicts;
pub mod duplicates;
pub mod elders;
pub mod meals;
pub mod review;
pub mod roster;
pub mod sync;
pub mod visits;
