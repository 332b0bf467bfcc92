//! Calendars, holidays, SLA durations, ticket references and stored codes.

use super::*;

// ---------------------------------------------------------------------------------------------
// Calendars and holidays
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_week_is_read_or_refused(days in prop_oneof![4 => prop::collection::vec(day_line(), 7), 1 => prop::collection::vec(day_line(), 0..10)]) {
        let got = outcome(calendar::parse_week(&days))?;
        if days.len() != WEEKDAYS.len() || days.iter().any(|line| chars(line) > DAY_LINE_MAX) {
            prop_assert!(got.is_none(), "{days:?}");
        }
        if let Some(periods) = got {
            check_periods(&periods)?;
            prop_assert!(calendar::validate_periods(&periods).is_ok());
            // Every period is written in at least "H:M-H:M" (7 characters) on a bounded line.
            prop_assert!(periods.len() <= WEEKDAYS.len() * (DAY_LINE_MAX / 7 + 1));
            // What the form shows again reads back the same (printing pads to "HH:MM", so a
            // compact line may print longer than a line may be).
            let printed: Vec<String> = WEEKDAYS.iter().map(|d| calendar::format_day(&periods, *d)).collect();
            if printed.iter().all(|line| chars(line) <= DAY_LINE_MAX) {
                let mut again = calendar::parse_week(&printed).unwrap();
                let mut periods = periods;
                let key = |p: &WorkingPeriod| (p.weekday.num_days_from_monday(), p.start_minute);
                again.sort_by_key(key);
                periods.sort_by_key(key);
                prop_assert_eq!(again, periods);
            }
        }
    }

    #[test]
    fn hours_and_minutes_of_any_size_are_read_or_refused(h in prop_oneof![0u64..30, any::<u64>(), Just(1093), Just(1092), Just(65_535)], m in prop_oneof![0u64..70, any::<u64>()]) {
        let mut week = vec![String::new(); 7];
        week[0] = format!("{h}:{m}-24:00");
        let start = u128::from(h) * 60 + u128::from(m);
        let got = outcome(calendar::parse_week(&week))?;
        if m < 60 && start < u128::from(MINUTES_PER_DAY) {
            prop_assert_eq!(got, Some(vec![WorkingPeriod { weekday: Weekday::Mon, start_minute: start as u16, end_minute: MINUTES_PER_DAY }]));
        } else {
            prop_assert_eq!(got, None);
        }
        week[0] = format!("00:00-{h}:{m}");
        let got = outcome(calendar::parse_week(&week))?;
        if m < 60 && start <= u128::from(MINUTES_PER_DAY) && start > 0 {
            prop_assert_eq!(got, Some(vec![WorkingPeriod { weekday: Weekday::Mon, start_minute: 0, end_minute: start as u16 }]));
        } else {
            prop_assert_eq!(got, None);
        }
    }

    #[test]
    fn valid_weeks_read_back_exactly(week in valid_week(), spaced in any::<bool>()) {
        let separator = if spaced { " ,  " } else { "," };
        let lines: Vec<String> = week
            .iter()
            .map(|periods| periods.iter().map(|(s, e)| format!("{}-{}", clock(*s), clock(*e))).collect::<Vec<_>>().join(separator))
            .collect();
        let expected: Vec<WorkingPeriod> = WEEKDAYS
            .iter()
            .zip(&week)
            .flat_map(|(weekday, periods)| periods.iter().map(|(s, e)| WorkingPeriod { weekday: *weekday, start_minute: *s, end_minute: *e }))
            .collect();
        let periods = calendar::parse_week(&lines);
        if lines.iter().all(|line| chars(line) <= DAY_LINE_MAX) {
            prop_assert_eq!(periods.as_ref(), Ok(&expected));
            for (weekday, line) in WEEKDAYS.iter().zip(&lines) {
                let printed = calendar::format_day(&expected, *weekday);
                prop_assert_eq!(printed.replace(' ', ""), line.replace(' ', ""));
            }
        } else {
            prop_assert!(matches!(periods, Err(AppError::Invalid(_))));
        }
    }

    #[test]
    fn any_periods_are_validated_without_panicking(
        periods in prop::collection::vec((prop::sample::select(WEEKDAYS.to_vec()), prop_oneof![0u16..=1441, any::<u16>()], prop_oneof![0u16..=1441, any::<u16>()]), 0..12),
    ) {
        let periods: Vec<WorkingPeriod> = periods.into_iter().map(|(weekday, start_minute, end_minute)| WorkingPeriod { weekday, start_minute, end_minute }).collect();
        let got = outcome(calendar::validate_periods(&periods))?;
        prop_assert_eq!(got.is_some(), check_periods(&periods).is_ok());
    }

    #[test]
    fn any_holiday_text_is_read_or_refused(text in holiday_text()) {
        let got = outcome(calendar::parse_holidays(&text))?;
        if text.len() > HOLIDAYS_TEXT_MAX {
            prop_assert!(got.is_none(), "{} bytes accepted", text.len());
        }
        if let Some(dates) = got {
            prop_assert!(dates.windows(2).all(|w| w[0] < w[1]), "sorted without repeats: {dates:?}");
            let printed = dates.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            prop_assert_eq!(calendar::parse_holidays(&printed), Ok(dates));
        }
    }

    #[test]
    fn holiday_lists_read_back_sorted_without_repeats(dates in prop::collection::vec((date(), separator()), 0..120)) {
        let text: String = dates.iter().map(|(d, sep)| format!("{d}{sep}")).collect();
        let mut expected: Vec<NaiveDate> = dates.iter().map(|(d, _)| *d).collect();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(calendar::parse_holidays(&text), Ok(expected));
    }
}

