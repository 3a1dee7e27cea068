//! Bursts that must not cost the server its memory. A test binary of its own: password hashing
//! is gated per process, and the resident memory measured here must be this test's alone (its
//! tests take `MEASURING` in turn).

use futures_util::future::join_all;
use tests::TestApp;

/// The server's own allocator (`api/src/main.rs`): what a burst costs in memory depends on it
/// (a hash's 19 MiB freed is given back to the system by mimalloc, kept in its per-thread arenas
/// by glibc's), and what is measured here is the server's cost.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The resident memory of this process, in bytes.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("VmRSS is reported")
        * 1024
}

/// Held by each test while it measures, so that one test's memory is not read as another's.
static MEASURING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sign_ins_hash_a_few_at_a_time() {
    let _alone = MEASURING.lock().await;
    let app = TestApp::spawn().await;
    // Warm up: one sign-in, so that the hashing code and the pools exist before measuring.
    app.try_login("nobody", "warm-up-password").await;
    let before = resident_bytes();

    let answers = join_all((0..200).map(|i| {
        let app = &app;
        async move {
            app.try_login(&format!("unknown-{i}"), "correct horse battery staple")
                .await
                .error_code()
                .map(str::to_owned)
        }
    }))
    .await;
    let after = resident_bytes();

    let refused = answers
        .iter()
        .filter(|code| code.as_deref() == Some("RATE_LIMITED"))
        .count();
    let wrong = answers
        .iter()
        .filter(|code| code.as_deref() == Some("UNAUTHENTICATED"))
        .count();
    assert_eq!(refused + wrong, 200, "{answers:?}");
    assert!(
        refused > 0,
        "a burst past the queue is told to come back later"
    );
    assert!(
        api::auth::password::peak_concurrency() <= api::auth::password::concurrency(),
        "at most one hash per core ran at once"
    );
    // At most one hash a core holds its 19 MiB at a time; nothing else may grow much (it was
    // several GiB: a hash's memory allocated anew on every thread of the blocking pool).
    let grown = after.saturating_sub(before);
    let bound = api::auth::password::concurrency() as u64 * 19 * 1024 * 1024 + 64 * 1024 * 1024;
    assert!(
        grown < bound,
        "resident memory grew by {} MiB",
        grown / (1024 * 1024)
    );
    eprintln!(
        "200 sign-ins: {wrong} answered, {refused} told to retry; resident memory +{} MiB",
        grown / (1024 * 1024)
    );
}

/// Every request records its latency in two histograms. The Prometheus exporter queues each
/// sample until an upkeep or a scrape drains it into the buckets, and the server never ran an
/// upkeep: one nobody scraped kept every latency it had measured, about 40 bytes a request for
/// ever (half a million requests made this test's process grow by about 20 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_million_requests_latencies_are_not_kept_when_nobody_scrapes() {
    let _alone = MEASURING.lock().await;
    let record = |n: u32| {
        for i in 0..n {
            let seconds = f64::from(i % 1000) / 10_000.0;
            // A route and an operation of this test's own: the sign-ins count into `/graphql`.
            api::metrics::http_request("/probe", "POST", 200, seconds);
            api::metrics::graphql_operation("Probe", "ok", "lean", seconds);
        }
    };
    // Warm up: the recorder, its series and their buckets exist before measuring.
    api::metrics::handle();
    record(50_000);
    let before = resident_bytes();
    record(500_000);
    let grown = resident_bytes().saturating_sub(before);
    assert!(
        // The drained blocks are freed in batches, up to about 2 MiB a thread at a time.
        grown < 8 * 1024 * 1024,
        "resident memory grew by {} KiB over half a million requests",
        grown / 1024
    );
    eprintln!(
        "half a million requests' latencies: resident memory +{} KiB",
        grown / 1024
    );
    // What was measured is still counted: a scrape sees every sample.
    let scrape = api::metrics::handle().render();
    let count = scrape
        .lines()
        .find(|line| {
            line.starts_with("duban_http_request_duration_seconds_count")
                && line.contains("route=\"/probe\"")
        })
        .expect("the histogram is scraped");
    assert!(count.ends_with(" 550000"), "{count}");
}
