use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::CurrentUser;

#[cfg(feature = "ssr")]
pub use defences::{address_key, Auth, LoginThrottle};

/// Signs in and sets the HttpOnly session cookie. Throttled per account and per client address
/// (failed attempts only); a throttled attempt answers 429 with `Retry-After` and hashes nothing.
#[server(prefix = "/api", endpoint = "login", input = Json)]
pub async fn login(email: String, password: String) -> Result<CurrentUser, AppError> {
    use crate::api::server::{client_address, set_session_cookie, state, too_many_requests};
    use crate::store::users;

    let state = state()?;
    let now = chrono::Utc::now();
    let address = client_address().await;
    let throttle = &state.auth.throttle;
    throttle.begin(&email, &address, now).map_err(too_many_requests)?;
    let user = match users::authenticate(&state.db, &email, &password).await {
        Ok(user) => {
            throttle.succeeded(&email, &address);
            user
        }
        // No password worker came free: not a failed guess.
        Err(AppError::TooManyRequests { retry_after_secs }) => {
            throttle.withdraw(&email, &address);
            return Err(too_many_requests(retry_after_secs));
        }
        Err(error) => return Err(error),
    };
    let token = users::create_session(&state.db, user.id, now).await?;
    set_session_cookie(&state, &token, users::SESSION_DAYS * 86_400)?;
    Ok(user)
}

#[server(prefix = "/api", endpoint = "logout", input = Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::api::server::{request_token, set_session_cookie, state};

    let state = state()?;
    if let Some(token) = request_token().await? {
        crate::store::users::end_session(&state.db, &token).await?;
    }
    set_session_cookie(&state, "", 0)
}

/// Ends every session of the caller, on every device, this one included.
#[server(prefix = "/api", endpoint = "logout_everywhere", input = Json)]
pub async fn logout_everywhere() -> Result<(), AppError> {
    use crate::api::server::{caller, set_session_cookie};

    let (state, user) = caller().await?;
    crate::store::users::end_all_sessions(&state.db, user.id).await?;
    set_session_cookie(&state, "", 0)
}

/// The signed-in user, or `None`.
#[server(prefix = "/api", endpoint = "me", input = Json)]
pub async fn signed_in_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::api::server::{current_user, state};
    current_user(&state()?).await
}

/// Whether this installation still needs its first administrator (no demo data, no users).
#[server(prefix = "/api", endpoint = "needs_setup", input = Json)]
pub async fn needs_setup() -> Result<bool, AppError> {
    let state = crate::api::server::state()?;
    Ok(crate::store::users::user_count(&state.db).await? == 0)
}

/// Creates the first administrator of a fresh installation, then signs them in.
#[server(prefix = "/api", endpoint = "create_first_admin", input = Json)]
pub async fn create_first_admin(name: String, email: String, password: String) -> Result<CurrentUser, AppError> {
    let state = crate::api::server::state()?;
    crate::store::users::create_first_admin(&state.db, &name, &email, &password, chrono::Utc::now()).await?;
    login(email, password).await
}

#[cfg(feature = "ssr")]
mod defences {
    use std::net::IpAddr;
    use std::sync::{Mutex, MutexGuard, PoisonError};

    use chrono::{DateTime, Utc};

    use crate::api::server::SessionCookie;
    use crate::domain::throttle::{self, FailureTable};

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
}
