//! The import use cases: preview (stores nothing) and commit (one transaction, audited).
//! Bureau only.

use chrono::{DateTime, Utc};
use entity::enums::DocumentKind;
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::import::commit::{self, CommitOutcome, Overrides};
use crate::import::parse::{self, ParsedDocument};
use crate::import::preview::{self, Preview};
use crate::import::resolve::Registry;

fn parse_text(text: &str) -> AppResult<ParsedDocument> {
    parse::parse(text).map_err(|err| AppError::bad_field("text", err.to_string()))
}

/// Parses and resolves a notice against the registry, storing nothing.
pub async fn preview(
    actor: &Principal,
    db: &impl ConnectionTrait,
    text: &str,
    kind: Option<DocumentKind>,
) -> AppResult<Preview> {
    actor.require_bureau()?;
    let parsed = parse_text(text)?;
    let registry = Registry::load(db).await?;
    let mut preview = preview::build(parsed, &registry);
    if let Some(kind) = kind {
        preview.document.kind = kind;
    }
    Ok(preview)
}

/// Stores a notice with the clerk's overrides, in one transaction with its audit row.
/// Returns the outcome and the preview it stored (with its warnings).
pub async fn commit(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    text: &str,
    overrides: &Overrides,
    replace: bool,
) -> AppResult<(CommitOutcome, Preview)> {
    actor.require_bureau()?;
    let parsed = parse_text(text)?;
    let txn = db.begin().await?;
    // The registry is read inside the transaction, so what is resolved is what is stored.
    let registry = Registry::load(&txn).await?;
    let preview = preview::build(parsed, &registry);
    let import = commit::Import {
        preview: preview.clone(),
        text,
        overrides,
        replace,
    };
    let outcome = commit::store(actor, &txn, now, &registry, import).await?;
    if outcome.counts.replaced {
        // The rewritten tasks may owe other reports now (their units changed, or new tasks
        // joined periods already past their due day).
        crate::tasks::progress::refresh_document(&txn, now, outcome.document.id).await?;
    }
    audit::record(
        &txn,
        actor,
        now,
        Change::after(
            EventKind::DocumentImported,
            EntityType::Document,
            Some(outcome.document.id),
            &serde_json::json!({
                "docNumber": outcome.document.doc_number,
                "title": outcome.document.title,
                "counts": outcome.counts,
            }),
        ),
    )
    .await?;
    crate::events::registry(
        &txn,
        now,
        EventKind::DocumentImported,
        (EntityType::Document, outcome.document.id),
        &serde_json::json!({ "counts": outcome.counts, "replaced": replace }),
    )
    .await?;
    txn.commit().await?;
    Ok((outcome, preview))
}
