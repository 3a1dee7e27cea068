//! Carrying out the demo's plan (`plan`): the stored obligations read, an account made for
//! every unit that owes reports, 刘震 given the units of his tasks to supervise, then each step
//! through the same service a client's request calls, at the step's own moment, so that what
//! the pages, figures and ranking show is what the workflow made of them. Two notices are
//! published at the end.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{NoticeKind, ReviewDecision, Role};
use entity::{indicators, obligations, reporting_periods, task_leaders, users};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

use super::plan::{Owed, Part, Step, instructions, plan};
use crate::auth::Principal;
use crate::auth::principal::principal_for;
use crate::error::AppError;
use crate::obligations::ReportKey;
use crate::reports::service::ReportContent;
use crate::reports::submit::Extras;
use crate::reports::values::IndicatorValue;
use crate::stats::ranking::RankingScope;

/// The password of the accounts the demo makes for every unit that owes reports (`unit<id>`).
pub const UNIT_PASSWORD: &str = "walnut-harbor-meadow-6";

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
                        drafted_by: None,
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
    // Each unit with an account acknowledged (签收) its tasks three hours after receiving them
    // (a unit that only cooperated would have no account, and its tasks would stay awaited).
    let awaiting = entity::task_receipts::Entity::find()
        .filter(entity::task_receipts::Column::AcknowledgedAt.is_null())
        .filter(entity::task_receipts::Column::UnitId.is_in(units.keys().copied()))
        .order_by_asc(entity::task_receipts::Column::Id)
        .all(db)
        .await?;
    for receipt in awaiting {
        let at = (receipt.assigned_at + chrono::Duration::hours(3)).min(now);
        crate::handover::receipts::acknowledge(unit(receipt.unit_id)?, db, at, receipt.task_id)
            .await
            .map_err(fail("acknowledgement"))?;
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
                    unit_post: None,
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
