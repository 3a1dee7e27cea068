//! Who may upload and read attachments, and how uploads join the version they are submitted with.
//!
//! - Uploading: a unit assigned to the task (in any role: cooperating units contribute material
//!   too) or a bureau user, for a task they can see.
//! - Reading: until submitted, only the uploader; after, whoever may read the report.
//! - Submitting: `submitReport` names the uploads; each must be the submitter's own, for this
//!   task, and not yet submitted. They are then fixed to that version for good.

use std::collections::HashMap;
use std::io::Read;

use chrono::{DateTime, Datelike, Utc};
use entity::attachments;
use itertools::Itertools;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};

use crate::attachments::policy;
use crate::audit::service::Private;
use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::obligations::assigned_unit;
use crate::storage::Storage;
use crate::tasks::query as tasks;

/// Stores an uploaded file for a task. The bytes go to disk first; if the database then refuses
/// the row, the file is removed again.
pub async fn upload(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    storage: &Storage,
    task_id: i64,
    file_name: &str,
    content: impl Read + Send + 'static,
) -> AppResult<attachments::Model> {
    let user_id = actor
        .user_id
        .ok_or_else(|| AppError::forbidden("machine accounts do not upload attachments"))?;
    let task = tasks::get(actor, db, task_id).await?;
    // The bureau, or a unit of the task.
    if !actor.is_bureau() {
        assigned_unit(actor, db, &task)
            .await
            .map_err(|err| match err {
                AppError::Forbidden(_) if actor.unit_id().is_none() => AppError::forbidden(
                    "attachments are uploaded by the task's units and the bureau",
                ),
                other => other,
            })?;
    }
    let file_name = policy::clean_name(file_name)?;
    // What the uploader already has waiting to be submitted: bounded in files and in bytes.
    let pending: Vec<i64> = attachments::Entity::find()
        .select_only()
        .column(attachments::Column::SizeBytes)
        .filter(attachments::Column::UploadedBy.eq(user_id))
        .filter(attachments::Column::VersionId.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let quota = storage.quota;
    if pending.len() as u64 >= quota.files {
        return Err(AppError::bad_field(
            "file",
            format!(
                "you have {} uploads not yet submitted, the most one may keep; submit or \
                 discard some first",
                pending.len()
            ),
        ));
    }
    let pending_bytes: u64 = pending.iter().map(|size| size.unsigned_abs()).sum();
    let owned = storage.clone();
    let stored = tokio::task::spawn_blocking(move || owned.put(content, now.year()))
        .await
        .map_err(|err| AppError::Internal(err.into()))??;
    if pending_bytes + stored.size > quota.bytes {
        storage.remove(&stored.key);
        return Err(AppError::bad_field(
            "file",
            format!(
                "your uploads not yet submitted would take more than {:.1} MiB; submit or \
                 discard some first",
                quota.bytes as f64 / (1024.0 * 1024.0)
            ),
        ));
    }
    let content_type = match policy::content_type(&file_name, &stored.head) {
        Ok(content_type) => content_type,
        Err(err) => {
            storage.remove(&stored.key);
            return Err(err);
        }
    };
    let row = attachments::ActiveModel {
        task_id: Set(task.id),
        file_name: Set(file_name),
        content_type: Set(content_type.to_owned()),
        size_bytes: Set(i64::try_from(stored.size).unwrap_or(i64::MAX)),
        sha256: Set(stored.sha256.clone()),
        storage_key: Set(stored.key.clone()),
        uploaded_by: Set(Some(user_id)),
        created_at: Set(now),
        ..Default::default()
    };
    let result = insert(actor, db, now, row).await;
    if result.is_err() {
        storage.remove(&stored.key);
    }
    result
}

/// Stores an upload's row with its audit row, in one transaction.
async fn insert(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    row: attachments::ActiveModel,
) -> AppResult<attachments::Model> {
    let txn = db.begin().await?;
    let row = row.insert(&txn).await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            Private::AttachmentUpload,
            EntityType::Attachment,
            Some(row.id),
            &row,
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Discards an upload that was not submitted (its uploader only): the row goes in a transaction
/// with its audit row, then the file. A submitted attachment is part of the record and stays.
pub async fn discard(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    storage: &Storage,
    id: i64,
) -> AppResult<()> {
    let txn = db.begin().await?;
    let row = get(actor, &txn, id).await?;
    if row.version_id.is_some() {
        return Err(AppError::conflict(
            "a submitted attachment is part of the report and is kept",
        ));
    }
    if row.uploaded_by != actor.user_id {
        return Err(AppError::not_found("attachment"));
    }
    attachments::Entity::delete_by_id(id)
        .filter(attachments::Column::VersionId.is_null())
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        now,
        Change::diff(
            Private::AttachmentDiscard,
            EntityType::Attachment,
            Some(id),
            &row,
            &(),
        ),
    )
    .await?;
    txn.commit().await?;
    // After the commit: were the commit to fail, the row would still point at its file.
    storage.remove(&row.storage_key);
    Ok(())
}

/// How long an upload may wait for its submission before the deadline job removes it.
pub const ABANDONED_AFTER_DAYS: i64 = 30;

/// How long a stored file may go without a row before it counts as orphaned: far longer than
/// the moment between an upload's rename and its row's insert.
const ORPHANED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes stored files that no attachment row names (a crash between an upload's rename and
/// its row, or a row removed while its file could not be): run by the deadline job. Returns how
/// many it removed.
pub async fn remove_orphans(db: &impl ConnectionTrait, storage: &Storage) -> AppResult<u32> {
    let owned = storage.clone();
    let keys = tokio::task::spawn_blocking(move || {
        owned.keys_older_than(std::time::SystemTime::now() - ORPHANED_AFTER)
    })
    .await
    .map_err(|err| AppError::Internal(err.into()))?
    .map_err(|err| AppError::Internal(err.into()))?;
    let mut removed = 0;
    for chunk in keys.chunks(500) {
        let known: std::collections::HashSet<String> = attachments::Entity::find()
            .select_only()
            .column(attachments::Column::StorageKey)
            .filter(attachments::Column::StorageKey.is_in(chunk.to_vec()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for key in chunk.iter().filter(|key| !known.contains(*key)) {
            storage.remove(key);
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes the uploads nobody submitted within `ABANDONED_AFTER_DAYS` (a report started on a
/// phone and never finished), rows first in one transaction with their audit rows, then files.
/// Returns how many went. Submitted attachments are never touched.
pub async fn purge_abandoned(
    db: &(impl ConnectionTrait + TransactionTrait),
    storage: &Storage,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    let cutoff = now - chrono::TimeDelta::days(ABANDONED_AFTER_DAYS);
    let txn = db.begin().await?;
    let stale = attachments::Entity::find()
        .filter(attachments::Column::VersionId.is_null())
        .filter(attachments::Column::CreatedAt.lt(cutoff))
        .all(&txn)
        .await?;
    let mut removed = Vec::new();
    for row in stale {
        // Conditional on still being unsubmitted: a submission racing the purge keeps its file.
        let deleted = attachments::Entity::delete_many()
            .filter(attachments::Column::Id.eq(row.id))
            .filter(attachments::Column::VersionId.is_null())
            .exec(&txn)
            .await?;
        if deleted.rows_affected == 1 {
            audit::record(
                &txn,
                &Principal::system(),
                now,
                Change::diff(
                    Private::AttachmentPurge,
                    EntityType::Attachment,
                    Some(row.id),
                    &row,
                    &(),
                ),
            )
            .await?;
            removed.push(row.storage_key);
        }
    }
    txn.commit().await?;
    for key in &removed {
        storage.remove(key);
    }
    Ok(u32::try_from(removed.len()).unwrap_or(u32::MAX))
}

/// Fixes the given uploads of `uploader` to a submitted version. Call it in the submission's
/// transaction.
pub async fn attach_to_version(
    uploader: Option<i64>,
    db: &impl ConnectionTrait,
    ids: &[i64],
    task_id: i64,
    report_id: i64,
    version_id: i64,
) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut unique = ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    // Conditional on everything that makes an upload attachable, so that two submissions
    // naming the same upload cannot both take it.
    let updated = attachments::Entity::update_many()
        .col_expr(attachments::Column::ReportId, Expr::value(report_id))
        .col_expr(attachments::Column::VersionId, Expr::value(version_id))
        .filter(attachments::Column::Id.is_in(unique.clone()))
        .filter(attachments::Column::TaskId.eq(task_id))
        .filter(attachments::Column::UploadedBy.eq(uploader))
        .filter(attachments::Column::VersionId.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != unique.len() as u64 {
        return Err(AppError::bad_field(
            "attachmentIds",
            "each attachment must be your own upload for this task, not yet submitted",
        ));
    }
    Ok(())
}

/// An attachment `actor` may read, or NOT_FOUND.
pub async fn get(
    actor: &Principal,
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<attachments::Model> {
    let row = attachments::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("attachment"))?;
    let readable = match row.report_id {
        Some(report_id) => crate::reports::service::get(actor, db, report_id)
            .await
            .is_ok(),
        None => actor.user_id.is_some() && row.uploaded_by == actor.user_id,
    };
    if readable {
        Ok(row)
    } else {
        Err(AppError::not_found("attachment"))
    }
}

/// The attachments among `ids` that `actor` may read, for `nodes`: those of reports it may
/// read, and its own uploads not yet submitted (as `get`).
pub async fn readable_by_ids(
    actor: &Principal,
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> AppResult<HashMap<i64, attachments::Model>> {
    let mut readable = sea_orm::Condition::any().add(
        attachments::Column::ReportId.in_subquery(crate::reports::service::readable_ids(actor)),
    );
    if let Some(user_id) = actor.user_id {
        readable = readable.add(
            sea_orm::Condition::all()
                .add(attachments::Column::ReportId.is_null())
                .add(attachments::Column::UploadedBy.eq(user_id)),
        );
    }
    Ok(attachments::Entity::find()
        .filter(attachments::Column::Id.is_in(ids.iter().copied()))
        .filter(readable)
        .all(db)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect())
}

/// The uploads `user_id` made for each task and has not submitted yet, oldest first.
pub async fn pending_of_tasks(
    db: &impl ConnectionTrait,
    user_id: Option<i64>,
    task_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<attachments::Model>>> {
    let Some(user_id) = user_id else {
        return Ok(HashMap::new());
    };
    Ok(attachments::Entity::find()
        .filter(attachments::Column::TaskId.is_in(task_ids.to_vec()))
        .filter(attachments::Column::UploadedBy.eq(user_id))
        .filter(attachments::Column::VersionId.is_null())
        .order_by_asc(attachments::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .into_group_map_by(|row| row.task_id))
}

/// The attachments of each version, oldest first. The versions have passed the access check.
pub async fn of_versions(
    db: &impl ConnectionTrait,
    version_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<attachments::Model>>> {
    Ok(attachments::Entity::find()
        .filter(attachments::Column::VersionId.is_in(version_ids.to_vec()))
        .order_by_asc(attachments::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row| Some((row.version_id?, row)))
        .into_group_map())
}
