//! Settings from the environment, with zero-setup defaults.

use std::net::SocketAddr;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/helpdesk.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    /// Seed the demo data into an empty database.
    pub demo: bool,
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr_text = var("HELPDESK_ADDR").unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr = addr_text
            .parse()
            .map_err(|e| format!("HELPDESK_ADDR={addr_text:?} is not an address like 127.0.0.1:3000: {e}"))?;
        let demo = match var("HELPDESK_DEMO").as_deref() {
            None | Some("0") | Some("false") => false,
            Some("1") | Some("true") => true,
            Some(other) => return Err(format!("HELPDESK_DEMO={other:?}: use 1 or 0")),
        };
        Ok(Config { database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()), addr, demo })
    }
}

/// Whether people reach this installation over HTTPS, from the scheme of `HELPDESK_PUBLIC_URL`
/// (e.g. `https://help.example.com`): then the session cookie is `Secure` with the `__Host-`
/// prefix. Read once, at start; a function rather than a `Config` field so that code building
/// a `Config` by hand (tests, benchmarks) stays as it is.
pub fn served_over_https() -> bool {
    std::env::var("HELPDESK_PUBLIC_URL")
        .is_ok_and(|url| url.trim().get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")))
}
