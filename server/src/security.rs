//! The HTTP layer's own defences, in front of every handler: security headers (with a CSP whose
//! per-request nonce Leptos puts on its inline scripts), panics answered as 500, cross-site
//! request refusal (CSRF), and a ceiling on request bodies.
//!
//! Refusals are `AppError` JSON bodies like every other error:
//! - 403 `{"Forbidden":"Cross-site request refused."}`: a state-changing request (any method but
//!   GET, HEAD, OPTIONS) that is not provably same-origin;
//! - 403 `{"Forbidden":"Send JSON or form data."}`: a same-origin one whose `Content-Type` is
//!   neither `application/json` nor `application/x-www-form-urlencoded` (403 rather than 415 so
//!   that every refusal of this layer has one status); `multipart/form-data` only to [`UPLOAD_PATH`];
//! - 413 `{"Invalid":"The request is too large (at most 256 KiB)."}`;
//! - 500 `{"Internal":"Internal error; it has been logged."}` after a panic.

use std::any::Any;

use app::error::AppError;
use axum::body::{to_bytes, Body};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos::nonce::Nonce;
use leptos::prelude::{provide_context, use_context};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// Server-function arguments are small JSON; nothing legitimate comes near this.
pub const BODY_LIMIT: usize = 256 * 1024;

/// The one route that takes files: the only place a multipart body is accepted (same-origin
/// still required), with its own size limits (per file, and [`crate::attachments`]' body limit)
/// instead of [`BODY_LIMIT`].
pub const UPLOAD_PATH: &str = "/attachments/upload";

/// The Content-Security-Policy for one response. Leptos's inline scripts (hydration bootstrap,
/// streamed resources) carry `nonce`; the WASM bundle and its JS glue come from `/pkg` ('self');
/// instantiating WASM needs 'wasm-unsafe-eval'. Inline `style="…"` attributes are used by a few
/// views, so attributes (not `<style>` elements) may be inline. `dev_reload` opens WebSockets for
/// cargo-leptos's live reload (only under `cargo leptos watch`).
pub fn content_security_policy(nonce: &str, dev_reload: bool) -> String {
    let reload = if dev_reload { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// What the layer needs to know about the site it protects.
#[derive(Clone, Debug, Default)]
pub struct Site {
    /// The public origin (from `HELPDESK_PUBLIC_URL`), for requests whose `Host` a proxy rewrote.
    public_origin: Option<Origin>,
    /// cargo-leptos live reload is on (`LEPTOS_WATCH`).
    dev_reload: bool,
}

impl Site {
    /// `public_url` is the address people use, such as `https://helpdesk.example.com`.
    pub fn new(public_url: Option<&str>) -> Result<Site, String> {
        let public_origin = match public_url.map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => Some(Origin::parse(url).ok_or_else(|| {
                format!("HELPDESK_PUBLIC_URL={url:?} is not an address like https://helpdesk.example.com")
            })?),
            None => None,
        };
        Ok(Site { public_origin, dev_reload: std::env::var_os("LEPTOS_WATCH").is_some() })
    }

    /// From `HELPDESK_PUBLIC_URL`; an unusable value is logged and ignored (the `Host` check
    /// still applies, and current browsers are judged by `Sec-Fetch-Site` anyway).
    pub fn from_env() -> Site {
        let public_url = std::env::var("HELPDESK_PUBLIC_URL").ok();
        Site::new(public_url.as_deref()).unwrap_or_else(|error| {
            tracing::error!("{error}; ignoring it");
            Site::new(None).unwrap_or_default()
        })
    }

    /// A request is same-origin when the browser says so (`Sec-Fetch-Site`), or, from browsers
    /// that do not send that header, when its `Origin` is this site. Neither header: refused.
    fn is_same_origin(&self, request: &Request) -> bool {
        let headers = request.headers();
        if let Some(site) = headers.get("sec-fetch-site") {
            return matches!(site.to_str(), Ok("same-origin" | "none"));
        }
        let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).and_then(Origin::parse) else {
            return false; // absent, `null`, or not an http(s) origin
        };
        if self.public_origin.as_ref() == Some(&origin) {
            return true;
        }
        // The request's own origin is its Host (HTTP/2: the URI authority). The scheme cannot be
        // compared: behind a TLS-terminating proxy the server does not know it; set
        // HELPDESK_PUBLIC_URL to pin it.
        let own = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| request.uri().authority().map(|a| a.as_str()));
        own.and_then(|authority| host_and_port(authority, default_port(&origin.scheme)?))
            .is_some_and(|(host, port)| host == origin.host && port == origin.port)
    }
}

