//! The import use cases: preview (stores nothing) and commit (one transaction, audited).
//! Bureau only.

use chrono::{DateTime, Utc};
use entity::enums::DocumentKind;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait,
};

use crate::audit::service::{self as audit, Change};
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::events::EntityType;
use crate::events::EventKind;
use crate::import::commit::{self, CommitOutcome, Overrides};
use crate::import::parse::{self, Notice, ParsedDocument};
use crate::import::preview::{self, Preview};
use crate::import::resolve::Registry;

/// What is imported: the notice, and the input field it came from (`text` or `file`), which
/// a refusal names.
pub struct Source {
    pub notice: Notice,
    pub field: &'static str,
}

impl Source {
    /// Pasted text.
    pub fn text(text: &str) -> AppResult<Self> {
        if text.len() > parse::MAX_TEXT_BYTES {
            return Err(AppError::bad_field(
                "text",
                parse::ParseError::TooLarge(text.len()).to_string(),
            ));
        }
        if parse::looks_binary(text) {
            return Err(AppError::bad_field(
                "text",
                parse::ParseError::NotText.to_string(),
            ));
        }
        Ok(Self {
            notice: Notice::from_text(text),
            field: "text",
        })
    }

    /// An uploaded file, by its name's extension.
    pub fn file(name: &str, bytes: &[u8]) -> AppResult<Self> {
        Ok(Self {
            notice: crate::import::extract::notice_of(name, bytes)?,
            field: "file",
        })
    }

    fn parse(&self) -> AppResult<ParsedDocument> {
        parse::parse_notice(&self.notice)
            .map_err(|err| AppError::bad_field(self.field, err.to_string()))
    }
}

/// Parses and resolves a notice against the registry, storing nothing.
pub async fn preview(
    actor: &Principal,
    db: &impl ConnectionTrait,
    source: &Source,
    kind: Option<DocumentKind>,
) -> AppResult<Preview> {
    actor.require_bureau()?;
    let parsed = source.parse()?;
    let registry = Registry::load(db).await?;
    let mut preview = preview::build(parsed, &registry);
    if let Some(kind) = kind {
        preview.document.kind = kind;
    }
    // What the commit would refuse, the preview says: no year to file it under, a number
    // already stored.
    if preview.document.year.is_none() {
        preview.warnings.insert(
            0,
            parse::Warning {
                line: 1,
                message: "no issue date or year found: give `year` when committing".to_owned(),
            },
        );
    }
    if let Some(number) = &preview.document.doc_number {
        let stored = entity::documents::Entity::find()
            .filter(entity::documents::Column::DocNumber.eq(number.as_str()))
            .count(db)
            .await?;
        if stored > 0 {
            preview.warnings.insert(
                0,
                parse::Warning {
                    line: 1,
                    message: format!(
                        "a document numbered {number} is stored already: commit with replace \
                         to update it in place (its tasks' reports are kept); without it the \
                         commit is refused"
                    ),
                },
            );
        }
    }
    Ok(preview)
}

/// Stores a notice with the clerk's overrides, in one transaction with its audit row.
/// Returns the outcome and the preview it stored (with its warnings).
pub async fn commit(
    actor: &Principal,
    db: &(impl ConnectionTrait + TransactionTrait),
    now: DateTime<Utc>,
    source: &Source,
    overrides: &Overrides,
    replace: bool,
) -> AppResult<(CommitOutcome, Preview)> {
    actor.require_bureau()?;
    let parsed = source.parse()?;
    // The original kept with the document: the notice's lines (a table row a line).
    let text = source.notice.lines().join("\n");
    let txn = db.begin().await?;
    // The registry is read inside the transaction, so what is resolved is what is stored.
    let registry = Registry::load(&txn).await?;
    let preview = preview::build(parsed, &registry);
    let import = commit::Import {
        preview: preview.clone(),
        text: &text,
        overrides,
        replace,
    };
    let outcome = commit::store(actor, &txn, now, &registry, import).await?;
    crate::handover::receipts::sync_document(&txn, now, outcome.document.id).await?;
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
