//! Server functions answer every error with 500; give each `AppError` its real status
//! (400 bad input, 401, 403, 404, 409 stale version), including argument errors that happen
//! before a function body runs.

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::http::StatusCode;
use axum::response::Response;

/// Error bodies are small JSON; anything larger is not ours to rewrite.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn server_fn_error_status(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR || !response.headers().contains_key("serverfnerror") {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
