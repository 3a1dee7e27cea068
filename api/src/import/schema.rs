//! GraphQL face of the importer (bureau only). `previewImport` and `commitImport` are mutations
//! although the preview stores nothing: they take file uploads (GraphQL multipart requests),
//! which clients send as mutations.

use std::collections::HashMap;
use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::NaiveDate;

use crate::documents::schema::{Document, ScheduleInput, ScheduleOutput};
use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::enums::{Comparator, DocumentKind, LeaderRole, UnitKind, UnitRole};
use crate::graphql::relay::{Kind, expect_id, global_id};
use crate::import::commit::{ImportCounts, Overrides, UnitChoice};
use crate::import::extract;
use crate::import::parse::{ParsedCategory, ParsedIndicator, Warning};
use crate::import::preview::{Preview, PreviewLeader, PreviewTask, PreviewUnit};
use crate::import::resolve::{Candidate, Resolution};
use crate::import::service;

/// A warning about the notice, with the line it concerns.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportWarning {
    pub line: i32,
    pub message: String,
}

impl From<Warning> for ImportWarning {
    fn from(w: Warning) -> Self {
        Self {
            line: i32::try_from(w.line).unwrap_or(i32::MAX),
            message: w.message,
        }
    }
}

/// What the notice's header says.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportedDocument {
    pub doc_number: Option<String>,
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub year: Option<i32>,
    pub kind: DocumentKind,
    pub schedule: Option<ScheduleOutput>,
    pub declared_total: Option<i32>,
    pub contacts: Vec<String>,
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportCategory {
    pub path: String,
    pub ordinal: String,
    pub title: String,
    pub declared_count: Option<i32>,
    pub line: i32,
}

