//! Operations metrics, served in the Prometheus text format at `GET /metrics` (the `metrics`
//! facade with its Prometheus exporter). What is measured, and where:
//!
//! - `duban_http_requests_total{route,method,status}` and `duban_http_request_duration_seconds`
//!   (histogram, by route): every request, in the request log (`http::log_request`);
//! - `duban_graphql_operations_total{operation,outcome}` and
//!   `duban_graphql_operation_duration_seconds{operation}`: GraphQL requests over HTTP, by
//!   operation name and outcome (`ok`, or the first error's code);
//! - `duban_graphql_executions_total{operation,schema}`: which schema ran them (`lean`, `full`,
//!   `full_after_lean` for a query that failed on the lean one, or `refused` for a request
//!   too large to run: `schema::execution`);
//! - `duban_db_pool_connections{state="in_use"|"idle"}` and `duban_db_pool_max_connections`:
//!   read from the pool when scraped;
//! - `duban_deadline_job_runs_total{outcome}`, `duban_deadline_job_last_run_timestamp_seconds`
//!   and `duban_reminders_sent_total`: the deadline job;
//! - `duban_live_subscribers`: open subscriptions on this instance;
//! - `duban_rate_limited_total`: answers refused as `RATE_LIMITED`.
//!
//! Labels are bounded: routes are the route table's patterns, operation names are kept as sent
//! only while they look like names and are among the first `MAX_OPERATION_NAMES` seen; any
//! other is `other`, so a client inventing names cannot grow the scrape without limit.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// How many distinct operation names get their own label.
const MAX_OPERATION_NAMES: usize = 200;

/// Latency buckets, in seconds: a few milliseconds to the request timeout.
const BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Samples recorded between two upkeeps of the recorder. The exporter queues every histogram
/// sample until an upkeep (or a scrape) drains it into the buckets; a recorder built with
/// `build_recorder` leaves the upkeep to its caller, and none ran before, so a server nobody
/// scraped kept about 40 bytes for every request it had served (`tests/burst`). Counted rather
/// than timed: the queue stays this short whatever the request rate. The drain runs on the
/// request that fills it, before its response goes out, and costs in proportion to the series
/// (a few hundred at most: the routes and `MAX_OPERATION_NAMES` operations), a few
/// microseconds for one request in a few thousand. The drained blocks go back to the allocator
/// in batches, so up to a few MiB may wait to be freed.
const UPKEEP_EVERY: usize = 4096;

static SINCE_UPKEEP: AtomicUsize = AtomicUsize::new(0);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static OPERATION_NAMES: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

/// The process's recorder, installed on first use: several applications in one process (the
/// tests) share it, and count into the same series.
pub fn handle() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("another metrics recorder is installed; /metrics will stay empty");
            }
            handle
        })
        .clone()
}

/// One HTTP request served.
pub fn http_request(route: &str, method: &str, status: u16, seconds: f64) {
    let route = route.to_owned();
    metrics::counter!(
        "duban_http_requests_total",
        "route" => route.clone(),
        "method" => method.to_owned(),
        "status" => status.to_string()
    )
    .increment(1);
    metrics::histogram!("duban_http_request_duration_seconds", "route" => route).record(seconds);
    sample_recorded();
}

/// One GraphQL operation run over HTTP: `outcome` is `ok` or the first error's code,
/// `execution` the schema that ran it (`schema::Execution`).
pub fn graphql_operation(operation: &str, outcome: &str, execution: &'static str, seconds: f64) {
    let operation = bounded_name(operation);
    metrics::counter!(
        "duban_graphql_operations_total",
        "operation" => operation.clone(),
        "outcome" => outcome.to_owned()
    )
    .increment(1);
    metrics::counter!(
        "duban_graphql_executions_total",
        "operation" => operation.clone(),
        "schema" => execution
    )
    .increment(1);
    metrics::histogram!("duban_graphql_operation_duration_seconds", "operation" => operation)
        .record(seconds);
    sample_recorded();
}

/// Runs the recorder's upkeep once every `UPKEEP_EVERY` histogram samples.
fn sample_recorded() {
    if SINCE_UPKEEP.fetch_add(1, Ordering::Relaxed) % UPKEEP_EVERY == UPKEEP_EVERY - 1
        && let Some(handle) = HANDLE.get()
    {
        handle.run_upkeep();
    }
}

/// The database pool as it is now.
pub fn database_pool(in_use: u32, idle: u32, max: u32) {
    metrics::gauge!("duban_db_pool_connections", "state" => "in_use").set(f64::from(in_use));
    metrics::gauge!("duban_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("duban_db_pool_max_connections").set(f64::from(max));
}

/// One run of the deadline job, with the reminders it sent.
pub fn deadline_job_run(ok: bool, reminders: u32, at_unix: i64) {
    let outcome = if ok { "ok" } else { "failed" };
    metrics::counter!("duban_deadline_job_runs_total", "outcome" => outcome).increment(1);
    metrics::counter!("duban_reminders_sent_total").increment(u64::from(reminders));
    metrics::gauge!("duban_deadline_job_last_run_timestamp_seconds").set(at_unix as f64);
}

/// One request refused as `RATE_LIMITED`.
pub fn rate_limited() {
    metrics::counter!("duban_rate_limited_total").increment(1);
}

/// Counts one webhook delivery attempt that failed (no answer, or not 2xx).
pub fn webhook_failed() {
    metrics::counter!("duban_webhook_failures_total").increment(1);
}

/// Counts one open subscription for as long as it is held.
pub struct Subscriber(());

impl Subscriber {
    pub fn open() -> Self {
        metrics::gauge!("duban_live_subscribers").increment(1.0);
        Self(())
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        metrics::gauge!("duban_live_subscribers").decrement(1.0);
    }
}

/// An operation name as a label: as sent while it looks like a GraphQL name and the set of
/// names is not full, else `other`; `-` for an unnamed operation.
fn bounded_name(name: &str) -> String {
    if name == "-" || name.is_empty() {
        return "-".to_owned();
    }
    let looks_like_a_name = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !looks_like_a_name {
        return "other".to_owned();
    }
    let names = OPERATION_NAMES.get_or_init(Default::default);
    let mut names = names
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if names.contains(name) || names.len() < MAX_OPERATION_NAMES && names.insert(name.to_owned()) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        assert_eq!(bounded_name("-"), "-");
        assert_eq!(bounded_name("MyTasks"), "MyTasks");
        assert_eq!(bounded_name("drop table; --"), "other");
        assert_eq!(bounded_name(&"a".repeat(65)), "other");
        for i in 0..2 * MAX_OPERATION_NAMES {
            bounded_name(&format!("Invented{i}"));
        }
        assert_eq!(bounded_name("NeverSeenBefore"), "other");
        // Names already seen keep their label.
        assert_eq!(bounded_name("MyTasks"), "MyTasks");
    }
}
