//! GraphQL face of the importer (bureau only). `previewImport` and `commitImport` are mutations
//! although the preview stores nothing: they take file uploads (GraphQL multipart requests),
//! which clients send as mutations.

use std::collections::HashMap;
use std::io::Read;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};

use crate::documents::schema::{Document, ScheduleInput};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{ContextExt, take_upload};
use crate::graphql::enums::{DocumentKind, UnitKind};
use crate::graphql::relay::{Kind, expect_id};
use crate::import::commit::{Overrides, UnitChoice};
use crate::import::extract;
use crate::import::service;
use crate::import::service::Source;
use crate::import::types::{ImportCountsOutput, ImportPreview, ImportWarning};

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
    /// The deadline of the tasks for which the notice gives none that means a date.
    pub default_deadline: Option<chrono::NaiveDate>,
    /// The document's year, for a notice that states no date or year the parser found.
    pub year: Option<i32>,
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

/// The notice of the input: exactly one of `text` and `file`.
fn input_source(
    ctx: &Context<'_>,
    text: Option<String>,
    file: Option<Upload>,
) -> AppResult<Source> {
    match (text, file) {
        (Some(text), None) => Source::text(&text),
        (None, Some(upload)) => {
            let value = take_upload(ctx, "file", &upload)?;
            let name = value.filename.clone();
            let mut bytes = Vec::new();
            value
                .into_read()
                .take(extract::MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|_| AppError::bad_field("file", "the upload could not be read"))?;
            Source::file(&name, &bytes)
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
        let source = input_source(ctx, input.text, input.file)?;
        let preview =
            service::preview(actor, ctx.db(), &source, input.kind.map(Into::into)).await?;
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
        let source = input_source(ctx, input.text, input.file)?;
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
            default_deadline: input.default_deadline,
            year: input.year,
            units,
        };
        let (outcome, preview) = service::commit(
            actor,
            ctx.db(),
            ctx.now(),
            &source,
            &overrides,
            input.replace,
        )
        .await?;
        Ok(CommitImportPayload {
            document: outcome.document.into(),
            counts: outcome.counts.into(),
            warnings: preview.warnings.into_iter().map(Into::into).collect(),
        })
    }
}
