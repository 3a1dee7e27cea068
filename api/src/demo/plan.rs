//! The demo's year to date as a plan: drawn from a fixed seed, the steps a bureau, its units
//! and a leader take over the year (most reports on time, some late after a reminder, a few
//! lagging units with recent reports missing, returns and resubmissions, an extension granted
//! and one refused, instructions and a reply, completions), each with its moment. Pure: the
//! obligations and the time in, the steps out, the same on every start. `play` carries them
//! out.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::deadline::today_in_china;

/// The seed of every draw: the same year on every start.
const SEED: u64 = 0x6475_6261_6e32_3032;

/// One owed report, as the plan needs it.
#[derive(Debug, Clone)]
pub struct Owed {
    pub task_id: i64,
    pub period_id: i64,
    pub unit_id: i64,
    pub due_on: NaiveDate,
    /// The period's place in its document (1 for the first) and how many the document has.
    pub position: i32,
    pub periods: i32,
    /// The task's numeric targets: indicator id, target and unit of measure.
    pub targets: Vec<(i64, f64, String)>,
    /// The task's deadline and its document's issue date: progress follows the straight line
    /// between them (序时进度), give or take.
    pub deadline: Option<NaiveDate>,
    pub issued_on: Option<NaiveDate>,
}

/// Who owes, as a key into the reports the play has made.
pub type Part = (i64, i64, i64);

/// One step of the year, carried out at its time.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Submit {
        part: Part,
        percent: i32,
        text: String,
        values: Vec<(i64, String)>,
    },
    Review {
        part: Part,
        version: i32,
        accept: bool,
    },
    Remind {
        part: Part,
    },
    Acknowledge {
        part: Part,
    },
    AskExtension {
        part: Part,
        to: NaiveDate,
    },
    DecideExtension {
        part: Part,
        approve: bool,
    },
    Instruct {
        task_id: i64,
        body: &'static str,
    },
    Reply {
        task_id: i64,
        unit_id: i64,
    },
    /// 办结: the bureau completes a task whose deadline has come, after its last report.
    Complete {
        task_id: i64,
    },
}

/// A time of day in Beijing as UTC.
fn at(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let local = day.and_hms_opt(hour, minute, 0).unwrap_or_default();
    Utc.from_utc_datetime(&(local - Duration::hours(8)))
}

/// What a unit writes for a period: a few sentences that read like the real thing.
fn progress_text(rng: &mut StdRng, percent: i32) -> String {
    const DONE: [&str; 4] = [
        "已完成年度目标任务的",
        "累计完成计划进度的",
        "按计划有序推进，完成",
        "项目加快实施，形象进度达到",
    ];
    const NEXT: [&str; 4] = [
        "下一步将倒排工期、挂图作战，确保按期完成。",
        "下一步将加强协调调度，及时解决存在问题。",
        "下一步将强化要素保障，加快推进项目建设。",
        "下一步将压实工作责任，确保任务落到实处。",
    ];
    format!(
        "{}{percent}%。{}",
        DONE[rng.random_range(0..DONE.len())],
        NEXT[rng.random_range(0..NEXT.len())]
    )
}

/// How far along a task is by `day`: the straight line from its document's issue date to
/// its deadline, or the share of the document's periods past.
fn schedule(o: &Owed, day: NaiveDate) -> f64 {
    match (o.issued_on, o.deadline) {
        (Some(start), Some(end)) if end > start => {
            #[allow(clippy::cast_precision_loss)]
            let share = (day - start).num_days() as f64 / (end - start).num_days() as f64;
            share.clamp(0.05, 1.0)
        }
        _ => f64::from(o.position) / f64::from(o.periods.max(1)),
    }
}