/// A web origin: scheme, host and port (the default port filled in).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]`, with any path ignored (so a public URL may end in `/`).
    fn parse(text: &str) -> Option<Origin> {
        let (scheme, rest) = text.trim().split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let authority = rest.split(['/', '?', '#']).next()?;
        let (host, port) = host_and_port(authority, default_port(&scheme)?)?;
        Some(Origin { scheme, host, port })
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// `host[:port]` (IPv6 in brackets), lower-cased, with the scheme's default port filled in.
fn host_and_port(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let authority = authority.trim().to_ascii_lowercase();
    if authority.contains('@') {
        return None;
    }
    let (host, port) = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => (&authority[..colon], Some(&authority[colon + 1..])),
        _ => (authority.as_str(), None),
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(digits) => digits.parse().ok()?,
        None => default_port,
    };
    Some((host.to_string(), port))
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// JSON and the form encoding of no-JS forms; anything else (text/plain, multipart) is what a
/// cross-site form could send.
fn is_accepted_content_type(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case("application/json") || essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
}

fn is_multipart(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    value.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("multipart/form-data")
}

fn error_response(status: StatusCode, error: AppError) -> Response {
    let body = serde_json::to_string(&error).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Refuses state-changing requests that a page on another site could have made.
pub async fn refuse_cross_site(State(site): State<Site>, request: Request, next: Next) -> Response {
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    if !site.is_same_origin(&request) {
        tracing::warn!(method = %request.method(), path = request.uri().path(), "refused a cross-site request");
        return error_response(StatusCode::FORBIDDEN, AppError::Forbidden("Cross-site request refused.".into()));
    }
    let upload = request.uri().path() == UPLOAD_PATH && is_multipart(request.headers());
    if !is_accepted_content_type(request.headers()) && !upload {
        return error_response(StatusCode::FORBIDDEN, AppError::Forbidden("Send JSON or form data.".into()));
    }
    next.run(request).await
}

fn too_large() -> Response {
    error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Invalid(format!("The request is too large (at most {} KiB).", BODY_LIMIT / 1024)),
    )
}

/// Answers 413 to bodies above [`BODY_LIMIT`] before any handler runs: at once when
/// `Content-Length` says so, otherwise by reading (at most the limit of) the body first.
pub async fn limit_body(request: Request, next: Next) -> Response {
    if request.uri().path() == UPLOAD_PATH {
        return next.run(request).await;
    }
    let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        return too_large();
    }
    if is_safe(request.method()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    match to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => {
            if error.into_inner().is::<http_body_util::LengthLimitError>() {
                too_large()
            } else {
                error_response(StatusCode::BAD_REQUEST, AppError::Invalid("The request body could not be read.".into()))
            }
        }
    }
}

/// Sends the CSP with a fresh nonce, which the request carries (as an extension) to Leptos.
pub async fn content_security(State(site): State<Site>, mut request: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    let policy = HeaderValue::from_str(&content_security_policy(&nonce, site.dev_reload));
    request.extensions_mut().insert(nonce);
    let mut response = next.run(request).await;
    match policy {
        Ok(policy) => {
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        // A nonce is URL-safe base64, so this cannot happen; never answer without a policy.
        Err(_) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, internal_error()),
    }
    response
}

/// For the Leptos context: the request's nonce replaces the one Leptos made for the render, so
/// the `nonce` on every inline script is the one the CSP header names. Called after Leptos's
/// own contexts (it is part of the additional context).
pub fn provide_request_nonce() {
    let nonce = use_context::<axum::http::request::Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

fn internal_error() -> AppError {
    AppError::Internal("Internal error; it has been logged.".into())
}

fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    error_response(StatusCode::INTERNAL_SERVER_ERROR, internal_error())
}

/// Puts every defence in front of `router`, outermost first: headers (so that every answer,
/// refusals and panics included, carries them), panic catching, CSRF, then the body ceiling.
pub fn protect(router: Router, site: Site) -> Router {
    let static_header = |name: HeaderName, value: &'static str| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    router
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(limit_body))
        .layer(middleware::from_fn_with_state(site.clone(), refuse_cross_site))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(site, content_security))
        .layer(static_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(static_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(static_header(header::REFERRER_POLICY, "same-origin"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_parse_with_default_ports() {
        let origin = |scheme: &str, host: &str, port| Some(Origin { scheme: scheme.into(), host: host.into(), port });
        assert_eq!(Origin::parse("https://Helpdesk.Example.com/"), origin("https", "helpdesk.example.com", 443));
        assert_eq!(Origin::parse("http://127.0.0.1:3000"), origin("http", "127.0.0.1", 3000));
        assert_eq!(Origin::parse("http://[::1]:8080"), origin("http", "[::1]", 8080));
        assert_eq!(Origin::parse("http://[::1]"), origin("http", "[::1]", 80));
        assert_eq!(Origin::parse("null"), None);
        assert_eq!(Origin::parse("file:///etc"), None);
        assert_eq!(Origin::parse("http://user@evil.example"), None);
        assert_eq!(Origin::parse("http://host:notaport"), None);
    }

    #[test]
    fn content_types_of_cross_site_forms_are_not_accepted() {
        let with = |value: &'static str| HeaderMap::from_iter([(header::CONTENT_TYPE, HeaderValue::from_static(value))]);
        assert!(is_accepted_content_type(&with("application/json")));
        assert!(is_accepted_content_type(&with("Application/JSON; charset=utf-8")));
        assert!(is_accepted_content_type(&with("application/x-www-form-urlencoded")));
        assert!(!is_accepted_content_type(&with("text/plain")));
        assert!(!is_accepted_content_type(&with("multipart/form-data; boundary=x")));
        assert!(!is_accepted_content_type(&HeaderMap::new()));
    }

    #[test]
    fn the_policy_names_the_nonce_and_forbids_framing() {
        let policy = content_security_policy("abc_-1", false);
        assert!(policy.contains("script-src 'self' 'nonce-abc_-1' 'wasm-unsafe-eval'"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("ws:"));
        assert!(content_security_policy("n", true).contains("connect-src 'self' ws: wss:"));
    }
}
