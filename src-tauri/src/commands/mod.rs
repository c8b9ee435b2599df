//! Tauri commands, one module per area. Each command takes the state and at most one request
//! and calls `xianglin-sync`; none holds logic of its own.

pub mod app;
pub mod attachments;
pub mod elders;
pub mod roster;
pub mod visits;
