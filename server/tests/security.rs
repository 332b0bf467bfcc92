//! The HTTP layer's defences, through the real router without a socket: cross-site requests,
//! security headers and the CSP nonce, body sizes, panics, and live streams that end when their
//! listener may no longer listen.

mod common;

use std::time::Duration;

use axum::body::{to_bytes, Body, BodyDataStream};
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use common::{post, Api, Reply};
use futures::StreamExt;
use serde_json::{json, Value};
use server::security::Site;
use server::HttpOptions;
use tower::ServiceExt;

/// Short, so that a stream's end after logout is seen quickly.
const RECHECK: Duration = Duration::from_millis(300);
const PUBLIC_URL: &str = "https://helpdesk.example.com";
const HOST: &str = "127.0.0.1:3000";

/// The demo server with the public address above and short stream re-checks.
async fn demo() -> Api {
    Api::demo_with(HttpOptions { site: Site::new(Some(PUBLIC_URL)).unwrap(), stream_recheck: RECHECK }).await
}

impl Api {
    /// Opens a live stream and returns its body, or the refusal's status.
    async fn open_stream(&self, path: &str, session: &str) -> Result<BodyDataStream, StatusCode> {
        let request = Request::get(path).header(header::COOKIE, session).body(Body::empty()).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        match response.status() {
            StatusCode::OK => Ok(response.into_body().into_data_stream()),
            refused => Err(refused),
        }
    }
}

fn cross_site_refusal() -> Value {
    json!({ "Forbidden": "Cross-site request refused." })
}

/// Reads the stream until its text contains `wanted`; panics if it ends or stays silent first.
async fn read_until(stream: &mut BodyDataStream, wanted: &str) -> String {
    let mut text = String::new();
    while !text.contains(wanted) {
        match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
            Ok(Some(chunk)) => text.push_str(&String::from_utf8_lossy(&chunk.unwrap())),
            Ok(None) => panic!("the stream ended before {wanted:?}; it sent {text:?}"),
            Err(_) => panic!("no {wanted:?} within 5 s; the stream sent {text:?}"),
        }
    }
    text
}

/// Reads the stream to its end, which must come within a few re-check intervals; returns what
/// it sent meanwhile.
async fn read_to_end(stream: &mut BodyDataStream) -> String {
    let deadline = RECHECK * 10;
    let mut text = String::new();
    loop {
        match tokio::time::timeout(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(Some(Err(_))) | Ok(None) => return text,
            Err(_) => panic!("the stream was still open after {deadline:?}; it sent {text:?}"),
        }
    }
}

#[tokio::test]
async fn cross_site_posts_are_refused_and_change_nothing() {
    let api = demo().await;
    let session = api.login("agent2@demo.test").await;
    let support = api.team_id(&session, "Support").await;
    let board = api.call(Some(&session), "board", json!({ "team_id": support, "limits": [] })).await.body;
    let card = &board["columns"][0]["cards"][0];
    let reference = card["reference"].as_str().unwrap();
    let move_args = json!({ "reference": reference, "version": card["version"], "stage_id": board["columns"][1]["stage"]["id"], "before": null });

    let cross_site: &[&[(&str, &str)]] = &[
        &[("origin", "https://evil.example"), ("host", HOST)],
        &[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example"), ("host", HOST)],
        // The browser's word wins over an Origin that happens to match.
        &[("sec-fetch-site", "cross-site"), ("origin", "http://127.0.0.1:3000"), ("host", HOST)],
        // A sibling subdomain is another site's page too.
        &[("sec-fetch-site", "same-site"), ("host", HOST)],
        &[("origin", "null"), ("host", HOST)],
        &[("origin", "http://127.0.0.1:3000.evil.example"), ("host", HOST)],
        &[("origin", "http://127.0.0.1:3001"), ("host", HOST)],
        &[("origin", "http://helpdesk.example.com"), ("host", "internal:8080")],
        // Neither header: browsers always send one of them on a POST.
        &[("host", HOST)],
        &[],
    ];
    for headers in cross_site {
        let reply = api.send(post("move_ticket", Some(&session), headers, move_args.clone())).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply.body, cross_site_refusal(), "{headers:?}");
        let logout = api.send(post("logout", Some(&session), headers, json!({}))).await;
        assert_eq!(logout.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(!logout.headers.contains_key(header::SET_COOKIE));
    }
    // Other state-changing methods are held to the same rule.
    for method in [Method::PUT, Method::DELETE, Method::PATCH] {
        let request = Request::builder()
            .method(method.clone())
            .uri("/api/move_ticket")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::COOKIE, &session)
            .body(Body::from(move_args.to_string()))
            .unwrap();
        assert_eq!(api.send(request).await.status, StatusCode::FORBIDDEN, "{method}");
    }
    // Same-origin, but in an encoding a cross-site form could send (or none).
    for content_type in [Some("text/plain"), Some("multipart/form-data; boundary=x"), None] {
        let mut request = Request::post("/api/move_ticket").header("sec-fetch-site", "same-origin").header(header::COOKIE, &session);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let reply = api.send(request.body(Body::from(move_args.to_string())).unwrap()).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{content_type:?}");
        assert_eq!(reply.body, json!({ "Forbidden": "Send JSON or form data." }));
    }

    let after = api.call(Some(&session), "ticket", json!({ "reference": reference })).await;
    assert_eq!(after.status, StatusCode::OK, "the session survived every cross-site logout: {:?}", after.body);
    assert_eq!(after.body["version"], card["version"], "the ticket did not move");
}

