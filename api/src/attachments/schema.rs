//! GraphQL face of attachments: `uploadAttachment` (a GraphQL multipart request) and the
//! `Attachment` type. The bytes are downloaded over plain HTTP at `downloadPath`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::attachments;

use crate::graphql::context::{ContextExt, take_upload};
use crate::graphql::relay::{self, Kind, expect_id};

/// A file uploaded for a task, submitted with a report version or waiting to be.
#[derive(SimpleObject, Debug, Clone)]
pub struct Attachment {
    pub id: ID,
    /// The name as uploaded, without its path.
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content, for checking a download.
    pub sha256: String,
    pub created_at: DateTime<Utc>,
    /// Whether it has been submitted with a report version (and can no longer change).
    pub submitted: bool,
    /// `GET` this path on the API server with the same `Authorization` header to download.
    pub download_path: String,
}

impl From<attachments::Model> for Attachment {
    fn from(a: attachments::Model) -> Self {
        let id = relay::global_id(Kind::Attachment, a.id);
        Self {
            download_path: format!("/attachments/{}", id.as_str()),
            id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            created_at: a.created_at,
            submitted: a.version_id.is_some(),
        }
    }
}

#[derive(InputObject)]
pub struct UploadAttachmentInput {
    pub task_id: ID,
    /// The file (GraphQL multipart request). Accepted: PDF, OFD, Word, Excel, PowerPoint, WPS,
    /// images (PNG, JPEG), ZIP and plain text, up to `MAX_ATTACHMENT_BYTES`.
    pub file: Upload,
}

#[derive(SimpleObject)]
pub struct UploadAttachmentPayload {
    pub attachment: Attachment,
}

#[derive(InputObject)]
pub struct DiscardAttachmentInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct DiscardAttachmentPayload {
    pub discarded_attachment_id: ID,
}

#[derive(Default)]
pub struct AttachmentMutation;

#[Object]
impl AttachmentMutation {
    /// Uploads a file for a task (the task's units and the bureau). Name the returned id in
    /// `submitReport(attachmentIds:)` to submit it with a report.
    async fn upload_attachment(
        &self,
        ctx: &Context<'_>,
        input: UploadAttachmentInput,
    ) -> Result<UploadAttachmentPayload> {
        let actor = ctx.actor()?;
        let task_id = expect_id("taskId", &input.task_id, Kind::Task)?;
        let value = take_upload(ctx, "file", &input.file)?;
        let name = value.filename.clone();
        let attachment = crate::attachments::service::upload(
            actor,
            ctx.db(),
            ctx.now(),
            &ctx.app().storage,
            task_id,
            &name,
            value.into_read(),
        )
        .await?;
        Ok(UploadAttachmentPayload {
            attachment: attachment.into(),
        })
    }

    /// Discards one of your uploads that was not submitted; submitted ones are kept for good.
    async fn discard_attachment(
        &self,
        ctx: &Context<'_>,
        input: DiscardAttachmentInput,
    ) -> Result<DiscardAttachmentPayload> {
        let id = expect_id("id", &input.id, Kind::Attachment)?;
        crate::attachments::service::discard(
            ctx.actor()?,
            ctx.db(),
            ctx.now(),
            &ctx.app().storage,
            id,
        )
        .await?;
        Ok(DiscardAttachmentPayload {
            discarded_attachment_id: input.id,
        })
    }
}
