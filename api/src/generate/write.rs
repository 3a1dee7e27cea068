//! Writing the planned registry, documents and tasks: each plan becomes its entity's model, with
//! the id the plan gave it, and goes through `bulk` a table at a time, parents before children
//! (units, leaders, supervised units; documents, categories, periods; tasks, their leaders and
//! units). Texts are made here from each row's seed, so the plans stay small.

use chrono::{DateTime, Datelike, Utc};
use entity::enums::{LeaderRole, TaskStatus, UnitRole};
use entity::{
    categories, documents, leader_units, leaders, reporting_periods, task_leaders, task_units,
    tasks, units,
};
use rand::SeedableRng;
use rand::rngs::StdRng;
use sea_orm::{DatabaseConnection, DbErr};

use super::Ids;
use super::bulk::{Bulk, Written};
use super::documents::DocPlan;
use super::names::{CITIES, post_as_written};
use super::registry::Registry;
use super::tasks::{LeaderRef, TaskPlan, is_local};
use super::text::{TOPICS, task_text};

/// Mixed into a task's seed for its text.
const TEXT_STREAM: u64 = 0x5445_5854;

/// Units, leaders and the units each leader supervises.
pub async fn registry(
    db: &DatabaseConnection,
    registry: &Registry,
    ids: &mut Ids,
    at: DateTime<Utc>,
) -> Result<Vec<Written>, DbErr> {
    let mut bulk = Bulk::<units::ActiveModel>::begin(db, "units").await?;
    for (i, unit) in registry.units.iter().enumerate() {
        bulk.push(units::Model {
            id: unit.id,
            name: unit.name.clone(),
            kind: unit.kind,
            parent_id: unit.parent,
            merged_into_id: None,
            is_active: true,
            sort_order: i as i32 + 1,
            signoff_required: false,
            created_at: at,
            updated_at: at,
        })
        .await?;
    }
    let mut written = vec![bulk.finish().await?];
    let mut bulk = Bulk::<leaders::ActiveModel>::begin(db, "leaders").await?;
    for (i, leader) in registry.leaders.iter().enumerate() {
        bulk.push(leaders::Model {
            id: leader.id,
            name: leader.name.clone(),
            post: Some(leader.post.clone()),
            is_active: true,
            sort_order: i as i32 + 1,
            created_at: at,
            updated_at: at,
        })
        .await?;
    }
    written.push(bulk.finish().await?);
    let mut bulk = Bulk::<leader_units::ActiveModel>::begin(db, "leader_units").await?;
    for &(leader_id, unit_id) in &registry.leader_units {
        bulk.push(leader_units::Model {
            id: ids.next(Ids::LEADER_UNITS),
            leader_id,
            unit_id,
        })
        .await?;
    }
    written.push(bulk.finish().await?);
    Ok(written)
}

