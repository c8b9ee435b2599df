//! Scenarios across crates, one module per area. Helpers live in `support`.

mod demo; // The demo county: determinism, realism, the registry searches it feeds.
mod replica; // The local replica: writes, conflicts, rebuild, bad input, bounded memory.
mod support;
