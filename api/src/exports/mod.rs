//! Exports: `GET /exports/{name}.{xlsx|csv}` with the same bearer token and the same row rules
//! as GraphQL, for the tables the bureau hands on (a leader asks for the spreadsheet):
//!
//! | name          | what                                                         | parameters |
//! |---------------|--------------------------------------------------------------|------------|
//! | `tasks`       | the task ledger in the official list's layout (one document's, or all in view) | `documentId` |
//! | `obligations` | the obligations in view, with their states                   | `documentId`, `periodId`, `unitId` |
//! | `figures`     | figures by group, as `figuresBy`                             | `groupBy` (required: unit, leader, document, category, period), `documentId`, `unitId`, `leaderId`, `periodId`, `basis` (current, original) |
//! | `ranking`     | the ranking, as `ranking`, with its formula and weights     | `documentId`, `dueFrom`, `dueTo` |
//! | `notice.docx` | a notice (通报) as a Word document in the usual layout | `id` (required) |
//!
//! Ids are the API's global IDs. Rows are read a slice at a time and written in constant memory
//! (`table`); `.xlsx` has its header row frozen and column widths set, `.csv` is UTF-8 with a
//! byte-order mark. Errors are the API's JSON errors with their HTTP status.
//!
//! - `table`: the writers; `sheets`: ranking, figures and obligations rows; `ledger`: the
//!   task ledger.

pub mod ledger;
pub mod sheets;
pub mod table;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use tokio_util::io::ReaderStream;

use crate::auth::scopes::ApiScope;
use crate::auth::{Principal, SignedIn};
use crate::error::{AppError, AppResult};
use crate::graphql::relay::{Kind, expect_optional_id};
use crate::obligations::ObligationFilter;
use crate::state::AppData;
use crate::stats::groups::Grouping;
use crate::stats::ranking::RankingScope;
use crate::stats::service::DueDateBasis;
use table::FileFormat;

/// The query string of every export; each takes the parameters its table needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Params {
    document_id: Option<String>,
    unit_id: Option<String>,
    leader_id: Option<String>,
    period_id: Option<String>,
    group_by: Option<String>,
    basis: Option<String>,
    due_from: Option<NaiveDate>,
    due_to: Option<NaiveDate>,
    /// A notice, for `notice.docx`.
    id: Option<String>,
}

impl Params {
    fn id(field: &str, value: Option<&String>, kind: Kind) -> AppResult<Option<i64>> {
        let id = value.map(|v| async_graphql::ID(v.clone()));
        expect_optional_id(field, id.as_ref(), kind)
    }

    fn filter(&self) -> AppResult<ObligationFilter> {
        Ok(ObligationFilter {
            document_id: Self::id("documentId", self.document_id.as_ref(), Kind::Document)?,
            unit_id: Self::id("unitId", self.unit_id.as_ref(), Kind::Unit)?,
            leader_id: Self::id("leaderId", self.leader_id.as_ref(), Kind::Leader)?,
            period_id: Self::id("periodId", self.period_id.as_ref(), Kind::Period)?,
            states: Vec::new(),
            supervised_by: None,
        })
    }

    fn grouping(&self) -> AppResult<Grouping> {
        match self
            .group_by
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("unit") => Ok(Grouping::Unit),
            Some("leader") => Ok(Grouping::Leader),
            Some("document") => Ok(Grouping::Document),
            Some("category") => Ok(Grouping::Category),
            Some("period") => Ok(Grouping::Period),
            _ => Err(AppError::bad_field(
                "groupBy",
                "one of unit, leader, document, category, period",
            )),
        }
    }

    fn basis(&self) -> AppResult<DueDateBasis> {
        match self
            .basis
            .as_deref()
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            None | Some("current") => Ok(DueDateBasis::Current),
            Some("original") => Ok(DueDateBasis::Original),
            Some(_) => Err(AppError::bad_field("basis", "current or original")),
        }
    }
}