/// Documents, their categories and their reporting periods.
pub async fn documents(
    db: &DatabaseConnection,
    docs: &[DocPlan],
    created_by: i64,
) -> Result<Vec<Written>, DbErr> {
    let mut bulk = Bulk::<documents::ActiveModel>::begin(db, "documents").await?;
    for doc in docs {
        let original = format!(
            "{}\n{}\n\n{}\n\n{}",
            doc.number,
            doc.title,
            doc.schedule.as_written.as_deref().unwrap_or_default(),
            doc.issuer
        );
        bulk.push(documents::Model {
            id: doc.id,
            doc_number: Some(doc.number.clone()),
            title: doc.title.clone(),
            issuer: Some(doc.issuer.clone()),
            issued_on: Some(doc.issued_on),
            year: doc.issued_on.year(),
            kind: doc.kind,
            schedule: Some(doc.schedule.to_json()),
            obligation_rule: doc.rule,
            declared_total: Some(doc.tasks.len() as i32),
            receipt_working_days: 2,
            handback_working_days: 5,
            // The generated year's history has no ladder: the first deadline-job run would
            // otherwise take a step for every late report of the province.
            urge_after_days: None,
            notice_after_days: None,
            interview_after_days: None,
            satisfaction_target: 100,
            contribution_lead_days: 5,
            reviewing_office_id: None,
            contacts: None,
            original_text: Some(original),
            created_by: Some(created_by),
            created_at: doc.created_at,
            updated_at: doc.created_at,
        })
        .await?;
    }
    let mut written = vec![bulk.finish().await?];
    let mut bulk = Bulk::<categories::ActiveModel>::begin(db, "categories").await?;
    for doc in docs {
        // Parents come first in each document's list.
        for category in &doc.categories {
            bulk.push(categories::Model {
                id: category.id,
                document_id: doc.id,
                parent_id: category.parent,
                ordinal: category.ordinal.clone(),
                title: category.title.clone(),
                position: category.position,
                path: category.path.clone(),
                declared_count: Some(category.declared_count),
                created_at: doc.created_at,
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);
    let mut bulk = Bulk::<reporting_periods::ActiveModel>::begin(db, "reporting_periods").await?;
    for doc in docs {
        for period in &doc.periods {
            bulk.push(reporting_periods::Model {
                id: period.id,
                document_id: doc.id,
                label: period.label.clone(),
                starts_on: period.starts_on,
                due_on: period.due_on,
                original_due_on: period.due_on,
                position: period.position,
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);
    Ok(written)
}

/// The stored task of a plan, with its text (empty where only its status is derived).
pub fn task_model(task: &TaskPlan, doc: &DocPlan, text: String) -> tasks::Model {
    tasks::Model {
        id: task.id,
        document_id: doc.id,
        category_id: task.category_id,
        parent_task_id: None,
        seq: task.seq.clone(),
        sort_order: task.sort_order,
        text,
        deadline: task.deadline,
        deadline_as_written: task.deadline_as_written.clone(),
        status: task.status,
        percent: task.percent,
        // A bureau decision is an edit: it moved the version on.
        version: if task.closed.is_some() { 2 } else { 1 },
        external_id: None,
        completed_at: task.closed.map(|(_, at)| at),
        deleted_at: None,
        created_at: task.created_at,
        updated_at: task.updated_at,
    }
}

/// Tasks, then their leaders, then their units.
pub async fn tasks(
    db: &DatabaseConnection,
    registry: &Registry,
    docs: &[DocPlan],
    tasks: &[TaskPlan],
    ids: &mut Ids,
) -> Result<Vec<Written>, DbErr> {
    let mut bulk = Bulk::<tasks::ActiveModel>::begin(db, "tasks").await?;
    for task in tasks {
        let doc = &docs[task.doc];
        let mut rng = StdRng::seed_from_u64(task.seed ^ TEXT_STREAM);
        let text = task_text(
            &mut rng,
            &TOPICS[task.topic],
            CITIES[doc.city].name,
            doc.issued_on.year(),
        );
        debug_assert!(task.status != TaskStatus::Completed || task.closed.is_some());
        bulk.push(task_model(task, doc, text)).await?;
    }
    let mut written = vec![bulk.finish().await?];
    let mut bulk = Bulk::<task_leaders::ActiveModel>::begin(db, "task_leaders").await?;
    for task in tasks {
        let (mut lead, mut responsible) = (0, 0);
        for reference in &task.leaders {
            let role = match reference {
                LeaderRef::Person(_, role)
                | LeaderRef::Post(_, role)
                | LeaderRef::Collective(_, role) => *role,
            };
            let position = match role {
                LeaderRole::Lead => &mut lead,
                LeaderRole::Responsible => &mut responsible,
            };
            *position += 1;
            let (leader_id, post, collective, written_as) = match *reference {
                LeaderRef::Person(l, _) => {
                    let leader = &registry.leaders[l];
                    (Some(leader.id), None, None, leader.name.clone())
                }
                LeaderRef::Post(l, _) => {
                    let leader = &registry.leaders[l];
                    let words = post_as_written(leader.post_index).to_owned();
                    (None, Some(leader.post.clone()), None, words)
                }
                LeaderRef::Collective(word, _) => {
                    (None, None, Some(word.to_owned()), word.to_owned())
                }
            };
            bulk.push(task_leaders::Model {
                id: ids.next(Ids::TASK_LEADERS),
                task_id: task.id,
                leader_id,
                post,
                collective,
                name_as_written: written_as,
                role,
                position: *position,
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);
    let first_unit_id = registry.units.first().map_or(0, |u| u.id);
    let mut bulk = Bulk::<task_units::ActiveModel>::begin(db, "task_units").await?;
    for task in tasks {
        let mut positions = [0; 3];
        for &(unit_id, role) in &task.units {
            let slot = match role {
                UnitRole::Lead => 0,
                UnitRole::Responsible => 1,
                UnitRole::Cooperating => 2,
            };
            positions[slot] += 1;
            let unit = &registry.units[(unit_id - first_unit_id) as usize];
            bulk.push(task_units::Model {
                id: ids.next(Ids::TASK_UNITS),
                task_id: task.id,
                unit_id,
                role,
                position: positions[slot],
                name_as_written: unit.short.clone(),
                is_local: is_local(unit.kind, role),
            })
            .await?;
        }
    }
    written.push(bulk.finish().await?);
    Ok(written)
}
