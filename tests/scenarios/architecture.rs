//! The architecture's invariants, checked: which crate may depend on what (`cargo metadata`),
//! what the county server links (`cargo tree`), no module cycles inside a crate (the `use
//! crate::` graph), where SQL may be written, and one clock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The workspace's root directory.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

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

/// The workspace crates each crate may depend on: `schema ← sync ← domain ← {demo, app}`,
/// `sync ← county`; reports take plain inputs; the tests' one binary (the next release's build
/// for the mixed-versions scenario) uses `schema` and `sync` as an app would.
const LAYERS: &[(&str, &[&str])] = &[
    ("xianglin-schema", &[]),
    ("xianglin-reports", &[]),
    ("xianglin-sync", &["xianglin-schema"]),
    ("xianglin-domain", &["xianglin-schema", "xianglin-sync"]),
    ("xianglin-county", &["xianglin-schema", "xianglin-sync"]),
    ("xianglin-demo", &["xianglin-schema", "xianglin-sync", "xianglin-domain"]),
    ("xianglin-app", &["xianglin-schema", "xianglin-sync", "xianglin-domain", "xianglin-demo", "xianglin-reports"]),
    ("xianglin-tests", &["xianglin-schema", "xianglin-sync"]),
];

/// Outside crates only some workspace crates may use.
const CONFINED: &[(&str, &[&str])] = &[
    ("automerge", &["xianglin-sync", "xianglin-county"]),
    ("rusqlite", &["xianglin-sync", "xianglin-domain", "xianglin-county"]),
    ("tauri", &["xianglin-app"]),
    ("axum", &["xianglin-county"]),
    ("calamine", &["xianglin-domain"]),
    ("rust_xlsxwriter", &["xianglin-domain"]),
];

#[test]
fn dependencies_point_one_way() {
    let crates = dependencies();
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    for (name, dependencies) in &crates {
        let allowed = layers.get(name.as_str()).unwrap_or_else(|| panic!("{name} has no place in LAYERS"));
        for dependency in dependencies.iter().filter(|dependency| dependency.starts_with("xianglin-")) {
            assert!(allowed.contains(&dependency.as_str()), "{name} must not depend on {dependency}");
        }
        for (outside, users) in CONFINED {
            if dependencies.iter().any(|dependency| dependency == outside) {
                assert!(users.contains(&name.as_str()), "{name} must not depend on {outside} (only {users:?} may)");
            }
        }
    }
    // The check sees the real graph: the layers it allows are used.
    assert!(crates["xianglin-domain"].contains(&"xianglin-sync".to_owned()));
    assert!(crates["xianglin-county"].contains(&"axum".to_owned()));
}

/// The county server's binary links neither the domain crate, nor the demo, nor spreadsheets:
/// it keeps and serves changes, it does not interpret them.
#[test]
fn the_county_server_links_no_domain_code() {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["tree", "-p", "xianglin-county", "-e", "normal", "--prefix", "none", "--format", "{p}", "--offline"])
        .current_dir(workspace())
        // When the tests run under libfaketime (`./dev.sh test` at other dates), cargo's
        // dependency resolution waits forever on the fake clock; what links what has no date.
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    let linked: BTreeSet<&str> = tree.lines().filter_map(|line| line.split_whitespace().next()).collect();
    assert!(linked.contains("xianglin-sync") && linked.contains("axum"), "cargo tree listed: {linked:?}");
    for forbidden in ["xianglin-domain", "xianglin-demo", "xianglin-app", "calamine", "rust_xlsxwriter", "tauri"] {
        assert!(!linked.contains(forbidden), "the county server links {forbidden}");
    }
}

/// A module's path inside its crate from its file (`review/duplicates.rs` → `review::duplicates`;
/// `mod.rs` names its directory); `None` for the crate root.
fn module_path(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|part| part.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    if parts.is_empty() || (parts.len() == 1 && matches!(parts[0].as_str(), "lib" | "main")) {
        return None;
    }
    Some(parts.join("::"))
}

/// The modules a file's code (tests and comments left out) names through `crate::…` and
/// `super::…` paths, `use` groups included, as paths from the crate root.
fn referenced_paths(module: &str, code: &str) -> Vec<String> {
    let code = code.split("#[cfg(test)]").next().unwrap_or_default();
    let code: String = code.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut paths = Vec::new();
    for prefix in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|character| character.is_alphanumeric() || character == '_' || character == ':') {
                continue;
            }
            // `super::` climbs from the file's module, once per `super`.
            let mut base: Vec<&str> = if prefix == "super::" { module.split("::").collect() } else { Vec::new() };
            if prefix == "super::" {
                base.pop();
                while let Some(after) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = after;
                }
            }
            let end = rest
                .find(|character: char| !(character.is_alphanumeric() || character == '_' || character == ':'))
                .unwrap_or(rest.len());
            let head = rest[..end].trim_end_matches(':');
            base.extend(head.split("::").filter(|part| !part.is_empty()));
            let join = |tail: &str| base.iter().copied().chain(std::iter::once(tail)).collect::<Vec<_>>().join("::");
            if let Some(group) = rest[end..].strip_prefix('{') {
                // `crate::a::{b::c, d}`: each item under `a`.
                let group = &group[..group.find(';').unwrap_or(group.len())];
                for item in group.split([',', '{', '}']) {
                    let item = item.trim();
                    if !item.is_empty() && item != "self" {
                        paths.push(join(item));
                    }
                }
            } else {
                paths.push(base.join("::"));
            }
        }
    }
    paths
}

