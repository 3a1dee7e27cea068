//! A PostgreSQL outage under write load: while the database is down requests fail fast with
//! `SERVICE_UNAVAILABLE` and `/readyz` says 503 at once; when it is back everything recovers by
//! itself and no write that was acknowledged is lost.
//!
//! The test stops and starts a database server, so it runs a throwaway PostgreSQL cluster of
//! its own (`initdb` and `pg_ctl`, as `.ci/run` does), and only in the PostgreSQL run of the
//! suite (`TEST_DATABASE_URL` set): the SQLite run has no server to stop.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;
use tests::TestApp;

/// A PostgreSQL cluster in a temporary directory, stopped and removed when dropped.
struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

impl Cluster {
    fn start() -> Self {
        let bin = std::env::var("PG_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                let initdb = Command::new("sh")
                    .args([
                        "-c",
                        "command -v initdb || echo /usr/lib/postgresql/15/bin/initdb",
                    ])
                    .output()
                    .expect("a shell");
                Path::new(String::from_utf8_lossy(&initdb.stdout).trim())
                    .parent()
                    .expect("initdb has a directory")
                    .to_owned()
            });
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let cluster = Self { dir, bin, port };
        if is_root() {
            Command::new("chown")
                .args(["postgres", &cluster.dir.path().display().to_string()])
                .status()
                .expect("chown");
        }
        let data = cluster.data();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "duban",
                "--auth=trust",
                "--encoding=UTF8",
            ],
        );
        cluster.pg_ctl_start();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn url(&self) -> String {
        format!("postgres://duban@127.0.0.1:{}/postgres", self.port)
    }

    fn run(&self, program: &str, args: &[&str]) {
        let path = self.bin.join(program);
        let status = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .status()
        } else {
            Command::new(&path).args(args).status()
        }
        .expect("a PostgreSQL program runs");
        assert!(status.success(), "{program} {args:?} failed");
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("postgres.log").display().to_string();
        self.run(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server as a crash would: no checkpoint, connections cut.
    fn crash(&self) {
        self.run(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let path = self.bin.join("pg_ctl");
        let data = self.data();
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if is_root() {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&path)
                .args(args)
                .output()
        } else {
            Command::new(&path).args(args).output()
        };
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

const CREATE_UNIT: &str =
    "mutation($i: CreateUnitInput!) { createUnit(input: $i) { unit { id name } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_fails_fast_and_loses_no_acknowledged_write() {
    if std::env::var("TEST_DATABASE_URL").is_err() {
        eprintln!("skipped: the outage test runs in the PostgreSQL run of the suite");
        return;
    }
    let cluster = Cluster::start();
    let app = Arc::new(
        TestApp::spawn_on_database(cluster.url(), |config| {
            config.database_acquire_timeout_secs = 2;
        })
        .await,
    );
    let admin = app.admin_token().await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();

    // Write load: units created one after another; each acknowledged name is remembered.
    let running = Arc::new(AtomicBool::new(true));
    let writer = {
        let (app, admin, running) = (app.clone(), admin.clone(), running.clone());
        tokio::spawn(async move {
            let (mut acknowledged, mut refused) = (Vec::new(), Vec::new());
            let mut n = 0;
            while running.load(Ordering::SeqCst) {
                n += 1;
                let name = format!("压测单位{n}");
                let response = app
                    .gql(
                        Some(&admin),
                        CREATE_UNIT,
                        json!({ "i": { "name": name, "kind": "OTHER" } }),
                    )
                    .await;
                match response.error_code() {
                    None => acknowledged.push(name),
                    Some(code) => refused.push(code.to_owned()),
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (acknowledged, refused)
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    cluster.crash();
    // While it is down: a request fails with SERVICE_UNAVAILABLE, and fast.
    let started = Instant::now();
    let down = app
        .gql(
            Some(&admin),
            "{ units(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    let failed_after = started.elapsed();
    assert!(
        down.error_code() == Some("SERVICE_UNAVAILABLE"),
        "{:#}",
        down.0
    );
    let started = Instant::now();
    let ready = client
        .get(format!("{}/readyz", app.address))
        .send()
        .await
        .unwrap();
    let readyz_after = started.elapsed();
    assert_eq!(ready.status().as_u16(), 503);

    cluster.pg_ctl_start();
    // Back: the pool reconnects by itself.
    let mut recovered = false;
    for _ in 0..300 {
        let ready = client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        if ready.status().is_success() {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "/readyz never said ready again");
    tokio::time::sleep(Duration::from_millis(500)).await;
    running.store(false, Ordering::SeqCst);
    let (acknowledged, refused) = writer.await.unwrap();
    app.gql(
        Some(&admin),
        CREATE_UNIT,
        json!({ "i": { "name": "恢复后单位", "kind": "OTHER" } }),
    )
    .await
    .data("/createUnit/unit/id");

    // Every acknowledged write is there.
    for name in &acknowledged {
        assert_eq!(
            app.count_rows(&format!("units WHERE name = '{name}'"))
                .await,
            1,
            "{name} was acknowledged and lost"
        );
    }
    assert!(
        refused.iter().all(|code| code == "SERVICE_UNAVAILABLE"),
        "refusals other than SERVICE_UNAVAILABLE: {refused:?}"
    );
    eprintln!(
        "outage: a request failed after {failed_after:?}, /readyz answered 503 after \
         {readyz_after:?}; {} writes acknowledged and kept, {} refused while down",
        acknowledged.len(),
        refused.len()
    );
}
