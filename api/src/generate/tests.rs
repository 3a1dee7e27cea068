//! Checks of the plans on a small province, without a database: the same seed makes the same
//! province, and the plans keep the rules the unique indexes and the services keep (so that a
//! run on a real database cannot fail half-way on a constraint, and reads as the services would
//! have written it).

use std::collections::HashSet;

use chrono::NaiveDate;
use entity::enums::{ReportState, ReviewDecision, TaskStatus, UnitRole};
use rand::SeedableRng;
use rand::rngs::StdRng;

use super::documents::DocPlan;
use super::tasks::{LeaderRef, TaskPlan};
use super::{Ids, at_china, documents, registry, reports};
use crate::deadline::lateness;

fn province(seed: u64) -> (registry::Registry, Vec<DocPlan>, Vec<TaskPlan>) {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let mut ids = Ids { next: [1; 13] };
    let mut rng = StdRng::seed_from_u64(seed);
    let registry = registry::plan(&mut rng, 240, 40, 1, 1, &HashSet::new());
    let (docs, tasks) = documents::plan(
        &mut rng,
        &registry,
        6,
        1500,
        today,
        &mut ids,
        &HashSet::new(),
    );
    (registry, docs, tasks)
}

#[test]
fn the_same_seed_makes_the_same_province() {
    let (r1, d1, t1) = province(3);
    let (r2, d2, t2) = province(3);
    assert_eq!(format!("{:?}", r1.units), format!("{:?}", r2.units));
    assert_eq!(format!("{d1:?}"), format!("{d2:?}"));
    assert_eq!(format!("{t1:?}"), format!("{t2:?}"));
    let (r3, _, t3) = province(4);
    assert_ne!(format!("{:?}", r1.units), format!("{:?}", r3.units));
    assert_ne!(format!("{t1:?}"), format!("{t3:?}"));
}

#[test]
fn plans_keep_the_unique_indexes_and_the_rules() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let now = at_china(today, 18);
    let (registry, docs, tasks) = province(1);
    assert_eq!(registry.units.len(), 240);
    assert_eq!(registry.leaders.len(), 40);
    assert_eq!(tasks.len(), 1500);
    let names: HashSet<&str> = registry.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names.len(), registry.units.len(), "unit names are unique");
    let pairs: HashSet<_> = registry.leader_units.iter().collect();
    assert_eq!(pairs.len(), registry.leader_units.len());

    let numbers: HashSet<&str> = docs.iter().map(|d| d.number.as_str()).collect();
    assert_eq!(numbers.len(), docs.len(), "document numbers are unique");
    for doc in &docs {
        let labels: HashSet<&str> = doc.periods.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(labels.len(), doc.periods.len());
        assert!(doc.periods.iter().all(|p| p.due_on >= doc.issued_on));
        assert!(doc.schedule.clone().validated().is_ok());
        let paths: HashSet<&str> = doc.categories.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths.len(), doc.categories.len());
        let seqs: HashSet<&str> = tasks[doc.tasks.clone()]
            .iter()
            .map(|t| t.seq.as_str())
            .collect();
        assert_eq!(
            seqs.len(),
            doc.tasks.len(),
            "seq is unique in {}",
            doc.number
        );
    }

    let ctx = reports::Ctx {
        docs: &docs,
        today,
        now,
    };
    let (mut past_due, mut reported) = (0, 0);
    for task in &tasks {
        assert_eq!(task.units.first().map(|u| u.1), Some(UnitRole::Lead));
        let units: HashSet<i64> = task.units.iter().map(|u| u.0).collect();
        assert_eq!(units.len(), task.units.len(), "a unit once per task");
        let people: Vec<usize> = task
            .leaders
            .iter()
            .filter_map(|l| match l {
                LeaderRef::Person(l, _) | LeaderRef::Post(l, _) => Some(*l),
                LeaderRef::Collective(..) => None,
            })
            .collect();
        assert_eq!(people.iter().collect::<HashSet<_>>().len(), people.len());

        let plan = reports::plan(&ctx, task);
        assert_eq!(
            format!("{plan:?}"),
            format!("{:?}", reports::plan(&ctx, task))
        );
        past_due += plan.facts.iter().filter(|f| f.due_on < today).count();
        reported += plan
            .reports
            .iter()
            .filter(|r| !r.versions.is_empty())
            .count();
        let keys: HashSet<(usize, i64)> =
            plan.reports.iter().map(|r| (r.period, r.unit_id)).collect();
        assert_eq!(
            keys.len(),
            plan.reports.len(),
            "one report per period and unit"
        );
        for report in &plan.reports {
            let last = report.versions.last();
            let expected = match last.and_then(|v| v.review) {
                _ if report.versions.is_empty() => ReportState::Draft,
                None => ReportState::Submitted,
                Some((_, ReviewDecision::Accepted, _)) => ReportState::Accepted,
                Some((_, ReviewDecision::Returned, _)) => ReportState::Returned,
            };
            assert_eq!(report.state, expected);
            let mut previous = task.created_at;
            for version in &report.versions {
                assert!(version.submitted_at >= previous && version.submitted_at < now);
                assert_eq!(
                    version.late_seconds,
                    lateness(version.due_on, version.submitted_at).map(|d| d.num_seconds())
                );
                previous = version.review.map_or(version.submitted_at, |r| r.0);
                assert!(previous < now);
            }
        }
        for extension in &plan.extensions {
            assert!(extension.requested_at < crate::deadline::due_end(extension.original_due_on));
            assert!(extension.requested_due_on > extension.original_due_on);
            assert!(
                extension
                    .decided_at
                    .is_none_or(|at| at < now && at > extension.requested_at)
            );
        }
        if task.closed.is_none() {
            let model = super::write::task_model(task, &docs[task.doc], String::new());
            let status = crate::tasks::progress::derive_status(&model, &plan.facts, today);
            assert!(!matches!(
                status,
                TaskStatus::Completed | TaskStatus::Cancelled
            ));
        }
    }
    let share = reported as f64 / past_due as f64;
    assert!(
        (0.2..0.4).contains(&share),
        "{share} of the obligations due were reported"
    );
}
