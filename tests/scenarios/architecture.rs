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
