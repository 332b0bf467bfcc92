//! Attachments over plain HTTP (files do not fit server functions' JSON):
//! - `POST /attachments/upload?ticket=HD-1042`, a `multipart/form-data` body with one or more
//!   files: answers the new attachments as JSON; a file over the size limit answers 413;
//! - `GET /attachments/{id}`: the file, always as a download (`Content-Disposition:
//!   attachment`), never as a page or script (`served_content_type`);
//! - `GET /attachments/{id}/thumbnail`: a small PNG of an image, shown inline.
//!
//! The session decides who the caller is, like everywhere; what they may not see is 404.

use app::api::server::user_for_headers;
use app::domain::files::{content_disposition, served_content_type, FILES_PER_UPLOAD_MAX};
use app::error::AppError;
use app::model::CurrentUser;
use app::state::AppState;
use app::store::attachments;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

/// Room for the multipart framing around the files.
const FRAMING_BYTES: usize = 64 * 1024;

/// The attachment routes; the upload's body may hold [`FILES_PER_UPLOAD_MAX`] files at the limit.
pub fn routes(state: &AppState) -> Router<AppState> {
    let upload_limit = (state.files.max_file_bytes() as usize).saturating_mul(FILES_PER_UPLOAD_MAX).saturating_add(FRAMING_BYTES);
    Router::new()
        .route(crate::security::UPLOAD_PATH, post(upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/attachments/{id}", get(download))
        .route("/attachments/{id}/thumbnail", get(thumbnail))
}

/// An error answer: the status the error names (or the one given) with its JSON body.
fn refusal(status: StatusCode, error: AppError) -> Response {
    (status, Json(error)).into_response()
}

fn failure(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(%error, "attachment request failed");
        return refusal(status, AppError::Internal("Internal error; it has been logged.".into()));
    }
    refusal(status, error)
}

async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<CurrentUser, Response> {
    match user_for_headers(state, headers, chrono::Utc::now()).await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(failure(AppError::Unauthorized)),
        Err(error) => Err(failure(error)),
    }
}

/// The signed-in caller and the attachment id in the path, or the refusal to send.
async fn caller_and_attachment(state: &AppState, headers: &HeaderMap, id: &str) -> Result<(CurrentUser, i64), Response> {
    let user = signed_in(state, headers).await?;
    let id = id.parse().map_err(|_| failure(app::domain::access::missing("Attachment", app::domain::validate::quoted(id))))?;
    Ok((user, id))
}

#[derive(Deserialize)]
struct UploadTarget {
    ticket: String,
}

fn body_error(error: MultipartError, max_file_bytes: u64) -> Response {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        let message = format!("The upload is too large: at most {FILES_PER_UPLOAD_MAX} files of {} MB each.", max_file_bytes / (1024 * 1024));
        return refusal(StatusCode::PAYLOAD_TOO_LARGE, AppError::Invalid(message));
    }
    refusal(StatusCode::BAD_REQUEST, AppError::Invalid(format!("The upload could not be read: {}", error.body_text())))
}

async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    target: Result<Query<UploadTarget>, axum::extract::rejection::QueryRejection>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let user = match signed_in(&state, &headers).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let Ok(Query(UploadTarget { ticket })) = target else {
        return failure(AppError::Invalid("Name the ticket: /attachments/upload?ticket=HD-1042.".into()));
    };
    let Ok(mut multipart) = multipart else {
        return failure(AppError::Invalid("Send the files as multipart/form-data.".into()));
    };
    // Nothing is received for a ticket the caller may not attach files to.
    if let Err(error) = attachments::may_upload(&state.db, &user, &ticket).await {
        return failure(error);
    }
    let max = state.files.max_file_bytes();
    let mut staged = Vec::new();
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return body_error(error, max),
        };
        // Form fields other than files are ignored.
        let Some(name) = field.file_name().map(str::to_string) else { continue };
        if staged.len() == FILES_PER_UPLOAD_MAX {
            return failure(AppError::Invalid(format!("Upload at most {FILES_PER_UPLOAD_MAX} files at once.")));
        }
        let mut staging = match state.files.stage(&name).await {
            Ok(staging) => staging,
            Err(error) => return failure(error),
        };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => match staging.push(&chunk).await {
                    Ok(()) => {}
                    // The one refusal of `push`: the file is over the limit.
                    Err(too_large @ AppError::Invalid(_)) => return refusal(StatusCode::PAYLOAD_TOO_LARGE, too_large),
                    Err(error) => return failure(error),
                },
                Ok(None) => break,
                Err(error) => return body_error(error, max),
            }
        }
        match staging.finish().await {
            Ok(file) => staged.push(file),
            Err(error) => return failure(error),
        }
    }
    match attachments::upload(&state.db, &state.files, &user, &ticket, staged, chrono::Utc::now()).await {
        Ok(attached) => Json(attached).into_response(),
        Err(error) => failure(error),
    }
}

async fn download(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (user, id) = match caller_and_attachment(&state, &headers, &id).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    match attachments::download(&state.db, &state.files, &user, id).await {
        Ok(file) => (
            [
                (header::CONTENT_TYPE, served_content_type(&file.content_type).to_string()),
                (header::CONTENT_DISPOSITION, content_disposition(&file.file_name)),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
                (header::CACHE_CONTROL, "private, no-cache".to_string()),
            ],
            file.bytes,
        )
            .into_response(),
        Err(error) => failure(error),
    }
}

async fn thumbnail(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let (user, id) = match caller_and_attachment(&state, &headers, &id).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    match attachments::thumbnail(&state.db, &state.files, &user, id).await {
        Ok(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CONTENT_DISPOSITION, "inline; filename=\"thumbnail.png\""),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::CACHE_CONTROL, "private, max-age=3600"),
            ],
            png,
        )
            .into_response(),
        Err(error) => failure(error),
    }
}
