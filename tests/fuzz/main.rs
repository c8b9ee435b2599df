//! Fuzzing the decoders of untrusted bytes, on the stable toolchain: each target feeds bytes to
//! one entry point (the wire format, the server's whole answer, a sync bundle file, a roster
//! workbook, an automerge chunk, an ID number) and must never panic, hang or allocate past its
//! limits; a refusal is a pass.
//!
//! The runner mutates a committed seed corpus (`tests/fuzz/corpus/<target>/`: real requests,
//! bundles, workbooks and chunks) with byte flips, inserts, deletes, copies, splices and
//! boundary integers. It is not coverage-guided (libFuzzer needs the nightly toolchain); it keeps
//! a mutant that produced an outcome not seen before (a new refusal, or an acceptance), which
//! steers it into the decoders' deeper paths. A panic saves the input to
//! `target/fuzz/crashes/<target>/`; moved into `tests/fuzz/regressions/<target>/` it becomes a
//! test, replayed by every run.
//!
//! ```text
//! cargo test -p xianglin-tests --release --test fuzz -- all --seconds 60   # each target a minute
//! cargo test -p xianglin-tests --release --test fuzz -- roster --seconds 600
//! cargo test -p xianglin-tests --test fuzz                                 # CI: regressions, then 300 fixed runs each
//! cargo test -p xianglin-tests --test fuzz -- --write-seeds                # remake the seed corpus
//! ```

#[path = "../scenarios/support.rs"]
#[allow(dead_code)]
mod support;

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use xianglin_county::{self as server, DeviceGrant, DeviceStore, MemoryStore};
use xianglin_schema::record::{RecordMeta, new_id};
use xianglin_schema::user::{Role, User};
use xianglin_sync::client::{self, bundle};
use xianglin_sync::protocol::{MAX_REQUEST_BYTES, SyncRequest, wire};
use xianglin_sync::{Replica, ShardId, untrusted};

/// The largest input a mutant may grow to.
const MAX_INPUT: usize = 1 << 20;

/// What the targets share: a county store with one enrolled caseworker, and a replica holding
/// the county's places (for rosters).
struct World {
    store: MemoryStore,
    grant: DeviceGrant,
    replica: Replica,
}

impl World {
    fn new() -> World {
        let mut store = MemoryStore::new();
        let mut county = support::county_replica();
        let shard = ShardId::county(xianglin_demo::DEMO_COUNTY);
        let chunks = county.changes_since(&shard, &[]).unwrap();
        xianglin_county::ChangeStore::apply(&mut store, &shard, &[chunks]).unwrap();
        let user = User {
            id: new_id(),
            name: "白沙村探访员".into(),
            role: Role::Caseworker,
            places: vec!["360733105201".into()],
            phone: None,
            meta: RecordMeta::created(support::now(), "county-server"),
        };
        let now = support::now();
        store.create_code(&user, "FUZZ-CODE-0001", now + chrono::Duration::days(1), now).unwrap();
        // The device that made the seed requests, so that they pass and mutants reach deep.
        let device = std::fs::read_to_string(fuzz_dir().join("seed-device"))
            .map(|text| text.trim().to_owned())
            .unwrap_or_else(|_| Replica::open_in_memory().unwrap().device_id());
        let grant = store.enroll("FUZZ-CODE-0001", &device, "fuzz", "fuzz-token", now).unwrap();
        World { store, grant, replica: county }
    }
}

/// One target: a name (its corpus folder) and what it does with the bytes. It returns a short
/// description of the outcome; a new one keeps the input.
struct Target {
    name: &'static str,
    run: fn(&mut World, &[u8]) -> String,
}

