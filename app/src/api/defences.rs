//! Sign-in defences kept in the app state: the failed-login throttle, client address keys,
//! and which session cookie this installation sets.

use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};

use crate::domain::throttle::{self, FailureTable};

/// The session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "hd_session";
/// The session cookie over HTTPS: `__Host-` makes browsers accept it only with `Secure`,
/// `Path=/` and no `Domain`, so a neighbouring subdomain cannot set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-hd_session";

/// Which session cookie this installation sets, decided once at start from
/// `HELPDESK_PUBLIC_URL`'s scheme. Both names are read either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCookie {
    Plain,
    Secure,
}

impl SessionCookie {
    pub fn for_https(https: bool) -> Self {
        if https {
            SessionCookie::Secure
        } else {
            SessionCookie::Plain
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SessionCookie::Plain => SESSION_COOKIE,
            SessionCookie::Secure => SECURE_SESSION_COOKIE,
        }
    }

    /// The `Set-Cookie` value; an empty token with age 0 clears the cookie.
    pub fn header(self, token: &str, max_age_seconds: i64) -> String {
        let secure = if self == SessionCookie::Secure { "; Secure" } else { "" };
        format!("{}={token}; Path=/; HttpOnly; SameSite=Lax{secure}; Max-Age={max_age_seconds}", self.name())
    }
}

/// What sign-in needs besides the database (`AppState::auth`): the failed-login throttle and
/// which session cookie this installation sets.
#[derive(Debug)]
pub struct Auth {
    pub throttle: LoginThrottle,
    pub cookie: SessionCookie,
}

impl Auth {
    pub fn new(cookie: SessionCookie) -> Self {
        Auth { throttle: LoginThrottle::default(), cookie }
    }
}

/// Failed sign-ins, in memory, per account (email) and per client address; each table is
/// bounded (`throttle::TABLE_CAPACITY`). The rules are `domain::throttle`'s.
#[derive(Debug)]
pub struct LoginThrottle {
    accounts: Mutex<FailureTable>,
    addresses: Mutex<FailureTable>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            accounts: Mutex::new(FailureTable::new(throttle::ACCOUNT, throttle::TABLE_CAPACITY)),
            addresses: Mutex::new(FailureTable::new(throttle::ADDRESS, throttle::TABLE_CAPACITY)),
        }
    }
}

/// A table stays consistent through a panic elsewhere: every change is one insert or remove.
fn lock(table: &Mutex<FailureTable>) -> MutexGuard<'_, FailureTable> {
    table.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Emails compare as the users table does (trimmed, case-insensitive), and a key is never
/// longer than an email can be, whatever a caller sends.
fn account_key(email: &str) -> String {
    email.trim().chars().take(254).collect::<String>().to_lowercase()
}

/// An IPv4 address, or an IPv6 address by its /64 (one machine usually holds a whole /64).
pub fn address_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

impl LoginThrottle {
    /// Admits an attempt, counting it as failed until it turns out otherwise (so a burst of
    /// parallel guesses cannot all slip through before the first failure is counted), or
    /// says how many seconds to wait.
    pub fn begin(&self, email: &str, address: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let account = account_key(email);
        let mut accounts = lock(&self.accounts);
        let mut addresses = lock(&self.addresses);
        let wait = accounts.wait_secs(&account, now).max(addresses.wait_secs(address, now));
        if wait > 0 {
            return Err(wait);
        }
        accounts.record_failure(&account, now);
        addresses.record_failure(address, now);
        Ok(())
    }

    /// The password was right: the account starts over. The address only gets this attempt
    /// back, or one valid account would let its owner reset the address between guesses.
    pub fn succeeded(&self, email: &str, address: &str) {
        lock(&self.accounts).clear(&account_key(email));
        lock(&self.addresses).withdraw_failure(address);
    }

    /// The attempt was not tried after all.
    pub fn withdraw(&self, email: &str, address: &str) {
        lock(&self.accounts).withdraw_failure(&account_key(email));
        lock(&self.addresses).withdraw_failure(address);
    }

    /// Failures counted for this email (tests and diagnostics).
    pub fn account_failures(&self, email: &str) -> u32 {
        lock(&self.accounts).failures(&account_key(email))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_the_cookie_is_secure_with_the_host_prefix() {
        let secure = SessionCookie::for_https(true).header("t", 60);
        assert_eq!(secure, "__Host-hd_session=t; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=60");
        assert!(!secure.contains("Domain"));
        assert_eq!(SessionCookie::for_https(false).header("", 0), "hd_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    }

    #[test]
    fn addresses_are_keyed_by_host_or_ipv6_network() {
        assert_eq!(address_key("203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(address_key("::ffff:203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(address_key("2001:db8:1:2:aaaa::1".parse().unwrap()), address_key("2001:db8:1:2:bbbb::7".parse().unwrap()));
        assert_ne!(address_key("2001:db8:1:2::1".parse().unwrap()), address_key("2001:db8:1:3::1".parse().unwrap()));
    }

    #[test]
    fn emails_are_throttled_case_insensitively_and_success_resets_the_account() {
        let throttle = LoginThrottle::default();
        let now = Utc::now();
        for _ in 0..throttle::ACCOUNT.free_failures {
            throttle.begin(" Ada@Example.com", "a", now).unwrap();
        }
        assert!(throttle.begin("ada@example.com", "b", now).is_err(), "the account is locked from any address");
        throttle.succeeded("ada@example.com", "a");
        assert_eq!(throttle.account_failures("ADA@example.com"), 0);
        throttle.begin("ada@example.com", "a", now).unwrap();
    }
}
