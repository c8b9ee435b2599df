//! For tests of the PostgreSQL store: a new, empty database on the test cluster that
//! `./dev.sh test` starts and names in `XIANGLIN_TEST_POSTGRES` (`postgres://user@host:port`).

use postgres::{Client, NoTls};

/// The variable naming the test cluster.
pub const CLUSTER_VARIABLE: &str = "XIANGLIN_TEST_POSTGRES";

/// Makes a new database on the test cluster and returns its url. Panics with what to do when no
/// cluster is named: these tests need a real PostgreSQL.
pub fn fresh_postgres() -> String {
    let cluster = std::env::var(CLUSTER_VARIABLE).unwrap_or_else(|_| {
        panic!(
            "{CLUSTER_VARIABLE} must name a PostgreSQL cluster (postgres://user@host:port): `./dev.sh test` starts one"
        )
    });
    let cluster = cluster.trim_end_matches('/');
    let name = format!("xianglin_{}", uuid::Uuid::new_v4().simple());
    let admin_url = format!("{cluster}/postgres");
    let create = format!("CREATE DATABASE {name}");
    // On a thread of its own: the blocking client runs its own runtime, which an async test's
    // thread must not.
    std::thread::spawn(move || {
        let mut admin = Client::connect(&admin_url, NoTls)
            .unwrap_or_else(|error| panic!("the test PostgreSQL cluster at {admin_url}: {error}"));
        admin.batch_execute(&create).expect("making a test database");
    })
    .join()
    .expect("making a test database");
    format!("{cluster}/{name}")
}
