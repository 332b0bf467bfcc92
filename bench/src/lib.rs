//! Shared by the benchmark programs.

use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use tower::ServiceExt;

/// "p50 …, p99 …, max …" in milliseconds; sorts `times`.
pub fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!("p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", ms(at(0.50)), ms(at(0.99)), ms(*times.last().unwrap()))
}

/// Sends one request through the router: status and body text.
pub async fn send(router: &Router, request: Request<Body>) -> (StatusCode, String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Calls a server function as the browser does; it must succeed.
pub async fn call(router: &Router, session: &str, endpoint: &str, args: Value) -> Value {
    let request = Request::post(format!("/api/{endpoint}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, session)
        .body(Body::from(args.to_string()))
        .unwrap();
    let (status, body) = send(router, request).await;
    assert_eq!(status, StatusCode::OK, "{endpoint}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Signs a demo user in; the session cookie to send along.
pub async fn login(router: &Router, email: &str) -> String {
    let request = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(json!({ "email": email, "password": "demo1234" }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let cookie = response.headers().get(header::SET_COOKIE).expect("session cookie").to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}