/// Groups of modules that reach each other through their `use`s (strongly connected, two or
/// more), in a crate's `src` directory. Edges between a module and its own submodules are
/// nesting, not cycles, and are left out.
fn module_cycles(src: &Path) -> Vec<Vec<String>> {
    let files = source_files_under(src, &["rs"]);
    let modules: BTreeMap<String, PathBuf> =
        files.iter().filter_map(|file| Some((module_path(src, file)?, file.clone()))).collect();
    let nested = |a: &str, b: &str| a.starts_with(&format!("{b}::")) || b.starts_with(&format!("{a}::"));
    let mut edges: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (module, file) in &modules {
        let code = std::fs::read_to_string(file).unwrap();
        for path in referenced_paths(module, &code) {
            // The longest known module the path starts with.
            let mut target = path.as_str();
            let found = loop {
                if let Some((known, _)) = modules.get_key_value(target) {
                    break Some(known.as_str());
                }
                match target.rsplit_once("::") {
                    Some((shorter, _)) => target = shorter,
                    None => break None,
                }
            };
            if let Some(target) = found
                && target != module
                && !nested(module, target)
            {
                edges.entry(module.as_str()).or_default().insert(target);
            }
        }
    }
    // Tarjan's strongly connected components.
    struct Walk<'a> {
        edges: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        components: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, node: &'a str) {
            let number = self.index.len();
            self.index.insert(node, number);
            self.low.insert(node, number);
            self.stack.push(node);
            self.on_stack.insert(node);
            for &next in self.edges.get(node).into_iter().flatten() {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    component.push(member.to_owned());
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.components.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        components: Vec::new(),
    };
    for module in modules.keys() {
        if !walk.index.contains_key(module.as_str()) {
            walk.visit(module);
        }
    }
    walk.components
}

/// The crates' own code, each a `src` directory.
const CRATE_SOURCES: [&str; 7] =
    ["schema/src", "sync/src", "domain/src", "county/src", "demo/src", "reports/src", "src-tauri/src"];

#[test]
fn no_module_cycles_inside_a_crate() {
    let mut cycles = Vec::new();
    for src in CRATE_SOURCES {
        for cycle in module_cycles(&workspace().join(src)) {
            cycles.push(format!("{src}: {}", cycle.join(" ⇄ ")));
        }
    }
    assert!(cycles.is_empty(), "modules that depend on each other:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let directory = tempfile::tempdir().unwrap();
    let src = directory.path();
    std::fs::create_dir(src.join("review")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod review;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::review::{b::thing, c};\n").unwrap();
    std::fs::write(src.join("review/mod.rs"), "pub mod b;\n").unwrap();
    std::fs::write(src.join("review/b.rs"), "use super::super::a;\n").unwrap();
    std::fs::write(src.join("review/c.rs"), "#[cfg(test)]\nmod tests { use crate::a; }\n").unwrap();
    assert_eq!(module_cycles(src), vec![vec!["a".to_owned(), "review::b".to_owned()]]);
}

/// SQL lives in `sync` (the replica and its projection), the domain crate and the county
/// server's SQL stores (SQLite, PostgreSQL); the transport (`sync::client`) reads and writes nothing itself; and
/// only the replica's own files write (records go through `Replica::commit`), with
/// `sync::encrypted`, which copies a whole database file into an encrypted one.
#[test]
fn sql_stays_in_storage_and_the_domain() {
    let statement = |text: &str| {
        ["SELECT ", "INSERT INTO", "DELETE FROM", "UPDATE ", "CREATE TABLE", ".execute(", "connection()"]
            .iter()
            .any(|word| text.contains(word))
    };
    let writes =
        |text: &str| ["INSERT INTO", "DELETE FROM", " SET ", ".execute("].iter().any(|word| text.contains(word));
    let may_read = ["sync/src/", "domain/src/", "county/src/store/sqlite.rs", "county/src/store/postgres.rs"];
    let may_write = [
        "sync/src/replica.rs",
        "sync/src/projection.rs",
        "sync/src/merges.rs",
        "sync/src/server_state.rs",
        "sync/src/encrypted.rs",
        "county/src/store/sqlite.rs",
        "county/src/store/postgres.rs",
    ];
    let transport = ["sync/src/client.rs", "sync/src/client/"];
    let mut stray = Vec::new();
    let files = source_files(&CRATE_SOURCES, &["rs"]);
    assert!(files.len() > 60, "the scan found only {} files", files.len());
    for file in files {
        let path = file.strip_prefix(workspace()).unwrap().to_string_lossy().replace('\\', "/");
        let code = std::fs::read_to_string(&file).unwrap();
        let code = code.split("#[cfg(test)]").next().unwrap_or_default();
        let reads_here = may_read.iter().any(|allowed| path.starts_with(allowed))
            && !transport.iter().any(|carrier| path.starts_with(carrier));
        if statement(code) && !reads_here {
            stray.push(format!("{path}: SQL outside storage and the domain"));
        } else if writes(code) && !may_write.contains(&path.as_str()) {
            stray.push(format!("{path}: writes SQL itself (records go through Replica::commit)"));
        }
    }
    assert!(stray.is_empty(), "{}", stray.join("\n"));
}

/// Every file of the workspace's own code with one of `extensions`, under `roots`.
fn source_files(roots: &[&str], extensions: &[&str]) -> Vec<PathBuf> {
    roots.iter().flat_map(|root| source_files_under(&workspace().join(root), extensions)).collect()
}

/// Every file with one of `extensions` under `root` (build output and dependencies left out).
fn source_files_under(root: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = vec![root.to_owned()];
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
            "domain/src",
            "county/src",
            "county/tests",
            "demo/src",
            "src-tauri/src",
            "reports/src",
            "tests/scenarios",
            "tests/benches",
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