#[test]
fn calendar_limits_hold_at_their_edges() {
    let mut week = vec![String::new(); 7];
    week[2] = "1093:00-1100:00".into();
    assert!(matches!(calendar::parse_week(&week), Err(AppError::Invalid(_))), "hours that overflow a u16 of minutes");
    week[2] = "09:00-10:00".to_string() + &",".repeat(DAY_LINE_MAX - 11);
    assert_eq!(calendar::parse_week(&week).unwrap().len(), 1, "exactly the longest line");
    week[2].push(',');
    assert!(matches!(calendar::parse_week(&week), Err(AppError::Invalid(_))), "one character more");
    assert!(matches!(calendar::parse_week(&vec![String::new(); 60_000]), Err(AppError::Invalid(_))));

    let at_limit = format!("{:<width$}", "2026-12-25", width = HOLIDAYS_TEXT_MAX);
    assert_eq!(calendar::parse_holidays(&at_limit).unwrap(), vec![NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]);
    assert!(matches!(calendar::parse_holidays(&format!("{at_limit} ")), Err(AppError::Invalid(_))));
    let many = "2026-12-25,".repeat(1_000_000);
    assert!(matches!(calendar::parse_holidays(&many), Err(AppError::Invalid(_))));
}

// ---------------------------------------------------------------------------------------------
// SLA durations
// ---------------------------------------------------------------------------------------------

fn digits() -> impl Strategy<Value = String> {
    prop_oneof![3 => (0u64..10_000).prop_map(|n| n.to_string()), 1 => any::<u64>().prop_map(|n| n.to_string()), 1 => "0{0,3}[0-9]{1,30}"]
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_duration_text_is_read_or_refused(text in prop_oneof![text(), "[ 0-9hmHM+-]{0,20}", digits()]) {
        if let Some(minutes) = outcome(sla::parse_minutes(&text))? {
            prop_assert!((1..=YEAR_OF_MINUTES).contains(&minutes), "{minutes}");
            prop_assert_eq!(sla::parse_minutes(&sla::format_minutes(minutes)), Ok(minutes));
        }
    }

    #[test]
    fn hours_and_minutes_of_any_size_add_up_or_are_refused(h in digits(), m in digits(), form in 0usize..6) {
        let (hours, minutes): (u128, u128) = (h.parse().unwrap(), m.parse().unwrap());
        let (text, total) = match form {
            0 => (format!("{h}h{m}m"), hours * 60 + minutes),
            1 => (format!(" {h}H   {m}M "), hours * 60 + minutes),
            2 => (format!("{h}h"), hours * 60),
            3 => (format!("{m}m"), minutes),
            4 => (format!("{m}"), minutes),
            _ => (format!("{m}m {h}h"), hours * 60 + minutes),
        };
        let got = outcome(sla::parse_minutes(&text))?;
        let expected = (1..=YEAR_OF_MINUTES as u128).contains(&total).then_some(total as i64);
        prop_assert_eq!(got, expected, "{:?}", text);
    }

    #[test]
    fn every_accepted_duration_round_trips(minutes in 1i64..=YEAR_OF_MINUTES) {
        prop_assert_eq!(sla::parse_minutes(&sla::format_minutes(minutes)), Ok(minutes));
    }

    #[test]
    fn time_left_is_printed_for_any_duration(millis in prop_oneof![(i64::MIN + 1)..=i64::MAX, -100_000_000i64..100_000_000]) {
        let left = Duration::milliseconds(millis);
        let printed = sla::format_left(left);
        prop_assert_eq!(printed.starts_with('+'), left < Duration::zero(), "{}", printed);
        let unsigned = printed.trim_start_matches('+');
        let (days, clock) = unsigned.split_once("d ").unwrap_or(("0", unsigned));
        let parts: Vec<i64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
        let days: i64 = days.parse().unwrap();
        prop_assert_eq!(parts.len(), 3, "{}", printed);
        prop_assert!(parts[1] < 60 && parts[2] < 60 && (days == 0 || parts[0] < 24), "{}", printed);
        prop_assert_eq!(days * 86_400 + parts[0] * 3600 + parts[1] * 60 + parts[2], left.num_seconds().abs());
    }
}

