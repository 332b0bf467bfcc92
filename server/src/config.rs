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

/// Where attachments are stored (`HELPDESK_ATTACHMENTS_DIR`, by default `attachments/` beside the
/// database file, so `data/attachments/`) and how large one file may be
/// (`HELPDESK_ATTACHMENT_MAX_MB`, default 20). A function, like [`served_over_https`], so that
/// code building a `Config` by hand stays as it is.
pub fn attachment_files(database_url: &str) -> Result<app::store::attachments::Files, String> {
    use app::store::attachments::Files;
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let max_mb = match var("HELPDESK_ATTACHMENT_MAX_MB") {
        None => app::domain::files::DEFAULT_MAX_MB,
        Some(text) => text
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|mb| (1..=4096).contains(mb))
            .ok_or_else(|| format!("HELPDESK_ATTACHMENT_MAX_MB={text:?}: use a whole number of megabytes (1 to 4096)"))?,
    };
    let max_bytes = max_mb * 1024 * 1024;
    Ok(match var("HELPDESK_ATTACHMENTS_DIR") {
        Some(dir) => Files::new(dir, max_bytes),
        None => Files::beside_database(database_url, max_bytes),
    })
}