impl From<ParsedCategory> for ImportCategory {
    fn from(c: ParsedCategory) -> Self {
        Self {
            path: c.path,
            ordinal: c.ordinal,
            title: c.title,
            declared_count: c.declared_count,
            line: i32::try_from(c.line).unwrap_or(i32::MAX),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportCandidate {
    pub unit_id: ID,
    pub name: String,
    pub distance: i32,
}

impl From<Candidate> for ImportCandidate {
    fn from(c: Candidate) -> Self {
        Self {
            unit_id: global_id(Kind::Unit, c.unit_id),
            name: c.name,
            distance: i32::try_from(c.distance).unwrap_or(i32::MAX),
        }
    }
}

/// A unit named on a role line and what it resolved to.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportUnit {
    /// The registry name (or the proposed name of a new unit).
    pub name: String,
    pub as_written: String,
    pub role: UnitRole,
    pub is_local: bool,
    pub sub_unit: Option<String>,
    pub resolution: Resolution,
    pub unit_id: Option<ID>,
    pub candidates: Vec<ImportCandidate>,
    /// For a collective word: the units it stands for.
    pub group: Vec<ID>,
}

impl From<PreviewUnit> for ImportUnit {
    fn from(u: PreviewUnit) -> Self {
        Self {
            name: u.name,
            as_written: u.as_written,
            role: u.role.into(),
            is_local: u.is_local,
            sub_unit: u.sub_unit,
            resolution: u.resolution,
            unit_id: u.unit_id.map(|id| global_id(Kind::Unit, id)),
            candidates: u.candidates.into_iter().map(Into::into).collect(),
            group: u
                .group
                .into_iter()
                .map(|id| global_id(Kind::Unit, id))
                .collect(),
        }
    }
}

/// A leader named on a role line and what it resolved to.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportLeader {
    pub name: Option<String>,
    pub post: Option<String>,
    pub collective: Option<String>,
    pub as_written: String,
    pub role: LeaderRole,
    pub resolution: Resolution,
    pub leader_id: Option<ID>,
}

impl From<PreviewLeader> for ImportLeader {
    fn from(l: PreviewLeader) -> Self {
        Self {
            name: l.name,
            post: l.post,
            collective: l.collective,
            as_written: l.as_written,
            role: l.role.into(),
            resolution: l.resolution,
            leader_id: l.leader_id.map(|id| global_id(Kind::Leader, id)),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportIndicator {
    pub phrase: String,
    pub value: String,
    pub unit: String,
    pub comparator: Comparator,
}

impl From<ParsedIndicator> for ImportIndicator {
    fn from(i: ParsedIndicator) -> Self {
        Self {
            phrase: i.phrase,
            value: i.value,
            unit: i.unit,
            comparator: i.comparator.into(),
        }
    }
}

#[derive(SimpleObject, Debug, Clone)]
pub struct ImportTask {
    pub seq: String,
    pub parent_seq: Option<String>,
    pub category_path: Option<String>,
    pub text: String,
    pub line: i32,
    pub leaders: Vec<ImportLeader>,
    pub units: Vec<ImportUnit>,
    pub indicators: Vec<ImportIndicator>,
}

impl From<PreviewTask> for ImportTask {
    fn from(t: PreviewTask) -> Self {
        Self {
            seq: t.seq,
            parent_seq: t.parent_seq,
            category_path: t.category_path,
            text: t.text,
            line: i32::try_from(t.line).unwrap_or(i32::MAX),
            leaders: t.leaders.into_iter().map(Into::into).collect(),
            units: t.units.into_iter().map(Into::into).collect(),
            indicators: t.indicators.into_iter().map(Into::into).collect(),
        }
    }
}

/// The whole parse of a notice with each name's resolution; nothing is stored.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportPreview {
    pub document: ImportedDocument,
    pub categories: Vec<ImportCategory>,
    pub tasks: Vec<ImportTask>,
    pub warnings: Vec<ImportWarning>,
}

impl From<Preview> for ImportPreview {
    fn from(p: Preview) -> Self {
        let d = p.document;
        Self {
            document: ImportedDocument {
                doc_number: d.doc_number,
                title: d.title,
                issuer: d.issuer,
                issued_on: d.issued_on,
                year: d.year,
                kind: d.kind.into(),
                schedule: d.schedule.map(Into::into),
                declared_total: d.declared_total,
                contacts: d.contacts,
            },
            categories: p.categories.into_iter().map(Into::into).collect(),
            tasks: p.tasks.into_iter().map(Into::into).collect(),
            warnings: p.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(InputObject, Debug)]
pub struct PreviewImportInput {
    /// The notice's text. Give either `text` or `file`.
    pub text: Option<String>,
    /// A `.txt`, `.md` or `.docx` file (GraphQL multipart request).
    pub file: Option<Upload>,
    /// Overrides the kind inferred from the title.
    pub kind: Option<DocumentKind>,
}

/// The clerk's choice for one unit name of the notice.
#[derive(InputObject, Debug)]
pub struct UnitOverrideInput {
    /// The name as the notice writes it (as in the preview).
    pub as_written: String,
    /// Assign this registry unit.
    pub unit_id: Option<ID>,
    /// Or create a unit with this name...
    pub new_name: Option<String>,
    /// ...and this kind.
    pub new_kind: Option<UnitKind>,
}

#[derive(InputObject, Debug)]
pub struct CommitImportInput {
    pub text: Option<String>,
    pub file: Option<Upload>,
    pub kind: Option<DocumentKind>,
    pub schedule: Option<ScheduleInput>,
    /// When the notice's number is missing or wrong.
    pub doc_number: Option<String>,
    /// When the notice's title is missing or wrong.
    pub title: Option<String>,
    #[graphql(default)]
    pub units: Vec<UnitOverrideInput>,
    /// Update an existing document with the same number in place, keeping its tasks' reports.
    #[graphql(default)]
    pub replace: bool,
}

#[derive(SimpleObject, Debug)]
pub struct ImportCountsOutput {
    pub tasks_created: i32,
    pub tasks_updated: i32,
    pub tasks_removed: i32,
    pub units_created: i32,
    pub leaders_created: i32,
    pub aliases_learned: i32,
    pub replaced: bool,
}

impl From<ImportCounts> for ImportCountsOutput {
    fn from(c: ImportCounts) -> Self {
        let n = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        Self {
            tasks_created: n(c.tasks_created),
            tasks_updated: n(c.tasks_updated),
            tasks_removed: n(c.tasks_removed),
            units_created: n(c.units_created),
            leaders_created: n(c.leaders_created),
            aliases_learned: n(c.aliases_learned),
            replaced: c.replaced,
        }
    }
}

#[derive(SimpleObject, Debug)]
#[graphql(name = "CommitImportPayload")]
pub struct CommitImportPayload {
    pub document: Document,
    pub counts: ImportCountsOutput,
    pub warnings: Vec<ImportWarning>,
}

#[derive(SimpleObject, Debug)]
pub struct PreviewImportPayload {
    pub preview: ImportPreview,
}

/// The text of the input: exactly one of `text` and `file`.
fn input_text(ctx: &Context<'_>, text: Option<String>, file: Option<Upload>) -> AppResult<String> {
    match (text, file) {
        (Some(text), None) => Ok(text),
        (None, Some(upload)) => {
            let value = upload
                .value(ctx)
                .map_err(|_| AppError::bad_field("file", "the upload could not be read"))?;
            let name = value.filename.clone();
            let mut bytes = Vec::new();
            value
                .into_read()
                .take(extract::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|_| AppError::bad_field("file", "the upload could not be read"))?;
            extract::text_of(&name, &bytes)
        }
        _ => Err(AppError::bad_input("give exactly one of `text` and `file`")),
    }
}

#[derive(Default)]
pub struct ImportMutation;

#[Object]
impl ImportMutation {
    /// Parses a notice and resolves its names against the registry, storing nothing.
    async fn preview_import(
        &self,
        ctx: &Context<'_>,
        input: PreviewImportInput,
    ) -> Result<PreviewImportPayload> {
        let actor = ctx.actor()?;
        actor.require_bureau()?;
        let text = input_text(ctx, input.text, input.file)?;
        let preview = service::preview(actor, ctx.db(), &text, input.kind.map(Into::into)).await?;
        Ok(PreviewImportPayload {
            preview: preview.into(),
        })
    }

    /// Stores a notice as a document with its categories, tasks, leaders, units and indicators.
    async fn commit_import(
        &self,
        ctx: &Context<'_>,
        input: CommitImportInput,
    ) -> Result<CommitImportPayload> {
        let actor = ctx.actor()?;
        actor.require_bureau()?;
        let text = input_text(ctx, input.text, input.file)?;
        let mut units = HashMap::new();
        for (i, choice) in input.units.into_iter().enumerate() {
            let field = format!("units[{i}]");
            let decided = match (choice.unit_id, choice.new_name) {
                (Some(id), None) => {
                    UnitChoice::Existing(expect_id(&format!("{field}.unitId"), &id, Kind::Unit)?)
                }
                (None, Some(name)) => UnitChoice::New {
                    name: crate::validation::required_text(
                        &format!("{field}.newName"),
                        &name,
                        crate::validation::NAME_MAX,
                    )?,
                    kind: choice
                        .new_kind
                        .map_or(entity::enums::UnitKind::Other, Into::into),
                },
                _ => {
                    return Err(AppError::bad_field(
                        &field,
                        "give exactly one of unitId and newName",
                    )
                    .into());
                }
            };
            units.insert(choice.as_written, decided);
        }
        let overrides = Overrides {
            doc_number: input.doc_number,
            title: input.title,
            kind: input.kind.map(Into::into),
            schedule: input.schedule.map(Into::into),
            units,
        };
        let (outcome, preview) =
            service::commit(actor, ctx.db(), ctx.now(), &text, &overrides, input.replace).await?;
        Ok(CommitImportPayload {
            document: outcome.document.into(),
            counts: outcome.counts.into(),
            warnings: preview.warnings.into_iter().map(Into::into).collect(),
        })
    }
}
