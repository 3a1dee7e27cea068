//! Attachment bytes on disk, under `<DATA_DIR>/attachments/`. A file is streamed into a
//! temporary file under `attachments/tmp/` while its SHA-256 is computed, flushed to disk, and
//! renamed to its storage key (`<year>/<uuid>`): readers never see a partial file, and a
//! failed upload leaves nothing behind. A crash in the middle leaves its temporary file in
//! `tmp/`, which is emptied at start (`sweep_temporary`); a crash between the rename and the
//! row's insert leaves a file no row names, which the deadline job removes (`keys_older_than`
//! and `attachments::service::remove_orphans`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

/// Where attachments live, and how large one may be.
#[derive(Debug, Clone)]
pub struct Storage {
    root: PathBuf,
    pub max_bytes: u64,
    /// What one user may keep uploaded and not yet submitted.
    pub quota: Quota,
}

/// Uploads one user may have waiting to be submitted.
#[derive(Debug, Clone, Copy)]
pub struct Quota {
    pub files: u64,
    pub bytes: u64,
}

/// A file stored under its key.
#[derive(Debug)]
pub struct Stored {
    pub key: String,
    pub size: u64,
    pub sha256: String,
    /// The first bytes, for the type check.
    pub head: Vec<u8>,
}

impl Storage {
    pub fn new(data_dir: &Path, max_bytes: u64) -> Self {
        Self {
            root: data_dir.join("attachments"),
            max_bytes,
            quota: Quota {
                files: 20,
                bytes: 200 * 1024 * 1024,
            },
        }
    }

    /// The same storage with another upload quota.
    pub fn with_quota(self, quota: Quota) -> Self {
        Self { quota, ..self }
    }

    /// The path of a stored key. Keys are generated here (a year and a UUID), never taken from
    /// a client, so they cannot climb out of the root.
    pub fn path_of(&self, key: &str) -> PathBuf {
        self.root.join(key)
    }

    /// Where files are written before they are complete: uploads, and exports before they are
    /// sent. Emptied at start.
    pub fn temporary_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// Removes what interrupted uploads left in the temporary directory. At start, before any
    /// upload runs. Blocking.
    pub fn sweep_temporary(&self) -> std::io::Result<usize> {
        let dir = self.temporary_dir();
        let mut removed = 0;
        match std::fs::read_dir(&dir) {
            Ok(entries) => {
                for entry in entries.flatten() {
                    if std::fs::remove_file(entry.path()).is_ok() {
                        removed += 1;
                    }
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
        Ok(removed)
    }

    /// The keys of the stored files last changed before `cutoff`. Blocking.
    pub fn keys_older_than(&self, cutoff: std::time::SystemTime) -> std::io::Result<Vec<String>> {
        let mut keys = Vec::new();
        let years = match std::fs::read_dir(&self.root) {
            Ok(years) => years,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(keys),
            Err(err) => return Err(err),
        };
        for year in years.flatten() {
            let name = year.file_name().to_string_lossy().into_owned();
            if !name.chars().all(|c| c.is_ascii_digit()) || !year.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(year.path())?.flatten() {
                let old = file
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .is_ok_and(|modified| modified < cutoff);
                if old {
                    keys.push(format!("{name}/{}", file.file_name().to_string_lossy()));
                }
            }
        }
        Ok(keys)
    }

    /// Streams `reader` into storage. Blocking: call it on a blocking thread.
    pub fn put(&self, mut reader: impl Read, year: i32) -> AppResult<Stored> {
        let dir = self.root.join(year.to_string());
        std::fs::create_dir_all(&dir).map_err(internal)?;
        let temporary = self.temporary_dir();
        std::fs::create_dir_all(&temporary).map_err(internal)?;
        let mut temp = tempfile::NamedTempFile::new_in(&temporary).map_err(internal)?;
        let mut hasher = Sha256::new();
        let mut head = Vec::new();
        let mut size: u64 = 0;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = reader
                .read(&mut buffer)
                .map_err(|_| AppError::bad_field("file", "the upload could not be read"))?;
            if read == 0 {
                break;
            }
            size += read as u64;
            if size > self.max_bytes {
                return Err(AppError::bad_field(
                    "file",
                    format!(
                        "the file is larger than the limit of {} bytes ({} MiB)",
                        self.max_bytes,
                        self.max_bytes / (1024 * 1024)
                    ),
                ));
            }
            let chunk = &buffer[..read];
            if head.len() < 4096 {
                head.extend_from_slice(&chunk[..chunk.len().min(4096 - head.len())]);
            }
            hasher.update(chunk);
            temp.write_all(chunk).map_err(internal)?;
        }
        if size == 0 {
            return Err(AppError::bad_field("file", "the file is empty"));
        }
        temp.as_file().sync_all().map_err(internal)?;
        let key = format!("{year}/{}", uuid::Uuid::new_v4());
        temp.persist(self.path_of(&key))
            .map_err(|err| internal(err.error))?;
        Ok(Stored {
            key,
            size,
            sha256: hex::encode(hasher.finalize()),
            head,
        })
    }

    /// Removes a stored file (after the database refused its row). Missing files are fine.
    pub fn remove(&self, key: &str) {
        if let Err(err) = std::fs::remove_file(self.path_of(key))
            && err.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(key, error = %err, "cannot remove an orphaned attachment file");
        }
    }
}

fn internal(err: impl Into<anyhow::Error>) -> AppError {
    AppError::Internal(err.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_hashes_and_refuses_what_is_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path(), 10);
        let stored = storage.put(&b"abc"[..], 2026).unwrap();
        assert_eq!(
            stored.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(std::fs::read(storage.path_of(&stored.key)).unwrap(), b"abc");
        assert!(storage.put(&b"0123456789a"[..], 2026).is_err());
        // Only the one stored file is left: the refused upload's temporary file is gone.
        let files = std::fs::read_dir(dir.path().join("attachments/2026"))
            .unwrap()
            .count();
        assert_eq!(files, 1);
        assert_eq!(
            std::fs::read_dir(dir.path().join("attachments/tmp"))
                .unwrap()
                .count(),
            0
        );
    }

    #[test]
    fn a_crash_leaves_nothing_that_start_and_the_sweep_do_not_find() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(dir.path(), 1 << 20);
        let kept = storage.put(&b"kept"[..], 2026).unwrap();
        // What a crash in the middle of an upload leaves.
        std::fs::write(dir.path().join("attachments/tmp/.tmpXYZ"), b"half").unwrap();
        assert_eq!(storage.sweep_temporary().unwrap(), 1);
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
        assert_eq!(storage.keys_older_than(later).unwrap(), vec![kept.key]);
        let earlier = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        assert!(storage.keys_older_than(earlier).unwrap().is_empty());
    }
}
