//! Card order inside a column as fractional positions: a move rewrites one row only.

/// Gap left between cards appended at the end of a column.
pub const STEP: f64 = 1024.0;

/// A position strictly between the neighbours a card is dropped between.
/// `before` is the card that will precede it, `after` the one that will follow.
pub fn between(before: Option<f64>, after: Option<f64>) -> f64 {
    match (before, after) {
        (None, None) => STEP,
        (Some(b), None) => b + STEP,
        (None, Some(a)) => a - STEP,
        (Some(b), Some(a)) => b + (a - b) / 2.0,
    }
}

/// Whether two neighbours are so close that no distinct midpoint exists any more,
/// so the column should be renumbered.
pub fn exhausted(before: f64, after: f64) -> bool {
    let mid = between(Some(before), Some(after));
    !(mid > before && mid < after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn appends_and_prepends_leave_room() {
        assert_eq!(between(None, None), STEP);
        assert_eq!(between(Some(STEP), None), 2.0 * STEP);
        assert_eq!(between(None, Some(STEP)), 0.0);
    }

    proptest! {
        #[test]
        fn midpoint_is_strictly_between_distinct_neighbours(a in -1e9f64..1e9, gap in 1e-3f64..1e9) {
            let b = a + gap;
            let mid = between(Some(a), Some(b));
            prop_assert!(a < mid && mid < b);
            prop_assert!(!exhausted(a, b));
        }
    }

    #[test]
    fn repeated_halving_is_detected_before_positions_collide() {
        let (low, mut high) = (0.0, 1.0);
        let mut steps = 0;
        while !exhausted(low, high) {
            high = between(Some(low), Some(high));
            steps += 1;
        }
        assert!(steps > 50, "room for many inserts at one spot: {steps}");
    }
}