/// `GET /exports/{file}`.
pub async fn download(
    State(app): State<Arc<AppData>>,
    SignedIn(actor): SignedIn,
    Path(file): Path<String>,
    params: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let result = match params {
        Ok(Query(params)) => export(&app, &actor, &file, params).await,
        Err(rejection) => Err(AppError::bad_field("query", rejection.body_text())),
    };
    result.unwrap_or_else(crate::error::http_response)
}

async fn export(
    app: &AppData,
    actor: &Principal,
    file: &str,
    params: Params,
) -> AppResult<Response> {
    if file == "notice.docx" {
        actor.require_scope(ApiScope::ReportsRead)?;
        return notice_document(app, actor, &params).await;
    }
    let (name, format) = FileFormat::of(file).ok_or_else(|| {
        AppError::not_found("export (tasks, obligations, figures or ranking; .xlsx or .csv)")
    })?;
    // An API key's scopes, as for the GraphQL fields the same rows come from.
    actor.require_scope(if name == "tasks" {
        ApiScope::TasksRead
    } else {
        ApiScope::ReportsRead
    })?;
    let db = &app.db;
    let now = app.clock.now();
    let dir = app.storage.temporary_dir();
    let written = match name {
        "tasks" => {
            let document_id =
                Params::id("documentId", params.document_id.as_ref(), Kind::Document)?;
            table::write(&dir, format, ledger::table(), |sink| {
                ledger::rows(actor, db, now, app.warnings, document_id, sink)
            })
            .await?
        }
        "obligations" => {
            let filter = params.filter()?;
            table::write(&dir, format, sheets::obligations_table(), |sink| {
                sheets::obligations(actor, db, now, filter, sink)
            })
            .await?
        }
        "figures" => {
            let grouping = params.grouping()?;
            let (filter, basis) = (params.filter()?, params.basis()?);
            table::write(&dir, format, sheets::figures_table(grouping), |sink| {
                sheets::figures(actor, db, now, filter, basis, app.warnings, grouping, sink)
            })
            .await?
        }
        "ranking" => {
            let scope = RankingScope {
                document_id: Params::id("documentId", params.document_id.as_ref(), Kind::Document)?,
                due_from: params.due_from,
                due_to: params.due_to,
            };
            table::write(&dir, format, sheets::ranking_table(), |sink| {
                sheets::ranking(actor, db, now, scope, sink)
            })
            .await?
        }
        _ => {
            return Err(AppError::not_found(
                "export (tasks, obligations, figures or ranking; .xlsx or .csv)",
            ));
        }
    };
    let length = written
        .metadata()
        .map_err(|e| AppError::Internal(e.into()))?
        .len();
    let day = crate::deadline::today_in_china(now);
    let stream = ReaderStream::new(tokio::fs::File::from_std(written));
    download_response(
        Body::from_stream(stream),
        format.content_type(),
        &format!("{name}-{day}.{}", format.extension()),
        Some(length),
    )
}

/// A download: its type, an attachment's name (ASCII, made here), never cached or sniffed.
fn download_response(
    body: Body,
    content_type: &'static str,
    file_name: &str,
    length: Option<u64>,
) -> AppResult<Response> {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(length) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// `notice.docx?id=`: a notice the caller may read (drafts: the bureau), as a Word document.
async fn notice_document(app: &AppData, actor: &Principal, params: &Params) -> AppResult<Response> {
    let id = Params::id("id", params.id.as_ref(), Kind::Notice)?
        .ok_or_else(|| AppError::bad_field("id", "required"))?;
    let notice = crate::notices::service::readable_by_ids(actor, &app.db, &[id])
        .await?
        .remove(&id)
        .ok_or_else(|| AppError::not_found("notice"))?;
    let bytes = crate::notices::document::write(&notice)?;
    download_response(
        Body::from(bytes),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("notice-{id}.docx"),
        None,
    )
}
