//! Attachments (附件) of progress reports: files stored on disk under `DATA_DIR`, their metadata
//! (name, type, size, SHA-256) in the `attachments` table.
//!
//! - The bytes on disk are `crate::storage`'s.
//! - `policy`: which files are accepted (size limit, types checked by name and by content).
//! - `service`: who may upload and read; linking uploads to the version they are submitted with.
//! - `schema`: `uploadAttachment` and the `Attachment` type; `download`: the HTTP route.
//!
//! Rules: an upload belongs to its uploader until it is submitted with a report version; then it
//! is readable by whoever may read that report, and never changes again.

pub mod download;
pub mod loaders;
pub mod policy;
pub mod schema;
pub mod service;
