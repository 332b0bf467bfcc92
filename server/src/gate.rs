//! Pages need a signed-in user; everything else protects itself (server functions authorize
//! every call, static files are public).

use app::api::server::user_for_headers;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

fn is_public(path: &str) -> bool {
    path == "/login"
        || path.starts_with("/api/")
        || path.starts_with("/pkg/")
        // Static assets from public/ (favicon, images) have a file extension; pages do not.
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

pub async fn require_sign_in(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let signed_in = matches!(user_for_headers(&state, request.headers(), chrono::Utc::now()).await, Ok(Some(_)));
    if signed_in {
        next.run(request).await
    } else {
        Redirect::to("/login").into_response()
    }
}
