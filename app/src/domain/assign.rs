//! Who gets the next ticket (SPEC S3): load balancing, round-robin, availability, skills.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::model::AssignmentMethod as Method;

/// One team member as the strategies see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub user_id: i64,
    pub open: i64,
    pub total: i64,
    /// False while the member is on time off.
    pub available: bool,
}

/// The member who gets the next ticket, or `None` when nobody is available.
/// Ties go to the lowest user id so that the choice is reproducible.
/// `last_assigned` is the member the previous round-robin turn went to.
pub fn choose(method: Method, candidates: &[Candidate], last_assigned: Option<i64>) -> Option<i64> {
    let available = candidates.iter().filter(|c| c.available);
    match method {
        Method::EqualTotal => available.min_by_key(|c| (c.total, c.user_id)).map(|c| c.user_id),
        Method::EqualOpen => available.min_by_key(|c| (c.open, c.total, c.user_id)).map(|c| c.user_id),
        Method::RoundRobin => {
            let mut ids: Vec<i64> = available.map(|c| c.user_id).collect();
            ids.sort_unstable();
            let after_last = last_assigned.and_then(|last| ids.iter().find(|id| **id > last).copied());
            after_last.or_else(|| ids.first().copied())
        }
    }
}

/// An absence from `from` (inclusive) to `until` (exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Absence {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

pub fn is_available(absences: &[Absence], now: DateTime<Utc>) -> bool {
    !absences.iter().any(|a| a.from <= now && now < a.until)
}

/// A qualification held with a rating, or required with a minimum rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub qualification_id: i64,
    pub rating: i64,
}

/// Whether someone holding `held` meets every requirement (a rating equal to the minimum suffices).
pub fn qualifies(held: &[Rating], required: &[Rating]) -> bool {
    required
        .iter()
        .all(|need| held.iter().any(|have| have.qualification_id == need.qualification_id && have.rating >= need.rating))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn team(size: usize) -> Vec<Candidate> {
        (0..size).map(|i| Candidate { user_id: 10 + i as i64, open: 0, total: 0, available: true }).collect()
    }

    fn assign(members: &mut [Candidate], chosen: i64) {
        let member = members.iter_mut().find(|c| c.user_id == chosen).unwrap();
        member.open += 1;
        member.total += 1;
    }

    proptest! {
        #[test]
        fn equal_total_keeps_totals_within_one(size in 1usize..12, tickets in 0usize..300, closes in proptest::collection::vec(0usize..12, 0..100)) {
            let mut members = team(size);
            for (step, _) in (0..tickets).enumerate() {
                // Closing tickets must not matter to equal-total.
                if let Some(i) = closes.get(step).filter(|i| **i < size && members[**i].open > 0) {
                    members[*i].open -= 1;
                }
                let chosen = choose(Method::EqualTotal, &members, None).unwrap();
                assign(&mut members, chosen);
                let totals: Vec<i64> = members.iter().map(|c| c.total).collect();
                prop_assert!(totals.iter().max().unwrap() - totals.iter().min().unwrap() <= 1);
            }
        }

        #[test]
        fn equal_open_always_picks_a_least_loaded_available_member(
            loads in proptest::collection::vec((0i64..20, 0i64..50, any::<bool>()), 1..12),
        ) {
            let members: Vec<Candidate> = loads.iter().enumerate()
                .map(|(i, (open, extra, available))| Candidate { user_id: i as i64, open: *open, total: open + extra, available: *available })
                .collect();
            match choose(Method::EqualOpen, &members, None) {
                None => prop_assert!(members.iter().all(|c| !c.available)),
                Some(id) => {
                    let chosen = members.iter().find(|c| c.user_id == id).unwrap();
                    prop_assert!(chosen.available);
                    prop_assert!(members.iter().filter(|c| c.available).all(|c| c.open >= chosen.open));
                }
            }
        }

        #[test]
        fn equal_open_spreads_a_burst_evenly(size in 1usize..12, tickets in 0usize..200) {
            let mut members = team(size);
            for _ in 0..tickets {
                let chosen = choose(Method::EqualOpen, &members, None).unwrap();
                assign(&mut members, chosen);
            }
            let open: Vec<i64> = members.iter().map(|c| c.open).collect();
            prop_assert!(open.iter().max().unwrap() - open.iter().min().unwrap() <= 1);
        }

        #[test]
        fn nobody_on_time_off_is_ever_chosen(
            availability in proptest::collection::vec(any::<bool>(), 1..12),
            method in prop_oneof![Just(Method::EqualTotal), Just(Method::EqualOpen), Just(Method::RoundRobin)],
            last in proptest::option::of(0i64..12),
        ) {
            let members: Vec<Candidate> = availability.iter().enumerate()
                .map(|(i, available)| Candidate { user_id: i as i64, open: 0, total: 0, available: *available })
                .collect();
            match choose(method, &members, last) {
                Some(id) => prop_assert!(members[id as usize].available),
                None => prop_assert!(availability.iter().all(|a| !a)),
            }
        }

        #[test]
        fn round_robin_visits_everyone_in_turn_from_any_restart_point(size in 1usize..12, start in proptest::option::of(0i64..40)) {
            let members = team(size);
            // The only state is the last member served, so a restart resumes the same order.
            let mut last = start;
            let mut seen = Vec::new();
            for _ in 0..size {
                let chosen = choose(Method::RoundRobin, &members, last).unwrap();
                seen.push(chosen);
                last = Some(chosen);
            }
            let mut sorted = seen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), size, "each member once per round: {:?}", seen);
            prop_assert!(seen.windows(2).all(|w| w[0] < w[1] || w[1] == members[0].user_id));
        }
    }

    #[test]
    fn round_robin_skips_absent_members_and_wraps() {
        let mut members = team(3);
        members[1].available = false;
        assert_eq!(choose(Method::RoundRobin, &members, Some(10)), Some(12));
        assert_eq!(choose(Method::RoundRobin, &members, Some(12)), Some(10));
        assert_eq!(choose(Method::RoundRobin, &members, None), Some(10));
        assert_eq!(choose(Method::RoundRobin, &[], None), None);
    }

    #[test]
    fn absences_cover_from_inclusive_until_exclusive() {
        let now = Utc::now();
        let away = [Absence { from: now, until: now + Duration::days(2) }];
        assert!(!is_available(&away, now));
        assert!(!is_available(&away, now + Duration::days(2) - Duration::seconds(1)));
        assert!(is_available(&away, now + Duration::days(2)));
        assert!(is_available(&away, now - Duration::seconds(1)));
        assert!(is_available(&[], now));
    }

    #[test]
    fn qualification_matching_at_the_rating_boundaries() {
        let held = [Rating { qualification_id: 1, rating: 7 }, Rating { qualification_id: 2, rating: 3 }];
        assert!(qualifies(&held, &[]));
        assert!(qualifies(&held, &[Rating { qualification_id: 1, rating: 7 }]), "equal to the minimum suffices");
        assert!(!qualifies(&held, &[Rating { qualification_id: 1, rating: 8 }]), "one below the minimum does not");
        assert!(qualifies(&held, &[Rating { qualification_id: 1, rating: 6 }, Rating { qualification_id: 2, rating: 3 }]));
        assert!(!qualifies(&held, &[Rating { qualification_id: 3, rating: 1 }]), "a qualification not held at all");
    }
}
