//! The demo's year to date: a plan drawn from a fixed seed (most reports on time, some late,
//! some returned and resubmitted, some missing with a reminder, an extension granted and one
//! refused, a leader's instructions and a unit's reply, two published notices), then carried
//! out in time order through the same services a client calls, each at its own moment of the
//! year. Nothing is written around the rules: what the pages, figures and ranking show is what
//! the workflow made of these steps.
//!
//! `plan` is pure (the obligations and the day in, the steps out); `play` reads the stored
//! obligations, makes the accounts that act, and carries the plan out.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use entity::enums::{NoticeKind, ReviewDecision, Role};
use entity::{indicators, obligations, reporting_periods, task_leaders, users};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::Principal;
use crate::auth::principal::principal_for;
use crate::deadline::today_in_china;
use crate::error::AppError;
use crate::obligations::ReportKey;
use crate::reports::service::ReportContent;
use crate::reports::submit::Extras;
use crate::reports::values::IndicatorValue;
use crate::stats::ranking::RankingScope;

/// The seed of every draw: the same year on every start.
const SEED: u64 = 0x6475_6261_6e32_3032;

/// The password of the accounts the demo makes for every unit that owes reports (`unit<id>`).
pub const UNIT_PASSWORD: &str = "walnut-harbor-meadow-6";

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
type Part = (i64, i64, i64);

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
    fn task_id(&self) -> Option<i64> {
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
fn instructions(tasks: &[(i64, i64)], year: i32, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, Step)> {
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

/// What the play did, for the start-up message.
#[derive(Debug, Default)]
pub struct Played {
    pub submissions: usize,
    pub reviews: usize,
    pub reminders: usize,
    pub completed: usize,
    pub notices: usize,
}

/// Plays the year to `now` on the stored obligations of the imported notices, as the `bureau`
/// account and 刘震 (`leader`), with an account for every unit that owes reports.
pub async fn play(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    year: i32,
    bureau: &users::Model,
    leader: Option<&users::Model>,
) -> anyhow::Result<Played> {
    let fail = |what: &'static str| move |err: AppError| anyhow::anyhow!("demo {what}: {err}");
    let owed = owed(db).await?;
    let units = unit_accounts(db, now, &owed).await?;
    let bureau = principal_for(db, bureau.clone(), None)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the bureau account has no principal"))?;
    let mut steps = plan(&owed, now);
    let leader = match leader {
        Some(user) => principal_for(db, user.clone(), None).await?,
        None => None,
    };
    if let Some(Principal {
        scope: crate::auth::principal::Scope::Leader { leader_id, .. },
        ..
    }) = &leader
    {
        let named: Vec<i64> = task_leaders::Entity::find()
            .filter(task_leaders::Column::LeaderId.eq(*leader_id))
            .order_by_asc(task_leaders::Column::TaskId)
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.task_id)
            .collect();
        let mut tasks: Vec<(i64, i64)> = Vec::new();
        for task_id in named {
            if let Some(o) = owed.iter().find(|o| o.task_id == task_id)
                && !tasks.iter().any(|(t, _)| *t == task_id)
            {
                tasks.push((task_id, o.unit_id));
            }
        }
        steps.extend(instructions(&tasks, year, now));
        // He supervises (分管) the units that report on his tasks, the first six of them.
        let mut supervised: Vec<i64> = Vec::new();
        for (task_id, _) in &tasks {
            for o in owed.iter().filter(|o| o.task_id == *task_id) {
                if supervised.len() < 6 && !supervised.contains(&o.unit_id) {
                    supervised.push(o.unit_id);
                }
            }
        }
        crate::leaders::service::update(
            &Principal::system(),
            db,
            now,
            *leader_id,
            crate::leaders::service::LeaderChanges {
                supervised_unit_ids: Some(supervised),
                ..Default::default()
            },
        )
        .await
        .map_err(fail("supervised units"))?;
        steps.sort_by_key(|(time, _)| *time);
    }

    let mut played = Played::default();
    let mut reports: HashMap<Part, i64> = HashMap::new();
    let mut reminders: HashMap<Part, i64> = HashMap::new();
    let mut asked: HashMap<Part, i64> = HashMap::new();
    let mut threads: HashMap<i64, i64> = HashMap::new();
    let unit = |id: i64| {
        units
            .get(&id)
            .ok_or_else(|| anyhow::anyhow!("no demo account for unit {id}"))
    };
    for (n, (time, step)) in steps.into_iter().enumerate() {
        match step {
            Step::Submit {
                part,
                percent,
                text,
                values,
            } => {
                let (report, _) = crate::reports::submit::submit(
                    unit(part.2)?,
                    db,
                    time,
                    ReportKey {
                        task_id: part.0,
                        period_id: part.1,
                    },
                    &format!("demo-{n:06}"),
                    Some(ReportContent {
                        progress: Some(text),
                        problems: None,
                        next_steps: None,
                        percent: Some(percent),
                    }),
                    Extras {
                        indicator_values: Some(
                            values
                                .into_iter()
                                .map(|(indicator_id, value)| IndicatorValue {
                                    indicator_id,
                                    value,
                                    note: None,
                                })
                                .collect(),
                        ),
                        attachment_ids: Vec::new(),
                    },
                )
                .await
                .map_err(fail("submission"))?;
                reports.insert(part, report.id);
                played.submissions += 1;
            }
            Step::Review {
                part,
                version,
                accept,
            } => {
                let Some(&report) = reports.get(&part) else {
                    continue;
                };
                let (decision, comment) = if accept {
                    (ReviewDecision::Accepted, None)
                } else {
                    (
                        ReviewDecision::Returned,
                        Some("请补充量化数据和具体措施".to_owned()),
                    )
                };
                crate::reports::review::review(
                    &bureau, db, time, report, version, decision, comment,
                )
                .await
                .map_err(fail("review"))?;
                played.reviews += 1;
            }
            Step::Remind { part } => {
                let reminder = crate::reminders::service::send(
                    &bureau,
                    db,
                    time,
                    crate::reminders::service::NewReminder {
                        task_id: part.0,
                        period_id: Some(part.1),
                        unit_id: part.2,
                        message: "该项任务本期进展情况逾期未报，请于3日内报送。".to_owned(),
                    },
                )
                .await
                .map_err(fail("reminder"))?;
                reminders.insert(part, reminder.id);
                played.reminders += 1;
            }
            Step::Acknowledge { part } => {
                if let Some(&id) = reminders.get(&part) {
                    crate::reminders::service::acknowledge(unit(part.2)?, db, time, id)
                        .await
                        .map_err(fail("acknowledgement"))?;
                }
            }
            Step::AskExtension { part, to } => {
                let request = crate::extensions::service::request(
                    unit(part.2)?,
                    db,
                    time,
                    ReportKey {
                        task_id: part.0,
                        period_id: part.1,
                    },
                    to,
                    "项目受汛期影响施工暂停，申请延期报送。",
                )
                .await
                .map_err(fail("extension request"))?;
                asked.insert(part, request.id);
            }
            Step::DecideExtension { part, approve } => {
                if let Some(&id) = asked.get(&part) {
                    let comment = (!approve).then(|| "理由不充分，请按时报送。".to_owned());
                    crate::extensions::service::decide(&bureau, db, time, id, approve, comment)
                        .await
                        .map_err(fail("extension decision"))?;
                }
            }
            Step::Instruct { task_id, body } => {
                let Some(leader) = &leader else { continue };
                let stored = crate::instructions::service::write(
                    leader,
                    db,
                    time,
                    crate::instructions::service::NewInstruction {
                        task_id,
                        report_id: None,
                        parent_id: None,
                        body: body.to_owned(),
                    },
                )
                .await
                .map_err(fail("instruction"))?;
                threads.insert(task_id, stored.id);
            }
            Step::Reply { task_id, unit_id } => {
                if let Some(&parent) = threads.get(&task_id) {
                    crate::instructions::service::write(
                        unit(unit_id)?,
                        db,
                        time,
                        crate::instructions::service::NewInstruction {
                            task_id,
                            report_id: None,
                            parent_id: Some(parent),
                            body: "已按批示要求专题研究部署，正在加快推进。".to_owned(),
                        },
                    )
                    .await
                    .map_err(fail("reply"))?;
                }
            }
            Step::Complete { task_id } => {
                let Some(task) = entity::tasks::Entity::find_by_id(task_id).one(db).await? else {
                    continue;
                };
                crate::tasks::decisions::decide(
                    &bureau,
                    db,
                    time,
                    task_id,
                    task.version,
                    crate::tasks::decisions::Decision::Complete,
                    None,
                )
                .await
                .map_err(fail("completion"))?;
                played.completed += 1;
            }
        }
    }
    crate::tasks::progress::sweep(db, now)
        .await
        .map_err(fail("status sweep"))?;
    played.notices = notices(db, now, year, &bureau).await?;
    Ok(played)
}

/// The stored obligations in a fixed order, with their periods' places and the tasks' numeric
/// targets.
async fn owed(db: &DatabaseConnection) -> anyhow::Result<Vec<Owed>> {
    let periods: Vec<reporting_periods::Model> = reporting_periods::Entity::find()
        .order_by_asc(reporting_periods::Column::Id)
        .all(db)
        .await?;
    let mut per_document: BTreeMap<i64, i32> = BTreeMap::new();
    for period in &periods {
        *per_document.entry(period.document_id).or_default() += 1;
    }
    let periods: HashMap<i64, reporting_periods::Model> =
        periods.into_iter().map(|p| (p.id, p)).collect();
    let mut targets: HashMap<i64, Vec<(i64, f64, String)>> = HashMap::new();
    for indicator in indicators::Entity::find()
        .order_by_asc(indicators::Column::Id)
        .all(db)
        .await?
    {
        if let Some(target) = indicator
            .value
            .as_deref()
            .and_then(|v| v.parse::<f64>().ok())
        {
            targets.entry(indicator.task_id).or_default().push((
                indicator.id,
                target,
                indicator.measure_unit.unwrap_or_default(),
            ));
        }
    }
    let issued: HashMap<i64, Option<NaiveDate>> = entity::documents::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.issued_on))
        .collect();
    let deadlines: HashMap<i64, Option<NaiveDate>> = entity::tasks::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t.deadline))
        .collect();
    let rows = obligations::Entity::find()
        .order_by_asc(obligations::Column::DueOn)
        .order_by_asc(obligations::Column::TaskId)
        .order_by_asc(obligations::Column::UnitId)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|o| {
            let period = periods.get(&o.period_id)?;
            Some(Owed {
                task_id: o.task_id,
                period_id: o.period_id,
                unit_id: o.unit_id,
                due_on: o.due_on,
                position: period.position,
                periods: per_document.get(&o.document_id).copied().unwrap_or(1),
                targets: targets.get(&o.task_id).cloned().unwrap_or_default(),
                deadline: deadlines.get(&o.task_id).copied().flatten(),
                issued_on: issued.get(&o.document_id).copied().flatten(),
            })
        })
        .collect())
}

