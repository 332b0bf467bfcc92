//! Compact ages for cards ("5m", "3h", "2d").

use chrono::{DateTime, Utc};

pub fn compact(since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let seconds = (now - since).num_seconds().max(0);
    match seconds {
        s if s < 60 => "now".to_string(),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s if s < 86_400 * 60 => format!("{}d", s / 86_400),
        s => format!("{}mo", s / (86_400 * 30)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn picks_the_largest_whole_unit() {
        let now = Utc::now();
        assert_eq!(compact(now - Duration::seconds(30), now), "now");
        assert_eq!(compact(now - Duration::minutes(59), now), "59m");
        assert_eq!(compact(now - Duration::hours(5), now), "5h");
        assert_eq!(compact(now - Duration::days(3), now), "3d");
        assert_eq!(compact(now - Duration::days(90), now), "3mo");
        assert_eq!(compact(now + Duration::hours(1), now), "now");
    }
}
