#![recursion_limit = "256"]
//! The axum side of Helpdesk: routes, the sign-in gate, live events and error statuses.

mod attachments;
pub mod config;
mod events;
mod gate;
pub mod jobs;
pub mod security;
mod status;

use std::time::Duration;

use app::state::AppState;
use app::store::{seed, Db};
use app::{shell, App};
use axum::routing::get;
use axum::{middleware, Extension, Router};
use leptos::config::{get_configuration, Env};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;

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
    let files = crate::config::attachment_files(&config.database_url).map_err(app::error::AppError::Internal)?;
    if config.demo && seed::demo(&db, chrono::Utc::now()).await? {
        seed::demo_attachments(&db, &files, chrono::Utc::now()).await?;
        tracing::info!("Seeded the demo data (password for every demo user: {}).", seed::DEMO_PASSWORD);
    }
    let cookie = app::api::defences::SessionCookie::for_https(crate::config::served_over_https());
    Ok(AppState::new(db, options, app::api::defences::Auth::new(cookie), files))
}

/// Settings of the HTTP layer itself.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// The site's public address, its origin trusted for cross-site checks (`HELPDESK_PUBLIC_URL`).
    pub site: security::Site,
    /// How often an open live stream re-checks its session and team.
    pub stream_recheck: Duration,
}

impl HttpOptions {
    pub fn from_env() -> HttpOptions {
        HttpOptions { site: security::Site::from_env(), stream_recheck: events::Recheck::default().0 }
    }
}

/// The whole site, with the HTTP defences of `security` in front (settings from the environment).
pub fn router(state: AppState) -> Router {
    router_with(state, HttpOptions::from_env())
}

pub fn router_with(state: AppState, options: HttpOptions) -> Router {
    let routes = generate_route_list(App);
    let shell_options = state.leptos_options.clone();
    // Every render and server-function call gets the state, and the request's CSP nonce.
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security::provide_request_nonce();
        }
    };
    let app = Router::new()
        .route("/api/events", get(events::board_events))
        .route("/api/notices", get(events::notices))
        .route("/api/ticket_events", get(events::ticket_events))
        .merge(attachments::routes(&state))
        // A layer covers the routes added before it: here, the two streams.
        .layer(Extension(events::Recheck(options.stream_recheck)))
        .leptos_routes_with_context(&state, routes, context.clone(), move || shell(shell_options.clone()))
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(middleware::from_fn_with_state(state.clone(), gate::require_sign_in))
        .layer(middleware::map_response(status::server_fn_error_status))
        // Pages and server-function answers, compressed as the browser asks (brotli or gzip).
        // The site's files are compressed at build time and served as they are; live streams,
        // images and tiny answers are left alone.
        .layer(CompressionLayer::new())
        .with_state(state);
    security::protect(app, options.site)
}