/// A principal for every unit that owes reports: its existing unit account, or a new one
/// named `unit<id>` with `UNIT_PASSWORD`.
async fn unit_accounts(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    owed: &[Owed],
) -> anyhow::Result<HashMap<i64, Principal>> {
    let mut ids: Vec<i64> = owed.iter().map(|o| o.unit_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut accounts: HashMap<i64, Principal> = HashMap::new();
    for unit_id in ids {
        let existing = users::Entity::find()
            .filter(users::Column::Role.eq(Role::Unit))
            .filter(users::Column::UnitId.eq(unit_id))
            .order_by_asc(users::Column::Id)
            .one(db)
            .await?;
        let user = match existing {
            Some(user) => user,
            None => crate::users::service::create(
                &Principal::system(),
                db,
                now,
                crate::users::service::NewUser {
                    username: format!("unit{unit_id}"),
                    display_name: None,
                    password: UNIT_PASSWORD.to_owned(),
                    role: Role::Unit,
                    unit_id: Some(unit_id),
                    leader_id: None,
                    scopes: Vec::new(),
                },
            )
            .await
            .map_err(|err| anyhow::anyhow!("demo unit account: {err}"))?,
        };
        if let Some(principal) = principal_for(db, user, None).await? {
            accounts.insert(unit_id, principal);
        }
    }
    Ok(accounts)
}

/// Two notices published today: criticism of every unit with a report missing on the work
/// report's tasks, praise of the five best on the livelihood list.
async fn notices(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    year: i32,
    bureau: &Principal,
) -> anyhow::Result<usize> {
    use crate::notices::service::{self, DraftRequest, Publication};
    let documents = entity::documents::Entity::find()
        .order_by_asc(entity::documents::Column::Id)
        .all(db)
        .await?;
    let mut published = 0;
    for (i, (document, kind)) in documents
        .iter()
        .zip([NoticeKind::Criticism, NoticeKind::Praise])
        .enumerate()
    {
        let request = DraftRequest {
            kind,
            scope: RankingScope {
                document_id: Some(document.id),
                due_from: None,
                due_to: None,
            },
            count: 5,
            overdue_only: kind == NoticeKind::Criticism,
        };
        let draft = match service::draft(bureau, db, now, request.clone()).await {
            Ok(draft) => draft,
            // No unit with a report missing: the three last instead.
            Err(AppError::BadInput { .. }) if request.overdue_only => {
                let request = DraftRequest {
                    overdue_only: false,
                    count: 3,
                    ..request
                };
                service::draft(bureau, db, now, request)
                    .await
                    .map_err(|err| anyhow::anyhow!("demo notice: {err}"))?
            }
            Err(err) => anyhow::bail!("demo notice: {err}"),
        };
        service::publish(
            bureau,
            db,
            now,
            draft.id,
            draft.version,
            Publication {
                doc_number: format!("汴督通〔{year}〕{}号", i + 1),
                issued_on: None,
                issuer: None,
            },
        )
        .await
        .map_err(|err| anyhow::anyhow!("demo notice: {err}"))?;
        published += 1;
    }
    Ok(published)
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
