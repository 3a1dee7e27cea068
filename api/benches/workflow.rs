//! How long the workflow's whole-city reads take on the demo data (release mode, SQLite): the
//! 153-item 2024 breakdown (quarterly) and the 63-item 2022 livelihood list (monthly), 216 tasks
//! with their periods. Run with `cargo bench -p api --bench workflow`.
//!
//! - every stored obligation of the city, with its state, in one unpaged list;
//! - the reporting figures over all of them (`reportingFigures`);
//! - the deadline job's status sweep over every open task;
//! - the deadline job's reminder run in the steady state: every reminder due is already sent,
//!   as on all but the first of its ticks.

use std::hint::black_box;

use api::auth::Principal;
use api::obligations::{self, ObligationFilter};
use api::stats::service::{self as stats, DueDateBasis};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use entity::documents;
use sea_orm::EntityTrait;

fn workflow(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = api::config::Config::from_defaults();
    config.database_url = format!("sqlite://{}/bench.db?mode=rwc", dir.path().display());
    let system = Principal::system();
    let now = Utc.with_ymd_and_hms(2024, 7, 15, 2, 0, 0).unwrap();
    let db = runtime.block_on(async {
        let db = api::db::connect(&config).await.expect("database opens");
        api::db::migrate(&db).await.expect("migrations run");
        let start = Utc.with_ymd_and_hms(2024, 1, 2, 2, 0, 0).unwrap();
        api::demo::prepare(&db, start)
            .await
            .expect("demo data loads");
        for document in documents::Entity::find().all(&db).await.expect("documents") {
            api::periods::service::generate(&system, &db, start, document.id)
                .await
                .expect("periods generate");
        }
        db
    });
    let count = runtime
        .block_on(obligations::list(
            &system,
            &db,
            now,
            ObligationFilter::default(),
            api::pagination::PageRequest::all(),
            None,
        ))
        .expect("obligations")
        .items
        .len();
    println!("demo data: {count} obligations");

    c.bench_function("all obligations of the city (216 tasks)", |b| {
        b.iter(|| {
            runtime
                .block_on(obligations::list(
                    &system,
                    &db,
                    now,
                    ObligationFilter::default(),
                    api::pagination::PageRequest::all(),
                    None,
                ))
                .expect("obligations")
                .items
                .len()
        });
    });
    c.bench_function("reporting figures of the city", |b| {
        b.iter(|| {
            runtime
                .block_on(stats::reporting(
                    &system,
                    &db,
                    now,
                    ObligationFilter::default(),
                    black_box(DueDateBasis::Current),
                    api::deadline::Thresholds::default(),
                    stats::Parts::ALL,
                ))
                .expect("figures")
        });
    });
    c.bench_function("status sweep of every open task", |b| {
        b.iter(|| {
            runtime
                .block_on(api::tasks::progress::sweep(&db, now))
                .expect("sweep")
        });
    });
    let sent = runtime
        .block_on(api::reminders::rules::run(&db, now))
        .expect("first reminder run");
    println!("first reminder run: {sent} reminders sent");
    c.bench_function("reminder run with every reminder already sent", |b| {
        b.iter(|| {
            let sent = runtime
                .block_on(api::reminders::rules::run(&db, now))
                .expect("reminder run");
            assert_eq!(sent, 0, "a second run sends nothing");
        });
    });
}

criterion_group!(benches, workflow);
criterion_main!(benches);
