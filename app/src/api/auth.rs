use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{CurrentUser, SetupStep};


/// Signs in and sets the HttpOnly session cookie. Throttled per account and per client address
/// (failed attempts only); a throttled attempt answers 429 with `Retry-After` and hashes nothing.
#[server(prefix = "/api", endpoint = "login", input = Json)]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    use crate::api::server::{client_address, set_session_cookie, state, too_many_requests};
    use crate::store::users;

    let state = state()?;
    let now = chrono::Utc::now();
    let address = client_address().await;
    let throttle = &state.auth.throttle;
    throttle.begin(&email, &address, now).map_err(too_many_requests)?;
    let user = match users::authenticate(&state.db, &email, &password).await {
        Ok(user) => {
            throttle.succeeded(&email, &address);
            user
        }
        // No password worker came free: not a failed guess.
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            throttle.withdraw(&email, &address);
            return Err(too_many_requests(retry_after_secs));
        }
        Err(error) => return Err(error),
    };
    let token = users::create_session(&state.db, user.id, now).await?;
    set_session_cookie(&state, &token, users::SESSION_DAYS * 86_400)?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::server::{request_token, set_session_cookie, state};

    let state = state()?;
    if let Some(token) = request_token().await? {
        crate::store::users::end_session(&state.db, &token).await?;
    }
    set_session_cookie(&state, "", 0)
}

/// Ends every session of the caller, on every device, this one included.
#[server(prefix = "/api", endpoint = "logout_everywhere", input = Json)]
pub async fn logout_everywhere() -> Result<(), AppError> {
    use crate::api::server::{caller, set_session_cookie};

    let (state, user) = caller().await?;
    crate::store::users::end_all_sessions(&state.db, user.id).await?;
    set_session_cookie(&state, "", 0)
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "me", input = Json)]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::api::server::{current_user, state};
    current_user(&state()?).await
}

/// Where a fresh installation stands: first admin, organisation setup, or done.
#[server(prefix = "/api", endpoint = "setup_step", input = Json)]
pub async fn current_setup_step() -> Result<SetupStep, AppError> {
    let state = crate::api::server::state()?;
    crate::store::organisation::setup_step(&state.db).await
}

/// Creates the first administrator of a fresh installation, then signs them in.
#[server(prefix = "/api", endpoint = "create_first_admin", input = Json)]
pub async fn create_first_admin(name: String, email: String, password: String) -> Result<CurrentUser, AppError> {
    let state = crate::api::server::state()?;
    crate::store::users::create_first_admin(&state.db, &name, &email, &password, chrono::Utc::now()).await?;
    login(email, password).await
}

