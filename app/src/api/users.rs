//! Users: the admins' list and form, invitations and their acceptance, and one's own profile.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{CurrentUser, Invitation, Profile, ProfileInput, Role, UserDetail, UserInput, UserSummary};

/// Users whose name or email contains `search`, optionally of one role (admins).
#[server(prefix = "/api", endpoint = "users", input = Json)]
pub async fn list_users(search: String, role: Option<Role>) -> Result<Vec<UserSummary>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::list(&state.db, &user, &search, role).await
}

/// Invites a staff member; the answer carries the secret of the one-time link.
#[server(prefix = "/api", endpoint = "invite_user", input = Json)]
pub async fn invite_user(name: String, email: String, role: Role) -> Result<Invitation, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::invite(&state.db, &user, &name, &email, role, chrono::Utc::now()).await
}

/// A new link for someone who has not accepted their invitation yet.
#[server(prefix = "/api", endpoint = "renew_invitation", input = Json)]
pub async fn renew_invitation(user_id: i64) -> Result<Invitation, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::renew_invitation(&state.db, &user, user_id, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "user_detail", input = Json)]
pub async fn load_user(user_id: i64) -> Result<UserDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::user_detail(&state.db, &user, user_id).await
}

#[server(prefix = "/api", endpoint = "save_user", input = Json)]
pub async fn save_user(user_id: i64, version: i64, input: UserInput) -> Result<UserDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::save_user(&state.db, &user, user_id, version, &input, chrono::Utc::now()).await
}

/// Deactivates a user; the answer lists their open tickets, to be reassigned.
#[server(prefix = "/api", endpoint = "deactivate_user", input = Json)]
pub async fn deactivate_user(user_id: i64, version: i64) -> Result<Vec<String>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    Ok(crate::store::users::deactivate(&state.db, &user, user_id, version, chrono::Utc::now()).await?.open_tickets)
}

#[server(prefix = "/api", endpoint = "reactivate_user", input = Json)]
pub async fn reactivate_user(user_id: i64, version: i64) -> Result<UserDetail, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::reactivate(&state.db, &user, user_id, version, chrono::Utc::now()).await
}

/// Accepts an invitation (no session needed: the token is the proof), then signs the new user
/// in. Throttled like sign-in, per token and per client address.
#[server(prefix = "/api", endpoint = "accept_invitation", input = Json)]
pub async fn accept_invitation(token: String, password: String) -> Result<CurrentUser, AppError> {
    use crate::api::server::{client_address, set_session_cookie, state, too_many_requests};
    use crate::store::users;

    let state = state()?;
    let now = chrono::Utc::now();
    if token.len() > users::TOKEN_MAX {
        return Err(AppError::Invalid("This invitation link is not valid.".into()));
    }
    let address = client_address().await;
    let throttle = &state.auth.throttle;
    throttle.begin(&token, &address, now).map_err(too_many_requests)?;
    let user = match users::accept_invitation(&state.db, &token, &password, now).await {
        Ok(user) => {
            throttle.succeeded(&token, &address);
            user
        }
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            throttle.withdraw(&token, &address);
            return Err(too_many_requests(retry_after_secs));
        }
        Err(error) => return Err(error),
    };
    let session = users::create_session(&state.db, user.id, now).await?;
    set_session_cookie(&state, &session, users::SESSION_DAYS * 86_400)?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "my_profile", input = Json)]
pub async fn my_profile() -> Result<Profile, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::profile(&state.db, &user).await
}

/// Saves one's own name and notification settings.
#[server(prefix = "/api", endpoint = "save_profile", input = Json)]
pub async fn save_profile(version: i64, input: ProfileInput) -> Result<Profile, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::users::update_profile(&state.db, &user, version, &input, chrono::Utc::now()).await
}

/// Changes one's own password; the other sessions end, this one stays. A wrong current password
/// counts as a failed sign-in of the account.
#[server(prefix = "/api", endpoint = "change_password", input = Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::api::server::{caller, client_address, request_token, too_many_requests};
    use crate::store::users;

    let (state, user) = caller().await?;
    let now = chrono::Utc::now();
    let address = client_address().await;
    let throttle = &state.auth.throttle;
    throttle.begin(&user.email, &address, now).map_err(too_many_requests)?;
    let session = request_token().await?;
    match users::change_password(&state.db, &user, &current, &new, session.as_deref(), now).await {
        Ok(()) => {
            throttle.succeeded(&user.email, &address);
            Ok(())
        }
        Err(AppError::Invalid(message)) if message == users::WRONG_CURRENT_PASSWORD => Err(AppError::Invalid(message)),
        Err(error) => {
            throttle.withdraw(&user.email, &address);
            Err(match error {
                AppError::TooManyRequests { retry_after_secs } => too_many_requests(retry_after_secs),
                other => other,
            })
        }
    }
}
