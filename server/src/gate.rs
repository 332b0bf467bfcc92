//! Pages need a signed-in user; everything else protects itself (server functions authorize
//! every call, static files are public).

use app::api::server::user_for_headers;
use app::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

fn is_public(path: &str) -> bool {
    path == "/login"
        // Accepting an invitation: the token in the address is the proof, not a session.
        || path.starts_with("/invite/")
        || path.starts_with("/api/")
        // Attachments answer for themselves (401, or 404 for what the caller may not see).
        || path.starts_with("/attachments/")
        || path.starts_with("/pkg/")
        // Static assets from public/ (favicon, images) have a file extension; pages do not.
        || path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// Customers work in the portal: the staff screens send them there, a ticket's staff address
/// to its portal view. `None` for the pages they may open as they are.
fn portal_page(path: &str) -> Option<String> {
    if path.starts_with("/my/") || path == "/my" || path == "/notifications" || path == "/profile" {
        return None;
    }
    // The knowledge base's published articles are for customers too; writing them is not.
    if path == "/kb" || path.strip_prefix("/kb/").is_some_and(|rest| rest != "new" && !rest.contains('/')) {
        return None;
    }
    match path.strip_prefix("/tickets/") {
        Some(reference) if reference != "new" && !reference.is_empty() && !reference.contains('/') => Some(format!("/my/tickets/{reference}")),
        _ => Some("/my/tickets".into()),
    }
}

pub async fn require_sign_in(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if is_public(path) {
        return next.run(request).await;
    }
    match user_for_headers(&state, request.headers(), chrono::Utc::now()).await {
        Ok(Some(user)) if !user.role.is_internal() => match portal_page(path) {
            Some(portal) => Redirect::to(&portal).into_response(),
            None => next.run(request).await,
        },
        Ok(Some(_)) => next.run(request).await,
        _ => Redirect::to("/login").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::portal_page;

    #[test]
    fn customers_are_sent_to_the_portal() {
        assert_eq!(portal_page("/"), Some("/my/tickets".into()));
        assert_eq!(portal_page("/tickets/HD-1042"), Some("/my/tickets/HD-1042".into()));
        assert_eq!(portal_page("/tickets/new"), Some("/my/tickets".into()));
        assert_eq!(portal_page("/teams/1/board"), Some("/my/tickets".into()));
        assert_eq!(portal_page("/admin/routing"), Some("/my/tickets".into()));
        assert_eq!(portal_page("/my/tickets"), None);
        assert_eq!(portal_page("/my/tickets/HD-1042"), None);
        assert_eq!(portal_page("/notifications"), None);
        assert_eq!(portal_page("/profile"), None, "everyone edits their own profile");
        assert_eq!(portal_page("/kb"), None);
        assert_eq!(portal_page("/kb/3"), None);
        assert_eq!(portal_page("/kb/new"), Some("/my/tickets".into()));
        assert_eq!(portal_page("/kb/3/edit"), Some("/my/tickets".into()));
    }
}
