//! Hostile input against the real `xianglin-county` process on 127.0.0.1: chunks that would
//! inflate or expand to gigabytes are refused with the server's peak memory (measured from
//! `/proc`) bounded, nothing stored, and another device syncing throughout; a request replayed
//! under another device's token changes nothing of that device, which then converges.
//!
//! Run with `--nocapture` to see the figures (the README quotes them).

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{
    Server, VILLAGE, enroll, free_port, http_client, new_caseworker, new_county, open_store, serve, support_elder,
};
use xianglin_county::ChangeStore;
use xianglin_demo::Rng;
use xianglin_domain::registry::store_elder;
use xianglin_sync::client;
use xianglin_sync::protocol::{PROTOCOL, ShardPush, SyncRequest, wire};

/// The peak memory the server may reach under any attack (the goal).
const PEAK_LIMIT_KB: u64 = 256 * 1024;

/// The process's peak resident memory since it started or since [`reset_peak`], in KiB.
fn peak_kb(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.0.id())).unwrap();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Resets the peak to the current resident memory (Linux `clear_refs` 5).
fn reset_peak(server: &Server) {
    std::fs::write(format!("/proc/{}/clear_refs", server.0.id()), "5").unwrap();
}

/// Posts a sync body as is; the status and the refusal's code.
async fn post(url: &str, token: &str, body: Vec<u8>) -> (u16, String) {
    let response = http_client()
        .post(format!("{url}/v1/sync"))
        .bearer_auth(token)
        .header("content-type", wire::CONTENT_TYPE)
        .header("content-encoding", wire::CONTENT_ENCODING)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    let code = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|body| body["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (status, code)
}

fn request_with(chunk: Vec<u8>) -> Vec<u8> {
    let shard = xianglin_sync::ShardId::Elders { village: VILLAGE.into() };
    wire::encode(&SyncRequest {
        protocol: PROTOCOL,
        cursor: 0,
        shards: vec![ShardPush { shard: shard.to_string(), heads: Vec::new(), changes: vec![chunk] }],
        app_version: String::new(),
        user_id: String::new(),
        waiting: 0,
        arch: String::new(),
    })
}

fn uleb(mut value: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// An automerge chunk of type `kind` around `body` (the checksum is left zero: it is checked
/// only after decoding, which is what the attacks aim at).
fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, kind];
    uleb(body.len() as u64, &mut out);
    out.extend(body);
    out
}

/// A DEFLATE stream of `size` zeros, written by hand with the fixed Huffman code (one literal,
/// then matches of 258 bytes at distance 1: 13 bits each), so that a gigabyte costs the test
/// nothing to make. zstd shrinks the request around it to a few hundred bytes.
fn deflate_zeros(size: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        bit: u32,
    }
    impl Bits {
        fn push(&mut self, value: u32, count: u32) {
            for index in 0..count {
                if self.bit.is_multiple_of(8) {
                    self.out.push(0);
                }
                if value >> index & 1 == 1 {
                    *self.out.last_mut().unwrap() |= 1 << (self.bit % 8);
                }
                self.bit += 1;
            }
        }
        /// A Huffman code goes most significant bit first.
        fn code(&mut self, code: u32, length: u32) {
            let reversed = (0..length).fold(0, |acc, index| acc | ((code >> index & 1) << (length - 1 - index)));
            self.push(reversed, length);
        }
    }
    let mut bits = Bits { out: Vec::new(), bit: 0 };
    bits.push(1, 1); // the final block
    bits.push(1, 2); // fixed Huffman codes
    bits.code(0x30, 8); // literal 0
    let mut left = size - 1;
    while left >= 258 {
        bits.code(0xc5, 8); // length 258
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    bits.out
}

/// A change whose one column is a run of `rows` equal values.
fn change_with_run(rows: u64) -> Vec<u8> {
    let mut body = vec![0, 1, 0xab, 1, 1, 0, 0, 0]; // no deps, actor, seq, start op, time, message, actors
    let mut column = Vec::new();
    uleb(rows, &mut column);
    column.push(7);
    body.push(1);
    uleb(2 << 4 | 2, &mut body);
    uleb(column.len() as u64, &mut body);
    body.extend(column);
    chunk(1, &body)
}