#[test]
fn duration_edges_are_refused() {
    for bad in ["", " ", "0", "-5", "0m", "h", "5x", "5m5", &format!("{}", YEAR_OF_MINUTES + 1), &format!("{}m", i64::MAX), &format!("{}h", i64::MAX / 60 + 1), &"9".repeat(100_000)] {
        assert!(matches!(sla::parse_minutes(bad), Err(AppError::Invalid(_))), "{bad:.40}");
    }
    assert_eq!(sla::parse_minutes(&YEAR_OF_MINUTES.to_string()), Ok(YEAR_OF_MINUTES));
}

// ---------------------------------------------------------------------------------------------
// Ticket references and stored codes
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_reference_text_is_read_or_refused(text in prop_oneof![text(), "[ ]?([hH][dD]|ÄD|H)-?[+-]?[0-9]{0,25}[a ]?"]) {
        if let Some(number) = reference::parse(&text) {
            prop_assert!(number >= 0);
            let trimmed = text.trim();
            let digits = trimmed.get(..3).filter(|p| p.eq_ignore_ascii_case("HD-")).map(|_| &trimmed[3..]).unwrap_or("");
            prop_assert!(!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
            prop_assert_eq!(digits.parse::<i64>().ok(), Some(number));
        }
    }

    #[test]
    fn every_reference_round_trips(n in prop_oneof![0i64..=i64::MAX, Just(i64::MAX), Just(0)], lower in any::<bool>(), pad in "[ \t\n]{0,2}") {
        let formatted = reference::format(n);
        prop_assert_eq!(reference::parse(&formatted), Some(n));
        let typed = if lower { formatted.to_lowercase() } else { formatted };
        let padded = format!("{pad}{typed}{pad}");
        prop_assert_eq!(reference::parse(&padded), Some(n));
    }

    #[test]
    fn negative_or_oversized_numbers_are_not_references(n in i64::MIN..0, digits in "[1-9][0-9]{19,40}") {
        prop_assert_eq!(reference::parse(&reference::format(n)), None);
        let oversized = format!("HD-{digits}");
        prop_assert_eq!(reference::parse(&oversized), None);
    }

    #[test]
    fn stored_codes_parse_only_to_themselves(text in prop_oneof![text(), "[a-z_]{0,16}"]) {
        fn check<T: Copy + std::fmt::Debug + PartialEq>(text: &str, parse: fn(&str) -> Option<T>, as_str: fn(T) -> &'static str) -> Result<(), TestCaseError> {
            if let Some(value) = parse(text) {
                prop_assert_eq!(as_str(value), text);
            }
            Ok(())
        }
        check(&text, Priority::parse, Priority::as_str)?;
        check(&text, Origin::parse, Origin::as_str)?;
        check(&text, StageCategory::parse, StageCategory::as_str)?;
        check(&text, Role::parse, Role::as_str)?;
        check(&text, Visibility::parse, Visibility::as_str)?;
        check(&text, AssignmentMethod::parse, AssignmentMethod::as_str)?;
        check(&text, QualificationKind::parse, QualificationKind::as_str)?;
    }
}
