//! Attachments: files on tickets and messages, stored by content under
//! `<dir>/<first two hex digits>/<sha256>` (the same bytes twice are stored once), with a row in
//! `blobs` per stored file and one in `attachments` per file a person attached.
//!
//! Who sees what: staff see every attachment of a ticket they see. Customers see, on the
//! tickets they follow, the files sent with replies and the files customers attached to the
//! ticket themselves; a note's files, and files staff put on the ticket but have not sent with
//! a reply, stay internal (answered 404, like a missing one).
//!
//! Files and rows agree because every change of a stored file happens inside the write
//! transaction (one writer at a time): an upload moves its staged file into place before its
//! blob row commits, and the removal of the last reference deletes the file before its commit.

use std::collections::HashMap;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::lookup::{accessible, may_see};
use super::timeline::add_timeline;
use super::{code, dialect, Conn, Db};
use crate::domain::access;
use crate::domain::files::{self, is_thumbnailable, FILES_PER_MESSAGE_MAX, FILES_PER_UPLOAD_MAX, SNIFF_BYTES, THUMBNAIL_SIZE};
use crate::error::AppError;
use crate::model::{Attachment, CurrentUser, MessageKind, Role, TimelineKind, UserRef};

/// Where attachments are stored and how large one file may be.
#[derive(Clone, Debug)]
pub struct Files {
    dir: PathBuf,
    max_file_bytes: u64,
}

impl Files {
    pub fn new(dir: impl Into<PathBuf>, max_file_bytes: u64) -> Files {
        Files { dir: dir.into(), max_file_bytes }
    }

    /// `attachments/` in the database's folder (`data/attachments/` by default).
    pub fn beside_database(database_url: &str, max_file_bytes: u64) -> Files {
        Files::new(dialect::database_folder(database_url).join("attachments"), max_file_bytes)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn max_file_bytes(&self) -> u64 {
        self.max_file_bytes
    }

    fn blob_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    fn thumbnail_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("thumbnails").join(&sha256[..2]).join(format!("{sha256}.png"))
    }

    /// Starts receiving one file: its bytes go to a temporary file while they are counted,
    /// hashed and sniffed.
    pub async fn stage(&self, file_name: &str) -> Result<Staging, AppError> {
        let folder = self.dir.join("incoming");
        tokio::fs::create_dir_all(&folder).await.map_err(io_error)?;
        let path = TempPath(folder.join(format!("{}.part", hex::encode(rand::random::<[u8; 16]>()))));
        let file = tokio::fs::File::create(&path.0).await.map_err(io_error)?;
        Ok(Staging {
            file_name: files::sanitize_file_name(file_name),
            max_bytes: self.max_file_bytes,
            file,
            path,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            utf8: Utf8Check::default(),
        })
    }

    /// Stages a file already in memory (demo data, tests).
    pub async fn stage_bytes(&self, file_name: &str, bytes: &[u8]) -> Result<StagedFile, AppError> {
        let mut staging = self.stage(file_name).await?;
        staging.push(bytes).await?;
        staging.finish().await
    }
}

fn io_error(error: std::io::Error) -> AppError {
    AppError::Internal(format!("Attachment storage: {error}"))
}

/// A temporary file, removed when dropped unless it was moved into place.
#[derive(Debug)]
struct TempPath(PathBuf);

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether a stream of bytes is UTF-8, checked chunk by chunk (a character may span two chunks).
#[derive(Debug, Default)]
struct Utf8Check {
    invalid: bool,
    carry: Vec<u8>,
}

impl Utf8Check {
    fn push(&mut self, chunk: &[u8]) {
        if self.invalid {
            return;
        }
        let joined;
        let bytes = if self.carry.is_empty() {
            chunk
        } else {
            joined = [std::mem::take(&mut self.carry).as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => {}
            Err(error) if error.error_len().is_none() => self.carry = bytes[error.valid_up_to()..].to_vec(),
            Err(_) => self.invalid = true,
        }
    }

    fn is_utf8(&self) -> bool {
        !self.invalid && self.carry.is_empty()
    }
}

/// One file being received.
#[derive(Debug)]
pub struct Staging {
    file_name: String,
    max_bytes: u64,
    file: tokio::fs::File,
    path: TempPath,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    utf8: Utf8Check,
}

impl Staging {
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The next bytes; refused (with a message naming the limit) once the file is too large.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.size += chunk.len() as u64;
        if self.size > self.max_bytes {
            return Err(files::too_large(&self.file_name, self.max_bytes));
        }
        if self.head.len() < SNIFF_BYTES {
            let room = SNIFF_BYTES - self.head.len();
            self.head.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        self.hasher.update(chunk);
        self.utf8.push(chunk);
        self.file.write_all(chunk).await.map_err(io_error)
    }