/// The year's steps up to `now`, in time order. Each unit has its own diligence, so that the
/// ranking has a top and a bottom: most reports come in on time, the rest late (after a
/// reminder when more than three days late); a few lagging units leave recent reports missing.
/// Some that come in are returned once, most of those resubmitted. Most tasks whose deadline
/// has passed are completed after their last report; nothing is owed for them after that.
pub fn plan(owed: &[Owed], now: DateTime<Utc>) -> Vec<(DateTime<Utc>, Step)> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let today = today_in_china(now);
    let mut units: Vec<i64> = owed.iter().map(|o| o.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    // Most units are diligent; the four least diligent lag (their recent reports go missing).
    let diligence: HashMap<i64, f64> = units
        .iter()
        .map(|&unit| (unit, 0.98 - 0.3 * rng.random::<f64>().powi(2)))
        .collect();
    let mut by_diligence = units.clone();
    by_diligence.sort_by(|a, b| diligence[a].total_cmp(&diligence[b]).then(a.cmp(b)));
    let lagging: Vec<i64> = by_diligence.into_iter().take(4).collect();
    // The day each task is completed, if it is: most of those whose deadline has passed.
    let mut completions: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    for o in owed {
        if let Some(deadline) = o.deadline
            && deadline < today
            && !completions.contains_key(&o.task_id)
        {
            let day = deadline - Duration::days(rng.random_range(0..15));
            if rng.random_bool(0.85) {
                completions.insert(o.task_id, day);
            }
        }
    }
    let mut steps = Vec::new();
    let mut push = |time: DateTime<Utc>, step: Step| {
        if time < now {
            steps.push((time, step));
        }
    };
    let mut extensions = 0;
    for o in owed {
        if completions
            .get(&o.task_id)
            .is_some_and(|day| o.due_on > *day)
        {
            continue;
        }
        let part = (o.task_id, o.period_id, o.unit_id);
        let p = diligence[&o.unit_id];
        let share = (schedule(o, o.due_on) * rng.random_range(0.9..1.08)).min(1.0);
        #[allow(clippy::cast_possible_truncation)]
        let percent = (share * 100.0).round() as i32;
        let values: Vec<(i64, String)> = o
            .targets
            .iter()
            .map(|(id, target, unit)| {
                if rng.random_bool(0.05) {
                    return (*id, "稳步推进中".to_owned());
                }
                let actual = target * share * rng.random_range(0.9..1.15);
                (*id, format!("{}{unit}", (actual * 100.0).round() / 100.0))
            })
            .collect();
        let text = progress_text(&mut rng, percent);
        let submit = |text: String| Step::Submit {
            part,
            percent,
            text,
            values: values.clone(),
        };
        let draw: f64 = rng.random();
        let hour = rng.random_range(9..18);
        let minute = rng.random_range(0..60);
        if o.due_on >= today {
            // The period running now: the diligent report a few days early.
            if (o.due_on - today).num_days() <= 10 && draw < p * 0.4 {
                push(at(today - Duration::days(1), hour, minute), submit(text));
            }
            continue;
        }
        let reminded = at(o.due_on + Duration::days(3), 9, 30);
        let remind = |push: &mut dyn FnMut(DateTime<Utc>, Step), rng: &mut StdRng| {
            push(reminded, Step::Remind { part });
            if rng.random_bool(0.6) {
                push(reminded + Duration::hours(5), Step::Acknowledge { part });
            }
        };
        let submitted_on = if draw < p {
            o.due_on - Duration::days(rng.random_range(0..7))
        } else if lagging.contains(&o.unit_id)
            && (today - o.due_on).num_days() < 75
            && rng.random_bool(0.7)
        {
            // A lagging unit's recent report, still missing.
            remind(&mut push, &mut rng);
            continue;
        } else {
            let late_by = rng.random_range(1..20);
            if late_by > 3 {
                remind(&mut push, &mut rng);
            }
            // The first two late ones asked for more time first: one granted (and then on
            // time by it), one refused.
            if extensions < 2 && late_by <= 14 {
                let approve = extensions == 0;
                extensions += 1;
                let asked = at(o.due_on - Duration::days(4), 10, 0);
                push(
                    asked,
                    Step::AskExtension {
                        part,
                        to: o.due_on + Duration::days(14),
                    },
                );
                push(
                    asked + Duration::days(1),
                    Step::DecideExtension { part, approve },
                );
            }
            o.due_on + Duration::days(late_by)
        };
        let sent = at(submitted_on, hour, minute);
        push(sent, submit(text.clone()));
        let reviewed = sent + Duration::days(rng.random_range(2..6));
        if rng.random_bool(0.1) {
            push(
                reviewed,
                Step::Review {
                    part,
                    version: 1,
                    accept: false,
                },
            );
            if rng.random_bool(0.95) {
                let again = reviewed + Duration::days(rng.random_range(1..4));
                push(again, submit(format!("{text}（已按要求补充量化数据）")));
                push(
                    again + Duration::days(2),
                    Step::Review {
                        part,
                        version: 2,
                        accept: true,
                    },
                );
            }
        } else {
            push(
                reviewed,
                Step::Review {
                    part,
                    version: 1,
                    accept: true,
                },
            );
        }
    }
    // Completion comes after the task's last step, and only before now.
    let mut last: HashMap<i64, DateTime<Utc>> = HashMap::new();
    for (time, step) in &steps {
        if let Some(task_id) = step.task_id() {
            let entry = last.entry(task_id).or_insert(*time);
            *entry = (*entry).max(*time);
        }
    }
    for (task_id, day) in completions {
        let planned = at(day, 17, 0);
        let time = last
            .get(&task_id)
            .map_or(planned, |t| planned.max(*t + Duration::hours(2)));
        if time < now {
            steps.push((time, Step::Complete { task_id }));
        }
    }
    steps.sort_by_key(|(time, _)| *time);
    steps
}

impl Step {
    /// The task a step is about.
    pub fn task_id(&self) -> Option<i64> {
        match self {
            Self::Submit { part, .. }
            | Self::Review { part, .. }
            | Self::Remind { part }
            | Self::Acknowledge { part }
            | Self::AskExtension { part, .. }
            | Self::DecideExtension { part, .. } => Some(part.0),
            Self::Instruct { task_id, .. }
            | Self::Reply { task_id, .. }
            | Self::Complete { task_id } => Some(*task_id),
        }
    }
}

