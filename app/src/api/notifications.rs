//! In-app notifications.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::Notification;

/// The caller's latest notifications and their unread count.
#[server(prefix = "/api", endpoint = "notifications", input = Json)]
pub async fn load_notifications() -> Result<(Vec<Notification>, i64), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::notifications::list(&state.db, &user).await
}

#[server(prefix = "/api", endpoint = "mark_notifications_read", input = Json)]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::notifications::mark_all_read(&state.db, &user, chrono::Utc::now()).await
}
