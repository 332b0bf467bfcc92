use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::CurrentUser;

/// Signs in and sets the HttpOnly session cookie.
#[server(prefix = "/api", endpoint = "login", input = Json)]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    use crate::api::server::{set_session_cookie, state};
    use crate::store::users;

    let state = state()?;
    let user = users::authenticate(&state.db, &email, &password).await?;
    let token = users::create_session(&state.db, user.id, chrono::Utc::now()).await?;
    set_session_cookie(&token, users::SESSION_DAYS * 86_400)?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::server::{request_token, set_session_cookie, state};

    let state = state()?;
    if let Some(token) = request_token().await? {
        crate::store::users::end_session(&state.db, &token).await?;
    }
    set_session_cookie("", 0)
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "me", input = Json)]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::api::server::{current_user, state};
    current_user(&state()?).await
}

/// Whether this installation still needs its first administrator (no demo data, no users).
#[server(prefix = "/api", endpoint = "needs_setup", input = Json)]
pub async fn needs_setup() -> Result<bool, AppError> {
    let state = crate::api::server::state()?;
    Ok(crate::store::users::user_count(&state.db).await? == 0)
}

/// Creates the first administrator of a fresh installation, then signs them in.
#[server(prefix = "/api", endpoint = "create_first_admin", input = Json)]
pub async fn create_first_admin(name: String, email: String, password: String) -> Result<CurrentUser, AppError> {
    let state = crate::api::server::state()?;
    crate::store::users::create_first_admin(&state.db, &name, &email, &password, chrono::Utc::now()).await?;
    login(email, password).await
}
