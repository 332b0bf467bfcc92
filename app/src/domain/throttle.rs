//! Sign-in throttling: how long a key (an account or a client address) must wait after failed
//! sign-ins. A few failures are free (typos happen); after that each failure doubles a lock-out
//! window, up to a cap, so guessing passwords becomes slow long before it becomes likely.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

/// How patient the throttle is with one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that cost nothing; the next failure starts the first lock-out.
    pub free_failures: u32,
    pub first_lockout_secs: u64,
    pub max_lockout_secs: u64,
    /// Failures older than this (counted from the latest one) are forgotten.
    pub forget_after_secs: u64,
}

/// One account (email): 5 free failures, then 15 s, 30 s, 1 min … up to 15 min.
pub const ACCOUNT: Policy = Policy { free_failures: 5, first_lockout_secs: 15, max_lockout_secs: 15 * 60, forget_after_secs: 24 * 3600 };

/// One client address: more generous, because an office or a NAT shares one address, but it
/// stops a single machine from trying a few passwords on each of many accounts.
pub const ADDRESS: Policy = Policy { free_failures: 20, first_lockout_secs: 15, max_lockout_secs: 15 * 60, forget_after_secs: 24 * 3600 };

/// Keys remembered per table; beyond that the stalest are evicted, so a flood of made-up emails
/// or addresses cannot grow memory without bound.
pub const TABLE_CAPACITY: usize = 10_000;

/// The failures counted for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub latest: DateTime<Utc>,
}

impl Policy {
    /// The lock-out that follows the `failures`-th failure: zero while failures are free, then
    /// doubling from `first_lockout_secs`, never above `max_lockout_secs`.
    pub fn lockout_secs(&self, failures: u32) -> u64 {
        if failures < self.free_failures {
            return 0;
        }
        let doublings = failures - self.free_failures;
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        self.first_lockout_secs.saturating_mul(factor).min(self.max_lockout_secs)
    }

    /// Whether these failures are old enough to be forgotten at `now`.
    pub fn forgotten(&self, failures: &Failures, now: DateTime<Utc>) -> bool {
        now - failures.latest >= secs(self.forget_after_secs)
    }

    /// Seconds to wait before the next attempt (0: go ahead), rounded up so that a caller told
    /// to wait `n` seconds may really try again after `n`.
    pub fn wait_secs(&self, failures: Option<&Failures>, now: DateTime<Utc>) -> u64 {
        let Some(failures) = failures.filter(|f| !self.forgotten(f, now)) else { return 0 };
        let until = failures.latest + secs(self.lockout_secs(failures.count));
        if now >= until {
            return 0;
        }
        let left = until - now;
        let whole = left.num_seconds().max(0) as u64;
        if left > secs(whole) {
            whole + 1
        } else {
            whole
        }
    }

    /// The record after one more failure at `now` (forgotten failures start over).
    pub fn after_failure(&self, failures: Option<&Failures>, now: DateTime<Utc>) -> Failures {
        let count = match failures {
            Some(f) if !self.forgotten(f, now) => f.count.saturating_add(1),
            _ => 1,
        };
        Failures { count, latest: now }
    }
}

/// Policies are constants of a few hours at most; the clamp only keeps the arithmetic total.
fn secs(value: u64) -> Duration {
    const LONGEST: u64 = 100 * 365 * 86_400;
    Duration::seconds(value.min(LONGEST) as i64)
}

/// Failures by key under one policy, holding at most `capacity` keys.
#[derive(Debug, Clone)]
pub struct FailureTable {
    policy: Policy,
    capacity: usize,
    entries: HashMap<String, Failures>,
}

