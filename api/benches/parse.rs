//! How long the parser takes on the bundled notices (release mode): the 153-item 2024 breakdown
//! and the 63-item 2022 livelihood list. Run with `cargo bench -p api --bench parse`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

const BREAKDOWN_2024: &str = include_str!("../fixtures/work-report-breakdown-2024.txt");
const LIVELIHOOD_2022: &str = include_str!("../fixtures/livelihood-tasks-2022.txt");

fn parse(c: &mut Criterion) {
    c.bench_function("parse work-report-breakdown-2024 (153 items)", |b| {
        b.iter(|| api::import::parse::parse(black_box(BREAKDOWN_2024)).expect("parses"));
    });
    c.bench_function("parse livelihood-tasks-2022 (63 items)", |b| {
        b.iter(|| api::import::parse::parse(black_box(LIVELIHOOD_2022)).expect("parses"));
    });
}

criterion_group!(benches, parse);
criterion_main!(benches);
