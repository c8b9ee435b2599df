//! Data at rest: a plain replica holding the small demo county is encrypted in place, and a
//! kill -9 at any moment of that (at the start of each step, and at random moments of the
//! export) loses nothing: the next start finishes or undoes it, and every table holds what it
//! held before.

use std::io::{BufRead, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use xianglin_demo as demo;
use xianglin_sync::Replica;
use xianglin_sync::crypto::Key;
use xianglin_sync::encrypted::{self, FileState};

use crate::support::{kill_at_random_moments, kill_at_step, replica_contents as contents, scratch, small_demo_options};

/// Set for the child process only: the database it encrypts.
const ENCRYPTING_DATABASE: &str = "XIANGLIN_TEST_ENCRYPTING_DATABASE";
/// Set for the child process only: the key file (a key made for this run).
const ENCRYPTING_KEY: &str = "XIANGLIN_TEST_ENCRYPTING_KEY_FILE";
/// Set for the child process only: pause at the start of each step until a line comes in.
const PAUSE_AT_STEPS: &str = "XIANGLIN_TEST_PAUSE_AT_STEPS";

/// The child of [`encrypting_in_place_survives_kill_9_at_every_step_and_mid_export`]: encrypts
/// the database, printing each step as it begins (and, if asked, waiting there to be killed).
#[test]
#[ignore = "run by encrypting_in_place_survives_kill_9_at_every_step_and_mid_export as a child process"]
fn encrypting_child_process() {
    let Some(path) = std::env::var_os(ENCRYPTING_DATABASE) else { return };
    let key = Key::read_file(Path::new(&std::env::var_os(ENCRYPTING_KEY).unwrap())).unwrap();
    let pause = std::env::var_os(PAUSE_AT_STEPS).is_some();
    let mut stdin = std::io::stdin().lock();
    encrypted::encrypt_in_place(Path::new(&path), &key, &mut |step| {
        println!("step {}", step.name());
        std::io::stdout().flush().unwrap();
        if pause {
            let mut line = String::new();
            stdin.read_line(&mut line).unwrap();
        }
    })
    .unwrap();
    println!("done");
}

fn child(path: &Path, key_file: &Path, pause: bool) -> std::process::Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["at_rest::encrypting_child_process", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(ENCRYPTING_DATABASE, path)
        .env(ENCRYPTING_KEY, key_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if pause {
        command.env(PAUSE_AT_STEPS, "1");
    }
    command.spawn().unwrap()
}

#[test]
fn encrypting_in_place_survives_kill_9_at_every_step_and_mid_export() {
    let directory = scratch();
    let path = directory.path().join("xianglin.sqlite");
    let original = directory.path().join("original.sqlite");
    {
        let mut replica = Replica::open(&original).unwrap();
        demo::generate(&mut replica, &small_demo_options(1)).unwrap();
    }
    let expected = contents(&Replica::open(&original).unwrap());
    assert!(expected.iter().any(|(table, rows)| table == "elders" && rows.len() > 100), "the demo's elders");
    let key_file = directory.path().join("test.key");
    let key = Key::create_file(&key_file).unwrap();
    let fresh_plain = || {
        for suffix in ["", "-wal", "-shm", ".previous", ".encrypting"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        std::fs::copy(&original, &path).unwrap();
    };
    // After any kill, the next start (recover, encrypt) ends with everything there, encrypted.
    let check_after_kill = |what: &str| {
        encrypted::encrypt_in_place(&path, &key, &mut |_| {}).unwrap();
        assert_eq!(encrypted::state(&path).unwrap(), FileState::Encrypted, "{what}");
        let replica = Replica::open_encrypted(&path, &key).unwrap();
        assert!(contents(&replica) == expected, "killed {what}: the replica's contents changed");
        for leftover in [".previous", ".encrypting", "-journal"] {
            assert!(!Path::new(&format!("{}{leftover}", path.display())).exists(), "killed {what}: {leftover} left");
        }
    };

    // Killed at the start of each step (the child waits there to be killed).
    for stop_at in ["exporting", "verifying", "swapping", "taking-name", "removing-previous"] {
        fresh_plain();
        kill_at_step(child(&path, &key_file, true), stop_at);
        check_after_kill(&format!("at {stop_at}"));
    }
    // Killed at random moments of a run (most of it is the export).
    kill_at_random_moments(6, 7, fresh_plain, || child(&path, &key_file, false), check_after_kill);
}
