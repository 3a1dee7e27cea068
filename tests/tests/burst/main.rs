//! Bursts that must not cost the server its memory. A test binary of its own: password hashing
//! is gated per process, and the resident memory measured here must be this test's alone.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sign_ins_hash_a_few_at_a_time() {
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
