use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::TimeOff;

#[server(prefix = "/api", endpoint = "my_time_off", input = Json)]
pub async fn my_time_off() -> Result<Vec<TimeOff>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::time_off::list(&state.db, &user, user.id, chrono::Utc::now()).await
}

/// Records whole days away, both days included.
#[server(prefix = "/api", endpoint = "add_time_off", input = Json)]
pub async fn add_time_off(first_day: NaiveDate, last_day: NaiveDate) -> Result<TimeOff, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::time_off::add(&state.db, &user, user.id, first_day, last_day, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "remove_time_off", input = Json)]
pub async fn remove_time_off(id: i64) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::time_off::remove(&state.db, &user, id, chrono::Utc::now()).await
}

/// Someone's absences, for the admins' user form.
#[server(prefix = "/api", endpoint = "user_time_off", input = Json)]
pub async fn user_time_off(user_id: i64) -> Result<Vec<TimeOff>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::time_off::list(&state.db, &user, user_id, chrono::Utc::now()).await
}

/// Records whole days away for someone else (admins), both days included.
#[server(prefix = "/api", endpoint = "add_user_time_off", input = Json)]
pub async fn add_user_time_off(user_id: i64, first_day: NaiveDate, last_day: NaiveDate) -> Result<TimeOff, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::time_off::add(&state.db, &user, user_id, first_day, last_day, chrono::Utc::now()).await
}
