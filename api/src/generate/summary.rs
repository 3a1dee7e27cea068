//! The summary `gen-data` prints at the end: rows per table, how the obligations came out
//! (how many were due, the share reported and late, which the generator aims at about 30% and
//! 20%), the tasks by status and the accounts to sign in with, so that a run can be checked
//! against what was asked without querying the database.

use std::time::Instant;

use chrono::NaiveDate;
use entity::enums::TaskStatus;

use super::Accounts;
use super::bulk::Written;
use super::registry::Registry;
use super::reports::TaskReports;

/// What the plans add up to, for the summary.
#[derive(Debug, Default)]
pub struct Figures {
    obligations: u64,
    past_due: u64,
    past_due_reported: u64,
    late: u64,
    statuses: [u64; 5],
}

impl Figures {
    pub fn add(&mut self, plan: &TaskReports, today: NaiveDate) {
        self.obligations += plan.facts.len() as u64;
        self.past_due += plan.facts.iter().filter(|f| f.due_on < today).count() as u64;
        self.past_due_reported += plan
            .reports
            .iter()
            .filter(|r| !r.versions.is_empty())
            .count() as u64;
        self.late += plan
            .reports
            .iter()
            .filter(|r| r.versions.first().is_some_and(|v| v.late_seconds.is_some()))
            .count() as u64;
    }

    pub fn count_status(&mut self, status: TaskStatus) {
        let slot = match status {
            TaskStatus::NotStarted => 0,
            TaskStatus::InProgress => 1,
            TaskStatus::Delayed => 2,
            TaskStatus::Completed => 3,
            TaskStatus::Cancelled => 4,
        };
        self.statuses[slot] += 1;
    }
}

pub fn print(
    written: &[Written],
    figures: &Figures,
    registry: &Registry,
    accounts: &Accounts,
    started: Instant,
) {
    let rows: u64 = written.iter().map(|w| w.rows).sum();
    let seconds = started.elapsed().as_secs_f64();
    println!("gen-data: {rows} rows in {seconds:.1} s");
    for w in written {
        println!("  {:<22} {:>10}", w.table, w.rows);
    }
    let share = |part: u64, whole: u64| 100.0 * part as f64 / whole.max(1) as f64;
    println!(
        "  obligations: {} ({} due before today, {:.1}% of those reported, {:.1}% of reports first submitted late)",
        figures.obligations,
        figures.past_due,
        share(figures.past_due_reported, figures.past_due),
        share(figures.late, figures.past_due_reported)
    );
    let names = [
        "NOT_STARTED",
        "IN_PROGRESS",
        "DELAYED",
        "COMPLETED",
        "CANCELLED",
    ];
    let statuses: Vec<String> = names
        .iter()
        .zip(figures.statuses)
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
    println!("  task statuses: {}", statuses.join(", "));
    println!(
        "  accounts (the given password): bureau (BUREAU, user {}), unit (UNIT {}, user {}), \
         leader (LEADER {} {}, user {}), service (SERVICE, user {})",
        accounts.bureau,
        registry.units.first().map_or("", |u| u.name.as_str()),
        accounts.unit,
        registry.leaders.first().map_or("", |l| l.post.as_str()),
        registry.leaders.first().map_or("", |l| l.name.as_str()),
        accounts.leader,
        accounts.service
    );
}
