//! Reading tasks: the filtered, ordered list and the batch reads behind relation fields.
//! Every query here starts from `access::visible`.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{TaskStatus, UnitRole};
use entity::{categories, leaders, task_leaders, task_units, tasks};
use itertools::Itertools;
use sea_orm::sea_query::{Alias, Expr, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, Select,
};

use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::pagination::{Page, PageRequest, SortKey};
use crate::reference_cache::{CachedTask, Shelf};
use crate::tasks::access;
use crate::tasks::order::{self, Sequence};

/// Which tasks to list. All conditions must hold.
#[derive(Debug, Default)]
pub struct TaskFilter {
    pub document_id: Option<i64>,
    /// Tasks in this category or any category below it.
    pub category_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// With `unit_id`: only where the unit holds this role.
    pub unit_role: Option<UnitRole>,
    /// Tasks naming the leader in person or through the post they hold.
    pub leader_id: Option<i64>,
    /// Any of these statuses.
    pub statuses: Vec<TaskStatus>,
    /// Part of the text or the sequence number.
    pub text: Option<String>,
    pub deadline_from: Option<NaiveDate>,
    pub deadline_to: Option<NaiveDate>,
    /// Behind schedule (序时进度) or not, on a day and with a margin.
    pub behind_schedule: Option<Schedule>,
}

/// `behindSchedule` as a filter: the rule of `progress::behind_schedule` on `today`.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub behind: bool,
    pub today: NaiveDate,
    pub margin: i64,
}

pub use super::order::{TaskOrder, TaskOrderField};

/// A task as the schema reads it: the row, with the earliest due date of its open obligations,
/// which the triggers of migration 32 keep in `tasks.earliest_open_due`. The column is not in
/// the entity, so that no write through the model can overwrite it; read with the row, it
/// gives the task's warning level without another statement (`progress::warning_level_by`).
#[derive(Debug, Clone)]
pub struct TaskRow {
    pub task: tasks::Model,
    pub earliest_open_due: Option<NaiveDate>,
}

/// The trigger-kept column `TaskRow` reads besides the entity's.
const EARLIEST_OPEN_DUE: &str = "earliest_open_due";

impl FromQueryResult for TaskRow {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            task: tasks::Model::from_query_result(row, pre)?,
            earliest_open_due: row.try_get(pre, EARLIEST_OPEN_DUE)?,
        })
    }
}

/// The trigger-kept column, qualified by its table.
fn earliest_open_due() -> Expr {
    Expr::col((tasks::Entity, Alias::new(EARLIEST_OPEN_DUE)))
}

/// `select`, reading `TaskRow`s.
fn with_earliest_open_due(
    select: Select<tasks::Entity>,
) -> sea_orm::Selector<sea_orm::SelectModel<TaskRow>> {
    select
        .column_as(earliest_open_due(), EARLIEST_OPEN_DUE)
        .into_model()
}

/// Lists the tasks `actor` may see that match `filter`.
pub async fn list(
    actor: &Principal,
    db: &impl ConnectionTrait,
    filter: TaskFilter,
    order: TaskOrder,
    page: PageRequest,
    after: Option<&SortKey>,
) -> AppResult<Page<TaskRow>> {
    let tallied = super::counts::Tallied::of(actor, &filter);
    let condition = filter_condition(db, filter).await?;
    let own_unit = access::unit_of_own_list(actor, order.field == TaskOrderField::Sequence);
    let (query, sequence) = match own_unit {
        Some(unit_id) => (
            access::assigned_to(tasks::Entity::find(), unit_id).filter(access::live()),
            Sequence::Assignment,
        ),
        None => (
            tasks::Entity::find()
                .filter(access::visible_in_order(actor, db.get_database_backend())),
            Sequence::Task,
        ),
    };
    let query = query.filter(condition);
    // The total counts the whole list, not what follows the cursor: from the stored counts
    // when they answer the list, else by counting its rows.
    let total = async {
        match &tallied {
            Some(tallied) if page.count => Ok(Some(tallied.count(db).await?)),
            _ => page.total_of(&query, db).await,
        }
    };
    let rows_query = match after {
        Some(key) => query.clone().filter(order::after(key, order, sequence)?),
        None => query.clone(),
    };
    // Only the total asked for (a document's counts by status, as five aliased totals): no
    // rows to read.
    let rows = async {
        if !page.rows {
            return Ok(Vec::new());
        }
        with_earliest_open_due(
            order::ordered(rows_query, order, sequence)
                .offset(page.offset)
                .limit(page.fetch_limit()),
        )
        .all(db)
        .await
        .map_err(AppError::from)
    };
    // Both at once, on two of the pool's connections: a page with its total waits for the
    // longer of the two statements, not their sum (a leader's inbox at a province's scale:
    // about 3 ms each). On SQLite's one connection they take turns.
    let (total, items) = tokio::try_join!(total, rows)?;
    Ok(Page::new(items, total, page).keyed(after.is_some(), |row| order::key_of(&row.task, order)))
}

