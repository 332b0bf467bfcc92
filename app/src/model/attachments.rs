//! Files attached to tickets and messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserRef;

/// One attached file as its viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    /// Sniffed from the bytes on upload.
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    /// The message it was sent with; `None` while it is on the ticket only.
    pub message_id: Option<i64>,
    /// Served at `/attachments/{id}/thumbnail`.
    pub has_thumbnail: bool,
    pub can_delete: bool,
}

impl Attachment {
    pub fn download_url(&self) -> String {
        format!("/attachments/{}", self.id)
    }

    pub fn thumbnail_url(&self) -> String {
        format!("/attachments/{}/thumbnail", self.id)
    }

    /// "12 KB", "3.4 MB".
    pub fn size_label(&self) -> String {
        let size = self.size as f64;
        if size < 1024.0 {
            format!("{} B", self.size)
        } else if size < 1024.0 * 1024.0 {
            format!("{:.0} KB", size / 1024.0)
        } else {
            format!("{:.1} MB", size / (1024.0 * 1024.0))
        }
    }
}
