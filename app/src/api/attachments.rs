//! Attachments: listing and removing. Uploads and downloads are plain HTTP routes of the server
//! (`/attachments/upload?ticket=…`, `/attachments/{id}`), since files are not JSON.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::Attachment;

/// The ticket's files the caller may see (customers: not those of internal notes).
#[server(prefix = "/api", endpoint = "ticket_attachments", input = Json)]
pub async fn ticket_attachments(reference: String) -> Result<Vec<Attachment>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::attachments::for_ticket(&state.db, &user, &reference).await
}

/// Removes an attachment (its uploader, a lead or an admin); the file goes with its last use.
#[server(prefix = "/api", endpoint = "delete_attachment", input = Json)]
pub async fn delete_attachment(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::attachments::delete(&state.db, &state.files, &user, id, chrono::Utc::now()).await
}
