#![recursion_limit = "256"]
//! The axum side of Helpdesk: routes, the sign-in gate, live events and error statuses.

pub mod config;
mod events;
mod gate;
pub mod jobs;
mod status;

use app::state::AppState;
use app::store::{seed, Db};
use app::{shell, App};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::{get_configuration, Env};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::config::Config;

/// Opens and migrates the database, seeds the demo data if asked, and builds the shared state.
pub async fn start(config: &Config) -> Result<AppState, app::error::AppError> {
    let mut options = get_configuration(None)
        .map_err(|e| app::error::AppError::Internal(format!("Leptos configuration: {e}")))?
        .leptos_options;
    options.site_addr = config.addr;
    // The live-reload script belongs to development builds only.
    if std::env::var_os("LEPTOS_ENV").is_none() && !cfg!(debug_assertions) {
        options.env = Env::PROD;
    }
    let db = Db::connect(&config.database_url).await?;
    if config.demo && seed::demo(&db, chrono::Utc::now()).await? {
        tracing::info!("Seeded the demo data (password for every demo user: {}).", seed::DEMO_PASSWORD);
    }
    let cookie = app::api::server::SessionCookie::for_https(crate::config::served_over_https());
    Ok(AppState::new(db, options, app::api::auth::Auth::new(cookie)))
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let options = state.leptos_options.clone();
    Router::new()
        .route("/api/events", get(events::board_events))
        .route("/api/notices", get(events::notices))
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn_with_state(state.clone(), gate::require_sign_in))
        .layer(middleware::map_response(status::server_fn_error_status))
        .with_state(state)
}