#[tokio::test]
async fn same_origin_posts_are_accepted() {
    let api = demo().await;
    let session = api.login("agent2@demo.test").await;
    let same_origin: &[&[(&str, &str)]] = &[
        &[("sec-fetch-site", "same-origin")],
        // Typed or bookmarked: no page made it.
        &[("sec-fetch-site", "none")],
        // Browsers without Sec-Fetch-Site: the Origin is the request's own host…
        &[("origin", "http://127.0.0.1:3000"), ("host", HOST)],
        &[("origin", "http://LOCALHOST"), ("host", "localhost:80")],
        // …or the configured public address, whatever Host a proxy passed on.
        &[("origin", PUBLIC_URL), ("host", "internal:8080")],
        &[("origin", "https://helpdesk.example.com:443")],
    ];
    for headers in same_origin {
        let reply = api.send(post("teams", Some(&session), headers, json!({}))).await;
        assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {:?}", reply.body);
    }
    // The form encoding of no-JS forms passes this layer (the function decides what it accepts).
    let form = Request::post("/api/teams")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "same-origin")
        .header(header::COOKIE, &session)
        .body(Body::empty())
        .unwrap();
    let reply = api.send(form).await;
    assert!(reply.body["Forbidden"].is_null(), "{:?}", reply.body);
}

