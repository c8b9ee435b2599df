//! Scenarios across crates, one module per area. Helpers live in `support`.

mod access; // Who viewed whose data: each way of seeing full data is recorded and listed.
mod adaptation; // Home adaptation (一户一档): workflow rules, eligibility, assessments, caps, sync.
mod anomalies; // The county's checks across stations: records after a death, double claims, visits outside places, coverage gaps.
mod architecture; // Invariants of the crate graph and the one clock (ARCHITECTURE.md).
mod at_rest; // Data at rest: a plain replica encrypted in place, killed at every step.
mod backup; // Backups of a station PC: made while the app writes, restored on an empty PC, killed at any moment.
mod calendar; // The demo and its pages on the day the tests run (run at many dates under faketime).
mod city_export; // Data shared upward with the city's platform: layout, CSV read back, logged ID numbers.
mod convergence; // The sync protocol as a property: random edits and schedules on three devices converge.
mod dashboards; // The county's dashboards over months agree with coverage and settlements; workbooks read back.
mod demo; // The demo county: determinism, realism, the registry searches it feeds.
mod duplicates; // Elders registered twice: detection, merge and undo, across the projection.
mod meals; // Meal service: roster, subsidies, checks, settlement, locking and adjustments.
mod patrol; // Due lists and monthly coverage (月探访率).
mod registry; // The elder registry: duplicates at entry, history, referrals.
mod replica; // The local replica: writes, conflicts, rebuild, bad input, bounded memory.
mod roster; // Roster files (.xlsx): checked import, re-import, export.
mod successor; // A replacement PC takes a lost PC's unsent edits from its backup, merged, nothing doubled.
mod support;
mod sync; // Devices and the county server: enrollment, convergence, scope, bad requests.
mod updates; // Signed releases: added at the county, offered at sync, downloaded resumably, tampering refused.