/// The leader's instructions: on his first three tasks, at the first quarter's end, the
/// second and the third; the owing unit replies to the first two.
pub fn instructions(
    tasks: &[(i64, i64)],
    year: i32,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, Step)> {
    const BODIES: [&str; 3] = [
        "此项工作事关全局，请加快推进，确保按期完成。",
        "请牵头单位加强统筹，每月报送进展。",
        "请认真研究群众反映的问题，拿出解决方案。",
    ];
    let mut steps = Vec::new();
    for (i, (task_id, unit_id)) in tasks.iter().take(3).enumerate() {
        let month = 4 + 3 * u32::try_from(i).unwrap_or(0);
        let Some(day) = NaiveDate::from_ymd_opt(year, month, 8) else {
            continue;
        };
        let written = at(day, 16, 0);
        if written >= now {
            continue;
        }
        steps.push((
            written,
            Step::Instruct {
                task_id: *task_id,
                body: BODIES[i],
            },
        ));
        if i < 2 && written + Duration::days(2) < now {
            steps.push((
                written + Duration::days(2),
                Step::Reply {
                    task_id: *task_id,
                    unit_id: *unit_id,
                },
            ));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twenty units on five tasks, monthly; with `deadlines`, task `n` ends on 30 June + n
    /// months.
    fn owed_with(deadlines: bool) -> Vec<Owed> {
        let mut owed = Vec::new();
        for unit in 1..=20 {
            for task in 1..=5 {
                for month in 1..=11 {
                    owed.push(Owed {
                        task_id: task,
                        period_id: i64::from(month),
                        unit_id: unit,
                        due_on: NaiveDate::from_ymd_opt(2026, month, 28).unwrap(),
                        position: i32::try_from(month).unwrap(),
                        periods: 12,
                        targets: vec![(task, 700.0, "个".to_owned())],
                        deadline: deadlines
                            .then(|| {
                                NaiveDate::from_ymd_opt(2026, 6 + u32::try_from(task).unwrap(), 30)
                            })
                            .flatten(),
                        issued_on: NaiveDate::from_ymd_opt(2026, 2, 20),
                    });
                }
            }
        }
        owed
    }

    fn owed() -> Vec<Owed> {
        owed_with(false)
    }

    #[test]
    fn tasks_past_their_deadline_are_mostly_completed_after_their_last_step() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
        let steps = plan(&owed_with(true), now);
        let completed: Vec<(DateTime<Utc>, i64)> = steps
            .iter()
            .filter_map(|(time, s)| match s {
                Step::Complete { task_id } => Some((*time, *task_id)),
                _ => None,
            })
            .collect();
        // Tasks 1 to 4 ended by 31 October; task 5 ends on 30 November.
        assert!(!completed.is_empty() && completed.iter().all(|(_, t)| *t < 5));
        for (done, task) in completed {
            assert!(
                steps
                    .iter()
                    .filter(
                        |(_, s)| s.task_id() == Some(task) && !matches!(s, Step::Complete { .. })
                    )
                    .all(|(time, _)| *time < done),
                "task {task} has a step after its completion"
            );
        }
    }

    #[test]
    fn the_same_year_every_time_and_nothing_after_now() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
        let a = plan(&owed(), now);
        assert_eq!(a, plan(&owed(), now));
        assert!(a.iter().all(|(time, _)| *time < now));
        assert!(a.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn most_reports_come_in_on_time_and_every_kind_of_step_happens() {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 2, 0, 0).unwrap();
        let owed = owed();
        let steps = plan(&owed, now);
        let due = owed
            .iter()
            .filter(|o| o.due_on < today_in_china(now))
            .count();
        let first: Vec<&Step> = steps
            .iter()
            .map(|(_, s)| s)
            .filter(|s| matches!(s, Step::Submit { text, .. } if !text.contains("补充")))
            .collect();
        let submitted: std::collections::HashSet<Part> = steps
            .iter()
            .filter_map(|(_, s)| match s {
                Step::Submit { part, .. } => Some(*part),
                _ => None,
            })
            .collect();
        let missing = owed
            .iter()
            .filter(|o| o.due_on < today_in_china(now))
            .filter(|o| !submitted.contains(&(o.task_id, o.period_id, o.unit_id)))
            .count();
        let returned = steps
            .iter()
            .filter(|(_, s)| matches!(s, Step::Review { accept: false, .. }))
            .count();
        assert!(
            first.len() * 10 > due * 7,
            "{} of {due} came in",
            first.len()
        );
        assert!(
            missing > 0 && missing * 10 < due,
            "{missing} missing of {due}"
        );
        assert!(returned > 0, "some are returned");
        assert_eq!(
            steps
                .iter()
                .filter(|(_, s)| matches!(s, Step::DecideExtension { .. }))
                .count(),
            2
        );
    }
}