/// The condition on `tasks` that `filter` means (for queries joined to tasks, too).
pub async fn filter_condition(
    db: &impl ConnectionTrait,
    filter: TaskFilter,
) -> AppResult<Condition> {
    let mut condition = Condition::all();
    if let Some(document_id) = filter.document_id {
        condition = condition.add(tasks::Column::DocumentId.eq(document_id));
    }
    if let Some(category_id) = filter.category_id {
        let category = categories::Entity::find_by_id(category_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::bad_field("filter.categoryId", "no such category"))?;
        let below = format!("{}.%", category.path);
        condition = condition.add(
            tasks::Column::CategoryId.in_subquery(
                Query::select()
                    .column(categories::Column::Id)
                    .from(categories::Entity)
                    .and_where(categories::Column::DocumentId.eq(category.document_id))
                    .cond_where(
                        Condition::any()
                            .add(categories::Column::Path.eq(category.path))
                            .add(categories::Column::Path.like(below)),
                    )
                    .to_owned(),
            ),
        );
    }
    match (filter.unit_id, filter.unit_role) {
        (Some(unit_id), role) => {
            let mut select = Query::select();
            select
                .column(task_units::Column::TaskId)
                .from(task_units::Entity)
                .and_where(task_units::Column::UnitId.eq(unit_id));
            if let Some(role) = role {
                select.and_where(task_units::Column::Role.eq(role));
            }
            condition = condition.add(tasks::Column::Id.in_subquery(select.to_owned()));
        }
        (None, Some(_)) => {
            return Err(AppError::bad_field(
                "filter.unitRole",
                "needs filter.unitId",
            ));
        }
        (None, None) => {}
    }
    if let Some(leader_id) = filter.leader_id {
        let leader = leaders::Entity::find_by_id(leader_id)
            .one(db)
            .await?
            .ok_or_else(|| AppError::bad_field("filter.leaderId", "no such leader"))?;
        let mut named = Condition::any().add(task_leaders::Column::LeaderId.eq(leader_id));
        if let Some(post) = leader.post.filter(|_| leader.is_active) {
            named = named.add(task_leaders::Column::Post.eq(post));
        }
        condition = condition.add(
            tasks::Column::Id.in_subquery(
                Query::select()
                    .column(task_leaders::Column::TaskId)
                    .from(task_leaders::Entity)
                    .cond_where(named)
                    .to_owned(),
            ),
        );
    }
    if !filter.statuses.is_empty() {
        condition = condition.add(tasks::Column::Status.is_in(filter.statuses));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        condition = condition.add(super::search::condition(db.get_database_backend(), text));
    }
    if let (Some(from), Some(to)) = (filter.deadline_from, filter.deadline_to)
        && from > to
    {
        return Err(AppError::bad_field(
            "filter.deadlineTo",
            "must not be before filter.deadlineFrom",
        ));
    }
    if let Some(from) = filter.deadline_from {
        condition = condition.add(tasks::Column::Deadline.gte(from));
    }
    if let Some(to) = filter.deadline_to {
        condition = condition.add(tasks::Column::Deadline.lte(to));
    }
    if let Some(schedule) = filter.behind_schedule {
        let behind = behind_schedule(db.get_database_backend(), schedule);
        condition = condition.add(if schedule.behind {
            behind
        } else {
            behind.not()
        });
    }
    Ok(condition)
}

