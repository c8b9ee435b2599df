//! The architecture's invariants that `cargo metadata` can check: which crate may depend on what.

use std::collections::BTreeMap;

/// Each workspace crate's normal (non-dev) dependencies, by name.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let names = package["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|dependency| dependency["kind"].is_null())
                .map(|dependency| dependency["name"].as_str().unwrap().to_owned())
                .collect();
            (package["name"].as_str().unwrap().to_owned(), names)
        })
        .collect()
}

#[test]
fn dependencies_point_from_the_app_to_sync_to_schema_only() {
    let crates = dependencies();
    let schema = &crates["xianglin-schema"];
    for forbidden in ["rusqlite", "automerge", "tauri", "xianglin-sync", "xianglin-app"] {
        assert!(!schema.contains(&forbidden.to_owned()), "schema must not depend on {forbidden}");
    }
    let sync = &crates["xianglin-sync"];
    assert!(sync.contains(&"xianglin-schema".to_owned()));
    for forbidden in ["tauri", "xianglin-app"] {
        assert!(!sync.contains(&forbidden.to_owned()), "sync must not depend on {forbidden}");
    }
    let reports = &crates["xianglin-reports"];
    for forbidden in ["xianglin-schema", "xianglin-sync", "xianglin-app", "tauri", "rusqlite", "automerge"] {
        assert!(
            !reports.contains(&forbidden.to_owned()),
            "reports take plain inputs and must not depend on {forbidden}"
        );
    }
    let app = &crates["xianglin-app"];
    for forbidden in ["rusqlite", "automerge"] {
        assert!(
            !app.contains(&forbidden.to_owned()),
            "the app reaches storage only through xianglin-sync, not {forbidden}"
        );
    }
}

/// Every file of the workspace's own code with one of `extensions`, under `roots`.
fn source_files(roots: &[&str], extensions: &[&str]) -> Vec<std::path::PathBuf> {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned();
    let mut files = Vec::new();
    let mut pending: Vec<std::path::PathBuf> = roots.iter().map(|root| workspace.join(root)).collect();
    while let Some(path) = pending.pop() {
        if path.is_dir() {
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default();
            if matches!(name, "node_modules" | "dist" | "target" | "bindings") {
                continue;
            }
            pending.extend(std::fs::read_dir(&path).unwrap().map(|entry| entry.unwrap().path()));
        } else if path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| extensions.contains(&extension))
        {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// "Today" comes from one clock (`xianglin_schema::clock` in Rust, `ui/src/utils/clock.ts` in
/// the UI), so a test can put the code on any day. Any other read of the wall clock must say why
/// it may not use it, with a comment "Real clock: …" on its line or just above it.
#[test]
fn one_clock() {
    // Built from pieces, so that this file does not match itself.
    let reads = [
        ["Local", "::now("].concat(),
        ["Utc", "::now("].concat(),
        ["SystemTime", "::now("].concat(),
        ["new Date", "()"].concat(),
        ["Date", ".now()"].concat(),
    ];
    let clocks = ["schema/src/clock.rs", "ui/src/utils/clock.ts"];
    let files = source_files(
        &[
            "schema/src",
            "sync/src",
            "sync/benches",
            "src-tauri/src",
            "reports/src",
            "tests/scenarios",
            "tests/src",
            "ui/src",
            "tests/e2e",
        ],
        &["rs", "ts", "vue", "mjs"],
    );
    assert!(files.len() > 100, "the scan found only {} files", files.len());
    let mut stray = Vec::new();
    for file in files {
        let path = file.to_string_lossy().replace('\\', "/");
        if clocks.iter().any(|clock| path.ends_with(clock)) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            if !reads.iter().any(|read| line.contains(read.as_str())) {
                continue;
            }
            let explained = lines[index.saturating_sub(3)..=index].iter().any(|line| line.contains("Real clock:"));
            if !explained {
                stray.push(format!("{path}:{}: {}", index + 1, line.trim()));
            }
        }
    }
    assert!(
        stray.is_empty(),
        "clock reads outside the one clock, without a \"Real clock:\" comment:\n{}",
        stray.join("\n")
    );
}