    pub async fn finish(mut self) -> Result<StagedFile, AppError> {
        self.file.flush().await.map_err(io_error)?;
        self.file.sync_all().await.map_err(io_error)?;
        Ok(StagedFile {
            content_type: sniff(&self.head, self.utf8.is_utf8()),
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            file_name: self.file_name,
            path: self.path,
        })
    }
}

/// A received file, ready to be attached.
#[derive(Debug)]
pub struct StagedFile {
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub content_type: String,
    path: TempPath,
}

/// The content type of a file from its first bytes: a known binary signature, else text (plain
/// or markup) when the whole file is UTF-8, else opaque bytes.
pub fn sniff(head: &[u8], is_utf8: bool) -> String {
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_string();
    }
    if is_utf8 {
        files::text_content_type(&String::from_utf8_lossy(head)).to_string()
    } else {
        "application/octet-stream".to_string()
    }
}

/// The SQL condition (on `attachments a` joined with the uploader `u`) that limits a customer
/// to what they may see; nothing for staff.
fn visible_to(user: &CurrentUser) -> String {
    if user.role.is_internal() {
        return String::new();
    }
    format!(
        " AND ((a.message_id IS NULL AND u.role = {customer})
               OR EXISTS (SELECT 1 FROM messages m WHERE m.id = a.message_id AND m.kind = {reply} AND m.deleted_at IS NULL))",
        customer = code(Role::Customer.as_str()),
        reply = code(MessageKind::Reply.as_str()),
    )
}

const SELECT: &str = "SELECT a.id, a.ticket_id, a.file_name, a.blob_sha256, b.content_type, b.size, a.uploaded_by, u.name AS uploader_name,
        a.created_at, a.message_id
   FROM attachments a JOIN blobs b ON b.sha256 = a.blob_sha256 LEFT JOIN users u ON u.id = a.uploaded_by
  WHERE a.deleted_at IS NULL";

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    ticket_id: i64,
    file_name: String,
    blob_sha256: String,
    content_type: String,
    size: i64,
    uploaded_by: Option<i64>,
    uploader_name: Option<String>,
    created_at: DateTime<Utc>,
    message_id: Option<i64>,
}

impl Row {
    fn into_attachment(self, viewer: &CurrentUser) -> Attachment {
        Attachment {
            has_thumbnail: is_thumbnailable(&self.content_type),
            can_delete: access::can_delete_attachment(viewer, self.uploaded_by),
            uploaded_by: self.uploaded_by.zip(self.uploader_name).map(|(id, name)| UserRef { id, name }),
            id: self.id,
            file_name: self.file_name,
            content_type: self.content_type,
            size: self.size,
            created_at: self.created_at,
            message_id: self.message_id,
        }
    }
}

async fn rows_of_ticket(conn: &mut Conn, user: &CurrentUser, ticket_id: i64) -> Result<Vec<Row>, AppError> {
    Ok(sqlx::query_as(&format!("{SELECT} AND a.ticket_id = ? {} ORDER BY a.created_at, a.id", visible_to(user)))
        .bind(ticket_id)
        .fetch_all(conn)
        .await?)
}

/// The files sent with the ticket's messages that this user may see, by message.
pub(crate) async fn by_message(conn: &mut Conn, user: &CurrentUser, ticket_id: i64) -> Result<HashMap<i64, Vec<Attachment>>, AppError> {
    let mut found: HashMap<i64, Vec<Attachment>> = HashMap::new();
    for row in rows_of_ticket(conn, user, ticket_id).await? {
        if let Some(message_id) = row.message_id {
            found.entry(message_id).or_default().push(row.into_attachment(user));
        }
    }
    Ok(found)
}