/// A document whose one change column is DEFLATE-compressed `size` zeros.
fn document_with_inflating_column(size: u64) -> Vec<u8> {
    let column = deflate_zeros(size);
    let mut body = vec![0, 0]; // no actors, no heads
    body.push(1);
    uleb(1 << 4 | 0b1000 | 2, &mut body);
    uleb(column.len() as u64, &mut body);
    body.push(0); // no op columns
    body.extend(column);
    chunk(0, &body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bombs_are_refused_in_bounded_memory_while_another_device_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let code = |name: &str| new_caseworker(&config, name, VILLAGE).1;
    let (attacker_code, victim_code) = (code("刘芳"), code("张伟"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let server = serve(&config, port).await;
    let attacker = enroll(&url, &attacker_code).await;
    let victim = enroll(&url, &victim_code).await;
    attacker.link.sync(&attacker.replica).await.unwrap();
    victim.link.sync(&victim.replica).await.unwrap();
    let mut rng = Rng::new(5);
    for _ in 0..20 {
        store_elder(&mut victim.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    }
    victim.link.sync(&victim.replica).await.unwrap();
    let stored = || open_store(&config).changed_seq().unwrap();
    let before = stored();

    let mut quiet = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        victim.link.sync(&victim.replica).await.unwrap();
        quiet.push(started.elapsed());
    }
    quiet.sort();
    let quiet_median = quiet[quiet.len() / 2];

    let attacks: Vec<(&str, Vec<u8>, &str)> = vec![
        ("compressed change, 256 MiB of zeros", request_with(chunk(2, &deflate_zeros(256 << 20))), "too_large"),
        ("compressed change, 1 GiB of zeros", request_with(chunk(2, &deflate_zeros(1 << 30))), "too_large"),
        ("compressed change, 2 GiB of zeros", request_with(chunk(2, &deflate_zeros(2 << 30))), "too_large"),
        ("change with a run of 2^40 rows", request_with(change_with_run(1 << 40)), "too_large"),
        ("document column, 1 GiB of zeros", request_with(document_with_inflating_column(1 << 30)), "too_large"),
    ];
    eprintln!("quiet sync of another device: median {:.1} ms", quiet_median.as_secs_f64() * 1e3);
    eprintln!("| attack | request bytes | refused | server peak RSS | other device's slowest sync |");
    for (name, body, code) in attacks {
        reset_peak(&server);
        let size = body.len();
        let syncing = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let watcher = {
            let (replica, link, syncing) = (victim.replica.clone(), victim.link.clone(), syncing.clone());
            tokio::spawn(async move {
                let mut slowest = Duration::ZERO;
                while syncing.load(std::sync::atomic::Ordering::Relaxed) {
                    let started = Instant::now();
                    link.sync(&replica).await.unwrap();
                    slowest = slowest.max(started.elapsed());
                }
                slowest
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let refusal = post(&url, &attacker.token, body).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        syncing.store(false, std::sync::atomic::Ordering::Relaxed);
        let slowest = watcher.await.unwrap();
        let peak = peak_kb(&server);
        eprintln!(
            "| {name} | {size} | {} {} | {:.0} MB | {:.1} ms |",
            refusal.0,
            refusal.1,
            peak as f64 / 1024.0,
            slowest.as_secs_f64() * 1e3
        );
        assert_eq!(refusal, (413, code.to_owned()), "{name}");
        assert!(peak <= PEAK_LIMIT_KB, "{name}: the server's peak memory was {peak} KiB");
    }
    assert_eq!(stored(), before, "a refused request stored something");
    // The attacker's own honest sync still works.
    store_elder(&mut attacker.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    attacker.link.sync(&attacker.replica).await.unwrap();
    assert_ne!(stored(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_replayed_under_another_token_changes_nothing_and_that_device_converges() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "");
    let code = |name: &str| new_caseworker(&config, name, VILLAGE).1;
    let (code_a, code_c) = (code("刘芳"), code("张伟"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = serve(&config, port).await;
    let a = enroll(&url, &code_a).await;
    let c = enroll(&url, &code_c).await;
    a.link.sync(&a.replica).await.unwrap();
    c.link.sync(&c.replica).await.unwrap();

    // A saves elders and a visit-free request goes out under A's token; an eavesdropper keeps it.
    let mut rng = Rng::new(8);
    for _ in 0..3 {
        store_elder(&mut a.replica.lock().unwrap(), support_elder(&mut rng)).unwrap();
    }
    let (request, _) = client::prepare(&mut a.replica.lock().unwrap()).unwrap();
    let body = wire::encode(&request);
    assert_eq!(post(&url, &a.token, body.clone()).await, (200, String::new()));

    // Replayed under C's token: A's changes are not C's to push.
    assert_eq!(post(&url, &c.token, body).await, (403, "forged_actor".into()));
    // The same heads without the changes: answered, but C is not taken to hold A's elders.
    let heads_only = SyncRequest {
        shards: request.shards.iter().map(|push| ShardPush { changes: Vec::new(), ..push.clone() }).collect(),
        ..request.clone()
    };
    assert_eq!(post(&url, &c.token, wire::encode(&heads_only)).await.0, 200);

    // C syncs as usual and receives every elder of A.
    c.link.sync(&c.replica).await.unwrap();
    let shard = xianglin_sync::ShardId::Elders { village: VILLAGE.into() };
    a.link.sync(&a.replica).await.unwrap();
    let a_heads = a.replica.lock().unwrap().heads(&shard).unwrap();
    assert_eq!(c.replica.lock().unwrap().heads(&shard).unwrap(), a_heads);
    assert_eq!(PROTOCOL, request.protocol);
}

/// Writes `head` on a new connection, then one byte a second of what follows, until the server
/// answers or closes; what it answered, and after how long.
async fn trickle(port: u16, head: String, tail: usize) -> (String, Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let (mut reader, mut writer) = stream.split();
    let write = async {
        let _ = writer.write_all(head.as_bytes()).await;
        for _ in 0..tail {
            if writer.write_all(b"x").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        std::future::pending::<()>().await;
    };
    let read = async {
        let _ = tokio::time::timeout(Duration::from_secs(60), reader.read_to_end(&mut answer)).await;
    };
    tokio::select! {
        () = write => {}
        () = read => {}
    }
    let first_line = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned();
    (first_line, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_crowding_clients_are_cut_off_and_others_still_sync() {
    let dir = tempfile::tempdir().unwrap();
    let config = new_county(dir.path(), "request_timeout_secs = 3\nmax_requests_per_device = 2\n");
    let code = |name: &str| new_caseworker(&config, name, VILLAGE).1;
    let (slow_code, other_code) = (code("刘芳"), code("张伟"));
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let _server = serve(&config, port).await;
    let slow = enroll(&url, &slow_code).await;
    let other = enroll(&url, &other_code).await;

    let head = |token: &str| {
        format!(
            "POST /v1/sync HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {token}\r\ncontent-type: {}\r\ncontent-encoding: {}\r\ncontent-length: 1000\r\n\r\n",
            wire::CONTENT_TYPE,
            wire::CONTENT_ENCODING
        )
    };
    // Two bodies at a byte a second fill the device's share; a third request is refused at once.
    let first = tokio::spawn(trickle(port, head(&slow.token), 1000));
    let second = tokio::spawn(trickle(port, head(&slow.token), 1000));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (third, _) = trickle(port, head(&slow.token), 0).await;
    assert!(third.contains("429"), "{third}");
    // Meanwhile another device syncs as usual.
    other.link.sync(&other.replica).await.unwrap();
    // The trickling requests are cut off at the timeout (3 s here) with 408.
    for trickling in [first, second] {
        let (answer, after) = trickling.await.unwrap();
        eprintln!("a body at a byte a second: {answer:?} after {:.1} s", after.as_secs_f64());
        assert!(answer.contains("408"), "{answer}");
    }
    // Headers at a byte a second: the connection is closed, not kept.
    let (answer, after) = trickle(port, "POST /v1/sync HTTP/1.1\r\n".into(), 1000).await;
    eprintln!("headers at a byte a second: {answer:?} after {:.1} s", after.as_secs_f64());
    assert!(after < Duration::from_secs(59), "a client trickling headers was kept for a minute");
    // The device's share is free again.
    slow.link.sync(&slow.replica).await.unwrap();
}