fn outcome<T, E: std::fmt::Display>(result: Result<T, E>) -> String {
    match result {
        Ok(_) => "ok".into(),
        // The kind of refusal, without the parts that change with every input (numbers, hashes).
        Err(error) => error
            .to_string()
            .split_whitespace()
            .map(|word| if word.len() > 16 || word.chars().any(|c| c.is_ascii_digit()) { "#" } else { word })
            .take(5)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

const TARGETS: &[Target] = &[
    Target { name: "wire", run: |_, bytes| outcome(wire::decode::<SyncRequest>(bytes, MAX_REQUEST_BYTES)) },
    Target {
        name: "answer",
        run: |world, bytes| {
            let request = match rmp_serde::from_slice::<SyncRequest>(bytes) {
                Ok(request) => request,
                Err(error) => return outcome::<(), _>(Err(error)),
            };
            outcome(
                server::decode(request).and_then(|decoded| server::answer(&mut world.store, &world.grant, &decoded)),
            )
        },
    },
    Target {
        name: "bundle",
        run: |_, bytes| {
            let read = bundle::read(bytes).map(drop);
            let opened = bundle::open_request(bytes, &bundle::key_of_token("fuzz-token")).map(drop);
            format!("{} / {}", outcome(read), outcome(opened))
        },
    },
    Target {
        name: "roster",
        run: |world, bytes| outcome(xianglin_domain::registry::roster::check(&world.replica, bytes)),
    },
    Target {
        name: "chunk",
        run: |_, bytes| {
            let checked = untrusted::check(bytes, untrusted::Limits::WIRE);
            if checked.is_err() {
                return outcome(checked);
            }
            // As the replica and the server decode: a panic inside automerge is a refusal.
            let mut document = automerge::Automerge::new();
            match untrusted::guarded(|| document.load_incremental(bytes)) {
                Ok(loaded) => outcome(loaded),
                Err(refused) => outcome::<(), _>(Err(refused)),
            }
        },
    },
    Target {
        name: "id_number",
        run: |_, bytes| {
            let text = String::from_utf8_lossy(bytes);
            let plain = xianglin_schema::text::plain(&text);
            outcome(xianglin_schema::id_number::parse(&plain, support::today()).map_err(|rule| format!("{rule:?}")))
        },
    },
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn main() {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let root = fuzz_dir();
    if arguments.iter().any(|argument| argument == "--write-seeds") {
        write_seeds(&root.join("corpus"));
        return;
    }
    let seconds = arguments
        .iter()
        .position(|argument| argument == "--seconds")
        .and_then(|index| arguments.get(index + 1))
        .map(|seconds| seconds.parse::<u64>().expect("--seconds takes a number"));
    let wanted = arguments.iter().find(|argument| !argument.starts_with('-') && argument.parse::<u64>().is_err());
    let targets: Vec<&Target> =
        TARGETS.iter().filter(|target| wanted.is_none_or(|wanted| wanted == "all" || wanted == target.name)).collect();
    assert!(
        !targets.is_empty(),
        "no target {wanted:?}; targets: {:?}",
        TARGETS.iter().map(|t| t.name).collect::<Vec<_>>()
    );

    // Panics are what the runner looks for: keep their messages out of the way.
    // (`XIANGLIN_FUZZ_PANICS=1` shows them, to read a crash's cause.)
    if std::env::var_os("XIANGLIN_FUZZ_PANICS").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let crashes_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz/crashes");
    let mut world = World::new();
    let mut failed = false;
    for target in targets {
        let corpus = read_folder(&root.join("corpus").join(target.name));
        let regressions = read_folder(&root.join("regressions").join(target.name));
        assert!(!corpus.is_empty(), "{}: no seed corpus (run with --write-seeds)", target.name);
        // Every saved crash, then every seed, first: each is a test.
        for (path, input) in regressions.iter().chain(&corpus) {
            match run_one(target, &mut world, input) {
                Ok(outcome) => {
                    eprintln!("{:<10} {}: {outcome}", target.name, path.file_name().unwrap().to_string_lossy())
                }
                Err(()) => {
                    eprintln!("{}: {} panics", target.name, path.display());
                    failed = true;
                }
            }
        }
        // Then mutants: for a stated time with a random seed, or a fixed number with a fixed
        // seed (the same runs every time, for CI).
        let (budget, seed) = match seconds {
            Some(seconds) => (Budget::Time(Instant::now() + Duration::from_secs(seconds)), random_seed()),
            None => (Budget::Runs(300), 0x5eed),
        };
        let report = fuzz(target, &mut world, corpus.into_iter().map(|(_, input)| input).collect(), budget, seed);
        eprintln!(
            "{:<10} {:>8} runs in {:>6.1} s, {:>4} outcomes, {} crashes (seed {seed:#x})",
            target.name,
            report.runs,
            report.elapsed.as_secs_f64(),
            report.outcomes,
            report.crashes.len()
        );
        for crash in &report.crashes {
            let folder = crashes_dir.join(target.name);
            std::fs::create_dir_all(&folder).unwrap();
            let path = folder.join(hex_hash(crash));
            std::fs::write(&path, crash).unwrap();
            eprintln!("  crash saved to {}", path.display());
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}

enum Budget {
    Time(Instant),
    Runs(u64),
}

struct Report {
    runs: u64,
    elapsed: Duration,
    outcomes: usize,
    crashes: Vec<Vec<u8>>,
}

fn run_one(target: &Target, world: &mut World, input: &[u8]) -> Result<String, ()> {
    std::panic::catch_unwind(AssertUnwindSafe(|| (target.run)(world, input))).map_err(|_| ())
}

fn fuzz(target: &Target, world: &mut World, mut corpus: Vec<Vec<u8>>, budget: Budget, seed: u64) -> Report {
    let started = Instant::now();
    let mut rng = Rng(seed | 1);
    let mut seen: HashSet<String> = HashSet::new();
    let mut crashes = Vec::new();
    let mut runs = 0;
    loop {
        match budget {
            Budget::Time(until) if Instant::now() >= until => break,
            Budget::Runs(most) if runs >= most => break,
            _ => {}
        }
        let mut input = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let other = &corpus[rng.below(corpus.len())];
            mutate(&mut input, other, &mut rng);
        }
        runs += 1;
        match run_one(target, world, &input) {
            Ok(outcome) => {
                if seen.insert(outcome) {
                    corpus.push(input);
                }
            }
            Err(()) => crashes.push(input),
        }
        // The store grows with what it accepts: start it afresh now and then.
        if runs % 5_000 == 0 {
            *world = World::new();
        }
    }
    Report { runs, elapsed: started.elapsed(), outcomes: seen.len(), crashes }
}

/// One random edit of `input`.
fn mutate(input: &mut Vec<u8>, other: &[u8], rng: &mut Rng) {
    const INTERESTING: [&[u8]; 8] = [
        &[0],
        &[0xff],
        &[0x7f],
        &[0x80],
        &[0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
        &[0x85, 0x6f, 0x4a, 0x83],
        &[0xce, 0xff, 0xff, 0xff, 0xff],
    ];
    if input.is_empty() {
        input.push(rng.byte());
        return;
    }
    let at = rng.below(input.len());
    match rng.below(8) {
        0 => input[at] ^= 1 << rng.below(8),
        1 => input[at] = rng.byte(),
        2 => {
            let count = 1 + rng.below(16);
            let bytes: Vec<u8> = (0..count).map(|_| rng.byte()).collect();
            input.splice(at..at, bytes);
        }
        3 => {
            let end = (at + 1 + rng.below(64)).min(input.len());
            input.drain(at..end);
        }
        4 => {
            let end = (at + 1 + rng.below(256)).min(input.len());
            let copy = input[at..end].to_vec();
            let to = rng.below(input.len());
            input.splice(to..to, copy);
        }
        5 => {
            let value = INTERESTING[rng.below(INTERESTING.len())];
            let end = (at + value.len()).min(input.len());
            input.splice(at..end, value.iter().copied());
        }
        6 if !other.is_empty() => {
            let from = rng.below(other.len());
            let end = (from + 1 + rng.below(512)).min(other.len());
            input.truncate(at);
            input.extend_from_slice(&other[from..end]);
        }
        _ => input.truncate(at.max(1)),
    }
    input.truncate(MAX_INPUT);
}

/// xorshift64*: small and reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

/// A fresh seed from the standard library's per-process random hashing keys (no clock read).
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

fn hex_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().take(12).map(|byte| format!("{byte:02x}")).collect()
}

fn read_folder(folder: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    let mut files: Vec<(PathBuf, Vec<u8>)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    files
}

/// Makes the seed corpus from real traffic: a caseworker's request with an elder and a visit,
/// its bundle file, the roster template and a filled roster, automerge chunks of each kind, and
/// ID numbers.
fn write_seeds(corpus: &Path) {
    let mut rng = xianglin_demo::Rng::new(21);
    let mut device = support::county_replica();
    let elder = xianglin_domain::registry::store_elder(&mut device, support::elder(&mut rng, "360733105201")).unwrap();
    let visit =
        support::visit(&elder, support::now() - chrono::Duration::hours(3), xianglin_schema::visit::Severity::Normal);
    xianglin_domain::patrol::store_visit(&mut device, visit).unwrap();
    let (mut request, _) = client::prepare(&mut device).unwrap();
    // The device's copy of the county document came with the test's setup, not from the server.
    request.shards.retain(|push| !push.shard.starts_with("county/"));
    let mut seeds: Vec<(&str, &str, Vec<u8>)> = vec![
        ("wire", "request", wire::encode(&request)),
        ("answer", "request", rmp_serde::to_vec_named(&request).unwrap()),
        ("bundle", "request", bundle::export(&mut device, "fuzz-token").unwrap()),
        ("roster", "template", xianglin_domain::registry::roster::template().unwrap()),
        ("roster", "filled", xianglin_domain::registry::roster::export(&device, "360733105201").unwrap()),
    ];
    let shard = ShardId::elders("360733105201");
    let heads = device.heads(&shard).unwrap();
    let chunks = device.chunks_since(&shard, &[]).unwrap();
    seeds.push(("chunk", "document", chunks.concat()));
    seeds.push(("chunk", "changes", device.changes_since(&shard, &[]).unwrap()));
    let mut document = automerge::AutoCommit::new();
    for edit in 0..40 {
        automerge::transaction::Transactable::put(&mut document, automerge::ROOT, format!("k{}", edit % 7), edit)
            .unwrap();
        document.commit();
    }
    seeds.push(("chunk", "saved-compressed", document.save()));
    let hashes: Vec<_> = document.get_changes(&[]).iter().map(|change| change.hash()).collect();
    seeds.push(("chunk", "bundle", document.document().bundle(hashes).unwrap().bytes().to_vec()));
    assert!(!heads.is_empty());
    for (name, text) in [
        ("valid", elder.id_number.as_str()),
        ("full-width", "３６０７３３１９４５０５０６１２３Ｘ"),
        ("short", "36073319450506"),
        ("old", "360733187001011234"),
    ] {
        seeds.push(("id_number", name, text.as_bytes().to_vec()));
    }
    for (target, name, bytes) in seeds {
        let folder = corpus.join(target);
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(name), bytes).unwrap();
    }
    std::fs::write(fuzz_dir().join("seed-device"), device.device_id()).unwrap();
    eprintln!("seed corpus written to {}", corpus.display());
}