/// The attachment, if this user may see it; otherwise "does not exist".
async fn visible_row(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<Row, AppError> {
    let row: Option<Row> = sqlx::query_as(&format!("{SELECT} AND a.id = ? {}", visible_to(user))).bind(id).fetch_optional(&mut *conn).await?;
    match row {
        Some(row) if may_see(conn, user.id, row.ticket_id).await? => Ok(row),
        _ => Err(access::missing("Attachment", id)),
    }
}

/// Whether this user may attach files to the ticket (asked before any file is received).
pub async fn may_upload(db: &Db, user: &CurrentUser, reference: &str) -> Result<(), AppError> {
    let mut conn = db.read.acquire().await?;
    accessible(&mut conn, user, reference, user.role.is_internal()).await.map(|_| ())
}

/// Attaches the received files to the ticket (staff on tickets they may work, customers on
/// tickets they see in the portal), storing each distinct content once.
pub async fn upload(db: &Db, files: &Files, user: &CurrentUser, reference: &str, staged: Vec<StagedFile>, now: DateTime<Utc>) -> Result<Vec<Attachment>, AppError> {
    if staged.is_empty() {
        return Err(AppError::Invalid("Choose at least one file to upload.".into()));
    }
    if staged.len() > FILES_PER_UPLOAD_MAX {
        return Err(AppError::Invalid(format!("Upload at most {FILES_PER_UPLOAD_MAX} files at once.")));
    }
    let mut tx = db.begin_write().await?;
    let ticket = accessible(&mut tx, user, reference, user.role.is_internal()).await?;
    let mut ids = Vec::new();
    for file in &staged {
        let added = sqlx::query("INSERT INTO blobs (sha256, size, content_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING")
            .bind(&file.sha256)
            .bind(file.size as i64)
            .bind(&file.content_type)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let target = files.blob_path(&file.sha256);
        if added == 1 || !tokio::fs::try_exists(&target).await.map_err(io_error)? {
            put_in_place(&file.path.0, &target).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO attachments (ticket_id, file_name, blob_sha256, uploaded_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(ticket.id)
        .bind(&file.file_name)
        .bind(&file.sha256)
        .bind(user.id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        ids.push(id);
    }
    let names = staged.iter().map(|f| f.file_name.as_str()).collect::<Vec<_>>().join(", ");
    add_timeline(&mut tx, ticket.id, TimelineKind::Edited, Some(user.id), now, &format!("Attached {names}")).await?;
    let attached = rows_of_ticket(&mut tx, user, ticket.id).await?.into_iter().filter(|row| ids.contains(&row.id)).map(|row| row.into_attachment(user)).collect();
    tx.commit().await?;
    Ok(attached)
}

/// Moves a finished temporary file to `target` (a rename within the storage folder: atomic, so
/// a reader never sees half a file).
async fn put_in_place(temp: &Path, target: &Path) -> Result<(), AppError> {
    if let Some(folder) = target.parent() {
        tokio::fs::create_dir_all(folder).await.map_err(io_error)?;
    }
    tokio::fs::rename(temp, target).await.map_err(io_error)
}

/// The ticket's attachments this user may see, oldest first (with the message each was sent
/// with, for the conversation to show them there).
pub async fn for_ticket(db: &Db, user: &CurrentUser, reference: &str) -> Result<Vec<Attachment>, AppError> {
    let mut conn = db.read.acquire().await?;
    let ticket = accessible(&mut conn, user, reference, false).await?;
    Ok(rows_of_ticket(&mut conn, user, ticket.id).await?.into_iter().map(|row| row.into_attachment(user)).collect())
}

/// A file to send: its name, sniffed type and bytes.
#[derive(Debug)]
pub struct Download {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The attachment's bytes, for a user who may see it.
pub async fn download(db: &Db, files: &Files, user: &CurrentUser, id: i64) -> Result<Download, AppError> {
    let row = {
        let mut conn = db.read.acquire().await?;
        visible_row(&mut conn, user, id).await?
    };
    let bytes = tokio::fs::read(files.blob_path(&row.blob_sha256)).await.map_err(io_error)?;
    Ok(Download { file_name: row.file_name, content_type: row.content_type, bytes })
}

/// A PNG of at most 240 × 240 pixels of an image attachment, made once and kept beside it.
pub async fn thumbnail(db: &Db, files: &Files, user: &CurrentUser, id: i64) -> Result<Vec<u8>, AppError> {
    let row = {
        let mut conn = db.read.acquire().await?;
        visible_row(&mut conn, user, id).await?
    };
    if !is_thumbnailable(&row.content_type) {
        return Err(AppError::NotFound(format!("Attachment {id} is not an image with a thumbnail.")));
    }
    let cached = files.thumbnail_path(&row.blob_sha256);
    if let Ok(bytes) = tokio::fs::read(&cached).await {
        return Ok(bytes);
    }
    let original = tokio::fs::read(files.blob_path(&row.blob_sha256)).await.map_err(io_error)?;
    let content_type = row.content_type.clone();
    let png = tokio::task::spawn_blocking(move || make_thumbnail(&original, &content_type))
        .await
        .map_err(|e| AppError::Internal(format!("Thumbnail: {e}")))??;
    // Another request may write the same thumbnail at the same time: each writes its own
    // temporary file and the rename keeps one whole file.
    let mut staging = files.stage("thumbnail.png").await?;
    staging.file.write_all(&png).await.map_err(io_error)?;
    staging.file.flush().await.map_err(io_error)?;
    put_in_place(&staging.path.0, &cached).await?;
    Ok(png)
}

/// Decodes the image (within limits that refuse decompression bombs) and scales it down.
pub fn make_thumbnail(bytes: &[u8], content_type: &str) -> Result<Vec<u8>, AppError> {
    use image::ImageFormat;
    let format = match content_type {
        "image/png" => ImageFormat::Png,
        "image/jpeg" => ImageFormat::Jpeg,
        "image/webp" => ImageFormat::WebP,
        "image/gif" => ImageFormat::Gif,
        _ => return Err(AppError::Invalid("This file is not an image.".into())),
    };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| AppError::Invalid(format!("The image cannot be read: {e}")))?;
    let small = image::DynamicImage::ImageRgba8(image.thumbnail(THUMBNAIL_SIZE, THUMBNAIL_SIZE).to_rgba8());
    let mut png = Cursor::new(Vec::new());
    small.write_to(&mut png, ImageFormat::Png).map_err(|e| AppError::Internal(format!("Thumbnail: {e}")))?;
    Ok(png.into_inner())
}

/// Removes an attachment (its uploader, or an admin or lead); the stored file goes with the
/// last attachment that uses it.
pub async fn delete(db: &Db, files: &Files, user: &CurrentUser, id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let row = visible_row(&mut tx, user, id).await?;
    if !access::can_delete_attachment(user, row.uploaded_by) {
        return Err(AppError::Forbidden("Only the person who attached a file, a lead or an admin can remove it.".into()));
    }
    sqlx::query("UPDATE attachments SET deleted_at = ? WHERE id = ?").bind(now).bind(id).execute(&mut *tx).await?;
    add_timeline(&mut tx, row.ticket_id, TimelineKind::Edited, Some(user.id), now, &format!("Removed attachment {}", row.file_name)).await?;
    let still_used: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM attachments WHERE blob_sha256 = ? AND deleted_at IS NULL)")
        .bind(&row.blob_sha256)
        .fetch_one(&mut *tx)
        .await?;
    if !still_used {
        sqlx::query("DELETE FROM blobs WHERE sha256 = ?").bind(&row.blob_sha256).execute(&mut *tx).await?;
        for path in [files.blob_path(&row.blob_sha256), files.thumbnail_path(&row.blob_sha256)] {
            match tokio::fs::remove_file(&path).await {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(io_error(error)),
                _ => {}
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Sends attachments with a message (for the conversation code, inside its transaction): each
/// must be on this ticket, not yet on a message, uploaded by `user`, and not removed.
pub async fn attach_to_message(conn: &mut Conn, user: &CurrentUser, ticket_id: i64, message_id: i64, attachment_ids: &[i64]) -> Result<(), AppError> {
    if attachment_ids.len() > FILES_PER_MESSAGE_MAX {
        return Err(AppError::Invalid(format!("A message carries at most {FILES_PER_MESSAGE_MAX} files.")));
    }
    for id in attachment_ids {
        let attached = sqlx::query(
            "UPDATE attachments SET message_id = ?
              WHERE id = ? AND ticket_id = ? AND message_id IS NULL AND uploaded_by = ? AND deleted_at IS NULL",
        )
        .bind(message_id)
        .bind(id)
        .bind(ticket_id)
        .bind(user.id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if attached != 1 {
            return Err(AppError::Invalid(format!("File {id} cannot be sent with this message: attach it to this ticket first.")));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "attachments_tests.rs"]
mod tests;