#[tokio::test]
async fn login_from_another_site_is_refused() {
    let api = demo().await;
    let credentials = json!({ "email": "agent1@demo.test", "password": "demo1234" });
    for headers in [
        &[("origin", "https://evil.example"), ("host", HOST)][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[][..],
    ] {
        let reply = api.send(post("login", None, headers, credentials.clone())).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(reply.body, cross_site_refusal());
        assert!(!reply.headers.contains_key(header::SET_COOKIE), "no session planted");
    }
    api.login("agent1@demo.test").await;
}

fn assert_security_headers(reply: &Reply, what: &str) -> String {
    let header = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    assert_eq!(header("referrer-policy"), "same-origin", "{what}");
    let policy = header("content-security-policy");
    for part in ["default-src 'self'", "'wasm-unsafe-eval'", "frame-ancestors 'none'", "object-src 'none'"] {
        assert!(policy.contains(part), "{what}: {part} missing from {policy}");
    }
    let scripts = policy.split(';').map(str::trim).find(|d| d.starts_with("script-src ")).unwrap_or_else(|| panic!("{what}: {policy}"));
    assert!(!scripts.contains("'unsafe-inline'") && !scripts.contains("'unsafe-eval'"), "{what}: {scripts}");
    let start = policy.find("'nonce-").unwrap_or_else(|| panic!("{what}: no nonce in {policy}")) + "'nonce-".len();
    let nonce = &policy[start..start + policy[start..].find('\'').unwrap()];
    assert!(nonce.len() >= 16, "{what}: a short nonce {nonce:?}");
    nonce.to_string()
}

/// Every `<script` in the page carries the header's nonce (Leptos's hydration and streamed data).
fn assert_scripts_carry(html: &str, nonce: &str, what: &str) {
    let scripts: Vec<&str> = html.split("<script").skip(1).map(|rest| &rest[..rest.find('>').unwrap()]).collect();
    assert!(!scripts.is_empty(), "{what}: no scripts in {html}");
    for tag in scripts {
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{what}: <script{tag}> lacks nonce {nonce}");
    }
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_pages_the_nonce() {
    let api = demo().await;
    let page = || Request::get("/login").body(Body::empty()).unwrap();
    let login_page = api.send(page()).await;
    assert_eq!(login_page.status, StatusCode::OK);
    let nonce = assert_security_headers(&login_page, "login page");
    assert_scripts_carry(&login_page.text, &nonce, "login page");
    let again = api.send(page()).await;
    assert_ne!(assert_security_headers(&again, "login page again"), nonce, "a fresh nonce per response");

    let session = api.login("agent1@demo.test").await;
    let home = api.send(Request::get("/").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
    assert_eq!(home.status, StatusCode::OK);
    assert_scripts_carry(&home.text, &assert_security_headers(&home, "home page"), "home page");
    // Pages outside the route table are rendered by the fallback, with the same nonce wiring.
    let missing = api.send(Request::get("/no/such/page").header(header::COOKIE, &session).body(Body::empty()).unwrap()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_scripts_carry(&missing.text, &assert_security_headers(&missing, "missing page"), "missing page");

    let answer = api.call(Some(&session), "teams", json!({})).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_security_headers(&answer, "API answer");
    let refusal = api.send(post("teams", Some(&session), &[("origin", "https://evil.example")], json!({}))).await;
    assert_eq!(refusal.status, StatusCode::FORBIDDEN);
    assert_security_headers(&refusal, "refusal");
    let redirect = api.send(Request::get("/queues").body(Body::empty()).unwrap()).await;
    assert_eq!(redirect.status, StatusCode::SEE_OTHER);
    assert_security_headers(&redirect, "redirect to login");
    let static_miss = api.send(Request::get("/missing.png").body(Body::empty()).unwrap()).await;
    assert_security_headers(&static_miss, "static file");
}

#[tokio::test]
async fn bodies_above_256_kib_answer_413() {
    let api = demo().await;
    let big = json!({ "email": "a".repeat(300 * 1024), "password": "x" }).to_string();
    let declared = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .header(header::CONTENT_LENGTH, big.len())
        .body(Body::from(big.clone()))
        .unwrap();
    let reply = api.send(declared).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", reply.text);
    assert_eq!(reply.body, json!({ "Invalid": "The request is too large (at most 256 KiB)." }));
    assert_security_headers(&reply, "413");

    // Streamed in chunks, without a Content-Length.
    let chunks = big.into_bytes().chunks(16 * 1024).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>();
    let streamed = Request::post("/api/login")
        .header(header::CONTENT_TYPE, "application/json")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from_stream(futures::stream::iter(chunks)))
        .unwrap();
    assert_eq!(api.send(streamed).await.status, StatusCode::PAYLOAD_TOO_LARGE);

    // Just under the limit is read and judged by the function (wrong password: 400).
    let fits = json!({ "email": "a".repeat(200 * 1024), "password": "x" });
    let reply = api.call(None, "login", fits).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{:?}", reply.text.get(..200));
}

#[tokio::test]
async fn a_panicking_handler_answers_500_with_the_headers() {
    let router = Router::new().route("/boom", get(|| async { panic!("boom") as &'static str }));
    let router = server::security::protect(router, Site::new(None).unwrap());
    let response = router.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers()[header::X_FRAME_OPTIONS], "DENY");
    assert!(response.headers().contains_key(header::CONTENT_SECURITY_POLICY));
    let body: Value = serde_json::from_slice(&to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap();
    assert_eq!(body, json!({ "Internal": "Internal error; it has been logged." }));
}

#[tokio::test]
async fn a_board_stream_ends_after_logout() {
    let api = demo().await;
    let session = api.login("agent2@demo.test").await;
    let support = api.team_id(&session, "Support").await;
    let mut stream = api.open_stream(&format!("/api/events?team={support}"), &session).await.expect("the stream opens");

    let board = api.call(Some(&session), "board", json!({ "team_id": support, "limits": [] })).await.body;
    let card = &board["columns"][0]["cards"][0];
    let reference = card["reference"].as_str().unwrap();
    let moved = api
        .call(Some(&session), "move_ticket", json!({ "reference": reference, "version": card["version"], "stage_id": board["columns"][1]["stage"]["id"], "before": null }))
        .await;
    assert_eq!(moved.status, StatusCode::OK, "{:?}", moved.body);
    read_until(&mut stream, reference).await;

    let started = std::time::Instant::now();
    assert_eq!(api.call(Some(&session), "logout", json!({})).await.status, StatusCode::OK);
    read_to_end(&mut stream).await;
    assert!(started.elapsed() < RECHECK * 10, "ended after {:?}", started.elapsed());
    assert_eq!(api.open_stream(&format!("/api/events?team={support}"), &session).await.err(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn a_notice_stream_ends_after_logout() {
    let api = demo().await;
    let session = api.login("agent1@demo.test").await;
    let other = api.login("agent1@demo.test").await;
    let mut stream = api.open_stream("/api/notices", &session).await.expect("the stream opens");
    let mut unaffected = api.open_stream("/api/notices", &other).await.expect("the stream opens");

    assert_eq!(api.call(Some(&session), "logout", json!({})).await.status, StatusCode::OK);
    read_to_end(&mut stream).await;
    // Another session of the same user keeps listening.
    assert!(tokio::time::timeout(RECHECK * 3, unaffected.next()).await.is_err(), "the other session's stream stays open");
    assert_eq!(api.open_stream("/api/notices", &session).await.err(), Some(StatusCode::UNAUTHORIZED));
}

#[tokio::test]
async fn a_board_stream_ends_when_its_private_team_is_no_longer_visible() {
    let api = demo().await;
    let insider = api.login("agent4@demo.test").await;
    let admin = api.login("admin@demo.test").await;
    let finance = api.team_id(&insider, "Finance").await;
    let mut stream = api.open_stream(&format!("/api/events?team={finance}"), &insider).await.expect("the stream opens");

    let settings = api.call(Some(&admin), "get_team_settings", json!({ "team_id": finance })).await;
    assert_eq!(settings.status, StatusCode::OK, "{:?}", settings.body);
    let settings = settings.body;
    let insider_name = "Noah Fischer";
    let someone_else = settings["people"].as_array().unwrap().iter().find(|p| p["name"] != insider_name).unwrap()["id"].clone();
    let mut input = settings["settings"].clone();
    input["members"] = json!([someone_else]);
    let saved = api.call(Some(&admin), "save_team_settings", json!({ "team_id": finance, "version": settings["version"], "settings": input })).await;
    assert_eq!(saved.status, StatusCode::OK, "{:?}", saved.body);

    // The save publishes an event for Finance; the former member must not receive it.
    let sent = read_to_end(&mut stream).await;
    assert!(!sent.contains("data:"), "an event reached a former member: {sent:?}");
    assert!(api.open_stream(&format!("/api/events?team={finance}"), &insider).await.is_err());
}

#[tokio::test]
async fn answers_are_compressed_when_the_browser_asks_and_live_streams_are_not() {
    let api = demo().await;
    let session = api.login("agent1@demo.test").await;
    let support = api.team_id(&session, "Support").await;
    let args = json!({ "team_id": support, "limits": [] });
    let plain = api.call(Some(&session), "board", args.clone()).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none(), "nothing asked, nothing compressed");

    for encoding in ["br", "gzip"] {
        let packed = api.send(post("board", Some(&session), &[("sec-fetch-site", "same-origin"), ("accept-encoding", encoding)], args.clone())).await;
        assert_eq!(packed.status, StatusCode::OK);
        assert_eq!(packed.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some(encoding));
        assert!(packed.text.len() * 3 < plain.text.len(), "{encoding}: {} bytes for {} plain", packed.text.len(), plain.text.len());
    }

    let page = Request::get("/").header(header::COOKIE, &session).header(header::ACCEPT_ENCODING, "br").body(Body::empty()).unwrap();
    let page = api.send(page).await;
    assert_eq!(page.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("br"), "pages too");

    let stream = Request::get(format!("/api/events?team={support}")).header(header::COOKIE, &session).header(header::ACCEPT_ENCODING, "br").body(Body::empty()).unwrap();
    let response = api.router.clone().oneshot(stream).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none(), "a live stream is sent as it comes");
}
