//! Human-readable ticket references such as `HD-1042`.

const PREFIX: &str = "HD-";

/// The first number handed out on a fresh install.
pub const FIRST_NUMBER: i64 = 1001;

pub fn format(number: i64) -> String {
    format!("{PREFIX}{number}")
}

/// Accepts `HD-1042` (any letter case); rejects anything else.
pub fn parse(reference: &str) -> Option<i64> {
    let trimmed = reference.trim();
    let digits = trimmed
        .get(..PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
        .map(|_| &trimmed[PREFIX.len()..])?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format(1042), "HD-1042");
        assert_eq!(parse("HD-1042"), Some(1042));
        assert_eq!(parse("hd-7"), Some(7));
    }

    #[test]
    fn rejects_malformed_references() {
        for bad in ["", "HD-", "1042", "HD-12a", "HD--1", "XX-1", "HD-+1", "HD-99999999999999999999", "ÄD-1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn every_number_round_trips(n in 0i64..i64::MAX / 1000) {
            proptest::prop_assert_eq!(parse(&format(n)), Some(n));
        }
    }
}
