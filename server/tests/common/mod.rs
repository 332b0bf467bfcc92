//! The HTTP harness of the server's integration tests: a demo server in a temporary directory,
//! and requests through the real router without a socket, as an outsider would send them.

// Each test binary compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::net::SocketAddr;

use axum::body::{to_bytes, Body};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderName, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use server::config::Config;
use server::HttpOptions;
use tower::ServiceExt;

/// Every demo user's password.
pub const PASSWORD: &str = "demo1234";

/// A demo server; its database lives as long as this.
pub struct Api {
    pub router: Router,
    _dir: tempfile::TempDir,
}

/// What came back: the status, the headers tests look at most, and the body as JSON (or, if it
/// is not JSON, as a JSON string) and as text.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub cookie: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<String>,
    pub body: Value,
    pub text: String,
}

impl Api {
    /// The demo data behind `server::router` (HTTP settings from the environment).
    pub async fn demo() -> Api {
        let (state, dir) = start_demo().await;
        Api { router: server::router(state), _dir: dir }
    }

    /// The demo data behind `server::router_with` these HTTP settings.
    pub async fn demo_with(options: HttpOptions) -> Api {
        let (state, dir) = start_demo().await;
        Api { router: server::router_with(state, options), _dir: dir }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        send(&self.router, request).await
    }

    /// A same-origin JSON call, as the app's own pages make it.
    pub async fn call(&self, session: Option<&str>, endpoint: &str, args: Value) -> Reply {
        self.send(json_post(endpoint, session, args)).await
    }

    /// A same-origin JSON call from the client address `peer` (no peer: as router tests without
    /// a socket are, all sharing one address key).
    pub async fn call_from(&self, peer: Option<&str>, session: Option<&str>, endpoint: &str, args: Value) -> Reply {
        let mut request = json_post(endpoint, session, args);
        if let Some(peer) = peer {
            request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        self.send(request).await
    }

    /// A sign-in attempt from `peer`.
    pub async fn login_from(&self, peer: Option<&str>, email: &str, password: &str) -> Reply {
        self.call_from(peer, None, "login", json!({ "email": email, "password": password })).await
    }

    /// Signs in and returns the `Cookie` header value for later calls.
    pub async fn login(&self, email: &str) -> String {
        let reply = self.login_from(None, email, PASSWORD).await;
        assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
        let cookie = reply.cookie.expect("a session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        cookie.split(';').next().unwrap().to_string()
    }

    pub async fn team_id(&self, session: &str, name: &str) -> i64 {
        let teams = self.call(Some(session), "teams", json!({})).await.body;
        teams.as_array().unwrap().iter().find(|t| t["name"] == name).expect(name)["id"].as_i64().unwrap()
    }
}

async fn start_demo() -> (app::state::AppState, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        database_url: format!("sqlite://{}", dir.path().join("demo.db").display()),
        addr: "127.0.0.1:0".parse().unwrap(),
        demo: true,
    };
    let state = server::start(&config).await.unwrap();
    (state, dir)
}

/// Sends `request` through `router` and reads the whole answer.
pub async fn send(router: &Router, request: Request<Body>) -> Reply {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let header_text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (cookie, location, retry_after) = (header_text(header::SET_COOKIE), header_text(header::LOCATION), header_text(header::RETRY_AFTER));
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(text.clone()));
    Reply { status, headers, cookie, location, retry_after, body, text }
}

/// A JSON POST to `/api/{endpoint}` marked same-origin, as the app's own pages send it (browsers
/// mark same-origin requests; see tests/security.rs).
pub fn json_post(endpoint: &str, session: Option<&str>, args: Value) -> Request<Body> {
    post(endpoint, session, &[("sec-fetch-site", "same-origin")], args)
}

/// A JSON POST to `/api/{endpoint}` with exactly these extra headers (none: no Sec-Fetch-Site).
pub fn post(endpoint: &str, session: Option<&str>, headers: &[(&str, &str)], args: Value) -> Request<Body> {
    let mut request = Request::post(format!("/api/{endpoint}")).header(header::CONTENT_TYPE, "application/json");
    if let Some(cookie) = session {
        request = request.header(header::COOKIE, cookie);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Body::from(args.to_string())).unwrap()
}