impl FailureTable {
    pub fn new(policy: Policy, capacity: usize) -> Self {
        FailureTable { policy, capacity: capacity.max(1), entries: HashMap::new() }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn wait_secs(&self, key: &str, now: DateTime<Utc>) -> u64 {
        self.policy.wait_secs(self.entries.get(key), now)
    }

    pub fn failures(&self, key: &str) -> u32 {
        self.entries.get(key).map_or(0, |f| f.count)
    }

    /// Counts one failure for `key` at `now`, evicting stale keys first if the table is full.
    pub fn record_failure(&mut self, key: &str, now: DateTime<Utc>) {
        if !self.entries.contains_key(key) && self.entries.len() >= self.capacity {
            self.make_room(now);
        }
        let next = self.policy.after_failure(self.entries.get(key), now);
        self.entries.insert(key.to_string(), next);
    }

    /// Takes back one failure counted in advance for an attempt that did not fail.
    pub fn withdraw_failure(&mut self, key: &str) {
        if let Some(failures) = self.entries.get_mut(key) {
            failures.count = failures.count.saturating_sub(1);
            if failures.count == 0 {
                self.entries.remove(key);
            }
        }
    }

    /// Forgets every failure of `key` (a successful sign-in).
    pub fn clear(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Drops forgotten entries; if none were, the one with the oldest latest failure (the
    /// key under active attack keeps its count the longest).
    fn make_room(&mut self, now: DateTime<Utc>) {
        let policy = self.policy;
        self.entries.retain(|_, failures| !policy.forgotten(failures, now));
        while self.entries.len() >= self.capacity {
            let Some(oldest) = self.entries.iter().min_by_key(|(_, f)| f.latest).map(|(key, _)| key.clone()) else { break };
            self.entries.remove(&oldest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn first_failures_are_free_then_the_lockout_doubles_up_to_the_cap() {
        let lockouts: Vec<u64> = (0..14).map(|n| ACCOUNT.lockout_secs(n)).collect();
        assert_eq!(lockouts, [0, 0, 0, 0, 0, 15, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(ACCOUNT.lockout_secs(u32::MAX), 900);
    }

    #[test]
    fn the_sixth_attempt_after_five_failures_waits() {
        let mut table = FailureTable::new(ACCOUNT, 10);
        for i in 0..5 {
            assert_eq!(table.wait_secs("a@b.de", at(i)), 0, "attempt {}", i + 1);
            table.record_failure("a@b.de", at(i));
        }
        assert_eq!(table.wait_secs("a@b.de", at(4)), 15);
        assert_eq!(table.wait_secs("a@b.de", at(10)), 9);
        assert_eq!(table.wait_secs("a@b.de", at(19)), 0, "the window has passed");
        assert_eq!(table.wait_secs("other@b.de", at(5)), 0, "keys are independent");
    }

    #[test]
    fn partial_seconds_round_up() {
        let failures = Failures { count: 5, latest: at(0) };
        let now = at(0) + Duration::milliseconds(14_500);
        assert_eq!(ACCOUNT.wait_secs(Some(&failures), now), 1);
    }

    #[test]
    fn old_failures_are_forgotten() {
        let failures = Failures { count: 9, latest: at(0) };
        let day = ACCOUNT.forget_after_secs as i64;
        assert_eq!(ACCOUNT.after_failure(Some(&failures), at(day)).count, 1);
        assert_eq!(ACCOUNT.after_failure(Some(&failures), at(day - 1)).count, 10);
    }

    #[test]
    fn success_clears_and_withdrawal_takes_back_one() {
        let mut table = FailureTable::new(ACCOUNT, 10);
        table.record_failure("k", at(0));
        table.record_failure("k", at(1));
        table.withdraw_failure("k");
        assert_eq!(table.failures("k"), 1);
        table.clear("k");
        assert_eq!(table.failures("k"), 0);
        assert!(table.is_empty());
    }

    #[test]
    fn a_full_table_evicts_forgotten_then_stalest_keys() {
        let mut table = FailureTable::new(ACCOUNT, 3);
        table.record_failure("old", at(0));
        table.record_failure("b", at(100_000));
        table.record_failure("c", at(100_001));
        table.record_failure("d", at(100_002));
        assert_eq!(table.len(), 3);
        assert_eq!(table.failures("old"), 0, "forgotten entries go first");
        table.record_failure("c", at(100_003));
        table.record_failure("e", at(100_004));
        assert_eq!(table.len(), 3);
        assert_eq!(table.failures("b"), 0, "then the one with the oldest failure");
        assert_eq!(table.failures("c"), 2);
    }

    proptest! {
        #[test]
        fn the_lockout_never_shrinks_as_failures_grow_and_is_capped(
            free in 0u32..10, first in 1u64..120, max in 1u64..7200, failures in 0u32..200,
        ) {
            let policy = Policy { free_failures: free, first_lockout_secs: first, max_lockout_secs: max, forget_after_secs: 86_400 };
            prop_assert!(policy.lockout_secs(failures) <= policy.lockout_secs(failures + 1));
            prop_assert!(policy.lockout_secs(failures) <= max);
            prop_assert_eq!(policy.lockout_secs(failures) == 0, failures < free);
        }

        #[test]
        fn the_wait_never_shrinks_as_failures_grow(count in 0u32..100, elapsed_ms in 0i64..2_000_000) {
            let now = at(0) + Duration::milliseconds(elapsed_ms);
            let fewer = ACCOUNT.wait_secs(Some(&Failures { count, latest: at(0) }), now);
            let more = ACCOUNT.wait_secs(Some(&Failures { count: count + 1, latest: at(0) }), now);
            prop_assert!(fewer <= more);
            prop_assert!(more <= ACCOUNT.max_lockout_secs);
        }

        #[test]
        fn the_table_stays_within_capacity(keys in proptest::collection::vec(0u16..500, 0..400), capacity in 1usize..50) {
            let mut table = FailureTable::new(ADDRESS, capacity);
            for (i, key) in keys.iter().enumerate() {
                table.record_failure(&key.to_string(), at(i as i64));
                prop_assert!(table.len() <= capacity);
            }
        }
    }
}
