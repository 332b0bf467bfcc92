//! The Helpdesk server: configuration, database, routes, then serve.

use server::config::Config;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    if let Err(error) = run().await {
        eprintln!("helpdesk: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), String> {
    let config = Config::from_env()?;
    let state = server::start(&config).await.map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    server::jobs::start(&state);
    tracing::info!("Helpdesk is listening on http://{}", config.addr);
    // The peer address keys the per-address sign-in throttle.
    let app = server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}
