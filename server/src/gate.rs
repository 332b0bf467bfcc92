//! Pages need a signed-in user; everything else protects itself (server functions authorize
//! every call, static files are public).

use app::api::server::session_token;
use app::state::AppState;
use app::store::users;
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
    let signed_in = match session_token(request.headers()) {
        Some(token) => matches!(users::user_for_session(&state.db, &token, chrono::Utc::now()).await, Ok(Some(_))),
        None => false,
    };
    if signed_in {
        next.run(request).await
    } else {
        Redirect::to("/login").into_response()
    }
}