/// Tasks behind schedule on `today`: open, with a deadline after their document's issue date,
/// and `(percent + margin) × total < 100 × elapsed` in days (elapsed from the issue date, at most
/// the total): `progress::expected_percent` and `behind_schedule` multiplied out, so that no
/// division is needed. Days between dates are a subtraction on PostgreSQL and `julianday` on
/// SQLite. Change both together.
fn behind_schedule(backend: sea_orm::DatabaseBackend, s: Schedule) -> SimpleExpr {
    let days = |later: &str, earlier: &str| match backend {
        sea_orm::DatabaseBackend::Sqlite => format!("(julianday({later}) - julianday({earlier}))"),
        _ => format!("({later} - {earlier})"),
    };
    let total = days(r#""tasks"."deadline""#, r#""d"."issued_on""#);
    // sea-query takes `?` placeholders on SQLite and numbered ones (`$1`) on PostgreSQL.
    let postgres = backend == sea_orm::DatabaseBackend::Postgres;
    let (margin, today) = if postgres {
        ("$1", "CAST($2 AS DATE)")
    } else {
        ("?", "?")
    };
    let elapsed = days(today, r#""d"."issued_on""#);
    let sql = format!(
        r#""tasks"."status" NOT IN ('COMPLETED', 'CANCELLED') AND "tasks"."deadline" IS NOT NULL
        AND EXISTS (SELECT 1 FROM "documents" AS "d" WHERE "d"."id" = "tasks"."document_id"
          AND "d"."issued_on" IS NOT NULL AND "tasks"."deadline" > "d"."issued_on"
          AND ("tasks"."percent" + {margin}) * {total} < 100 * (CASE WHEN {today} >= "tasks"."deadline"
            THEN {total} WHEN {today} <= "d"."issued_on" THEN 0 ELSE {elapsed} END))"#
    );
    let margin = sea_orm::Value::from(s.margin);
    if postgres {
        Expr::cust_with_values(sql, [margin, s.today.into()])
    } else {
        Expr::cust_with_values(
            sql,
            [margin, s.today.into(), s.today.into(), s.today.into()],
        )
    }
}

/// One task, if `actor` may see it; NOT_FOUND otherwise (a unit must not learn that another
/// unit's task exists).
pub async fn get(actor: &Principal, db: &impl ConnectionTrait, id: i64) -> AppResult<tasks::Model> {
    tasks::Entity::find_by_id(id)
        .filter(access::visible(actor))
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("task"))
}

/// A task by id with its earliest open due date, if `actor` may see it (the schema's `task`).
/// For those who see every live task it comes through `cache` while nothing has changed
/// (`reference_cache`, whose generation for tasks moves on every change); the others' rules
/// need their assignments, so they read it from the database.
pub async fn get_row(
    actor: &Principal,
    db: &impl ConnectionTrait,
    cache: &Shelf<i64, CachedTask>,
    id: i64,
) -> AppResult<TaskRow> {
    let read = |id| async move {
        with_earliest_open_due(tasks::Entity::find_by_id(id).filter(access::visible(actor)))
            .one(db)
            .await
            .map_err(AppError::from)
    };
    let row = if access::sees_every_live_task(actor) {
        cache
            .through(&[id], |ids| async move {
                let mut found = HashMap::new();
                for id in ids {
                    if let Some(row) = read(id).await? {
                        found.insert(id, (row.task, row.earliest_open_due));
                    }
                }
                Ok(found)
            })
            .await?
            .remove(&id)
            .map(|(task, earliest_open_due)| TaskRow {
                task,
                earliest_open_due,
            })
    } else {
        read(id).await?
    };
    row.ok_or_else(|| AppError::not_found("task"))
}

/// The earliest open due date of each task by id (`TaskRow`), for the warning level of tasks
/// read without it. Callers pass only ids of tasks the principal has already been allowed to see.
pub async fn earliest_open_due_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Option<NaiveDate>>> {
    let rows: Vec<(i64, Option<NaiveDate>)> = crate::db::in_chunks(task_ids, |chunk| {
        tasks::Entity::find()
            .select_only()
            .column(tasks::Column::Id)
            .column_as(earliest_open_due(), EARLIEST_OPEN_DUE)
            .filter(tasks::Column::Id.is_in(chunk))
            .into_tuple()
            .all(db)
    })
    .await?;
    Ok(rows.into_iter().collect())
}

/// Tasks by id among those `actor` may see, for DataLoaders.
pub async fn visible_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, tasks::Model>> {
    Ok(tasks::Entity::find()
        .filter(access::visible(actor))
        .filter(tasks::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|task| (task.id, task))
        .collect())
}

/// The leaders of each task, lead leaders first, in written order. Callers pass only ids of
/// tasks the principal has already been allowed to see.
pub async fn leaders_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<task_leaders::Model>>> {
    let mut map = crate::db::in_chunks(task_ids, |chunk| {
        task_leaders::Entity::find()
            .filter(task_leaders::Column::TaskId.is_in(chunk))
            .order_by_asc(task_leaders::Column::Position)
            .order_by_asc(task_leaders::Column::Id)
            .all(db)
    })
    .await?
    .into_iter()
    .into_group_map_by(|row| row.task_id);
    for rows in map.values_mut() {
        rows.sort_by_key(|row| (row.role != entity::enums::LeaderRole::Lead, row.position));
    }
    Ok(map)
}

/// The rank of a unit role in listings: lead, responsible, cooperating.
pub fn role_rank(role: UnitRole) -> u8 {
    match role {
        UnitRole::Lead => 0,
        UnitRole::Responsible => 1,
        UnitRole::Cooperating => 2,
    }
}

/// The units of each task, by role and written order. Same precondition as `leaders_of`.
pub async fn units_of(
    db: &impl ConnectionTrait,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<task_units::Model>>> {
    let mut map = crate::db::in_chunks(task_ids, |chunk| {
        task_units::Entity::find()
            .filter(task_units::Column::TaskId.is_in(chunk))
            .order_by_asc(task_units::Column::Position)
            .order_by_asc(task_units::Column::Id)
            .all(db)
    })
    .await?
    .into_iter()
    .into_group_map_by(|row| row.task_id);
    for rows in map.values_mut() {
        rows.sort_by_key(|row| (role_rank(row.role), row.position));
    }
    Ok(map)
}

/// For each unit, the tasks `actor` may see in which the unit holds a role, with the role.
pub async fn visible_of_units(
    actor: &Principal,
    db: &impl ConnectionTrait,
    unit_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<(UnitRole, tasks::Model)>>> {
    let links = task_units::Entity::find()
        .filter(task_units::Column::UnitId.is_in(unit_ids.iter().copied()))
        .filter(task_units::Column::TaskId.in_subquery(visible_ids(actor)))
        .all(db)
        .await?;
    let task_ids: Vec<i64> = links.iter().map(|link| link.task_id).collect();
    let tasks = visible_by_ids(actor, db, &task_ids).await?;
    let mut map: HashMap<i64, Vec<(UnitRole, tasks::Model)>> = HashMap::new();
    for link in links {
        if let Some(task) = tasks.get(&link.task_id) {
            map.entry(link.unit_id)
                .or_default()
                .push((link.role, task.clone()));
        }
    }
    for rows in map.values_mut() {
        rows.sort_by_key(|(_, task)| (task.document_id, task.sort_order, task.id));
    }
    Ok(map)
}

/// For each leader, the tasks `actor` may see that name the leader in person or by post.
pub async fn visible_of_leaders(
    actor: &Principal,
    db: &impl ConnectionTrait,
    leader_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<tasks::Model>>> {
    let leaders = crate::leaders::service::by_ids(db, leader_ids).await?;
    let post_holders: HashMap<String, Vec<i64>> =
        leaders.values().fold(HashMap::new(), |mut map, leader| {
            if let (Some(post), true) = (&leader.post, leader.is_active) {
                map.entry(post.clone()).or_default().push(leader.id);
            }
            map
        });
    let links = task_leaders::Entity::find()
        .filter(
            Condition::any()
                .add(task_leaders::Column::LeaderId.is_in(leader_ids.iter().copied()))
                .add(task_leaders::Column::Post.is_in(post_holders.keys().cloned())),
        )
        .filter(task_leaders::Column::TaskId.in_subquery(visible_ids(actor)))
        .all(db)
        .await?;
    let task_ids: Vec<i64> = links.iter().map(|link| link.task_id).collect();
    let tasks = visible_by_ids(actor, db, &task_ids).await?;
    let mut map: HashMap<i64, Vec<tasks::Model>> = HashMap::new();
    for link in links {
        let Some(task) = tasks.get(&link.task_id) else {
            continue;
        };
        let mut owners: Vec<i64> = link.leader_id.into_iter().collect();
        if let Some(post) = &link.post {
            owners.extend(post_holders.get(post).into_iter().flatten());
        }
        for owner in owners {
            let list = map.entry(owner).or_default();
            if !list.iter().any(|t| t.id == task.id) {
                list.push(task.clone());
            }
        }
    }
    for rows in map.values_mut() {
        rows.sort_by_key(|task| (task.document_id, task.sort_order, task.id));
    }
    Ok(map)
}

/// For each document, the tasks `actor` may see, in written order.
pub async fn visible_of_documents(
    actor: &Principal,
    db: &impl ConnectionTrait,
    document_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<tasks::Model>>> {
    Ok(tasks::Entity::find()
        .filter(access::visible(actor))
        .filter(tasks::Column::DocumentId.is_in(document_ids.iter().copied()))
        .order_by_asc(tasks::Column::SortOrder)
        .order_by_asc(tasks::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|task| task.document_id))
}

/// `SELECT id FROM tasks WHERE <visible to actor>`, for use inside other queries: whatever
/// hangs off a task is readable only through a task the principal may see.
pub fn visible_ids(actor: &Principal) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(tasks::Column::Id)
        .from(tasks::Entity)
        .cond_where(access::visible(actor))
        .to_owned()
}
