use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Qualification, QualificationKind, QualificationMatrix};

#[server(prefix = "/api", endpoint = "qualifications", input = Json)]
pub async fn load_qualifications() -> Result<QualificationMatrix, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::qualifications::matrix(&state.db, &user).await
}

#[server(prefix = "/api", endpoint = "create_qualification", input = Json)]
pub async fn create_qualification(name: String, kind: QualificationKind, scale_max: i64) -> Result<Qualification, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::qualifications::create(&state.db, &user, &name, kind, scale_max).await
}

/// Sets a staff member's rating; `None` takes the qualification away.
#[server(prefix = "/api", endpoint = "rate_qualification", input = Json)]
pub async fn rate_qualification(user_id: i64, qualification_id: i64, rating: Option<i64>) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::qualifications::rate(&state.db, &user, user_id, qualification_id, rating).await
}
