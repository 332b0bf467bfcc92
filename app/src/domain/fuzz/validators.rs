//! Text fields, tickets, customers, ratings and passwords.

use super::*;

// ---------------------------------------------------------------------------------------------
// validate: names, text, tags, email, customers, tickets, ratings, passwords
// ---------------------------------------------------------------------------------------------

type NameValidator = fn(&str) -> Result<String, AppError>;

const NAME_VALIDATORS: [(&str, NameValidator, usize); 5] = [
    ("title", validate::title, TITLE_MAX),
    ("stage_name", validate::stage_name, STAGE_NAME_MAX),
    ("rule_name", validate::rule_name, RULE_NAME_MAX),
    ("queue_name", validate::queue_name, QUEUE_NAME_MAX),
    ("qualification_name", validate::qualification_name, QUALIFICATION_NAME_MAX),
];

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn names_are_trimmed_required_and_bounded(value in prop_oneof![text(), near_limit(TITLE_MAX), near_limit(RULE_NAME_MAX), near_limit(STAGE_NAME_MAX)]) {
        for (what, check, max) in NAME_VALIDATORS {
            let got = outcome(check(&value))?;
            prop_assert_eq!(&got, &required_model(&value, max), "{}", what);
            if let Some(name) = got {
                check_clean_name(&name, &value, max)?;
            }
        }
    }

    #[test]
    fn descriptions_are_bounded_and_trimmed_at_the_end(value in prop_oneof![text(), near_limit(DESCRIPTION_MAX)]) {
        match outcome(validate::description(&value))? {
            Some(description) => {
                prop_assert_eq!(&description, value.trim_end());
                prop_assert!(chars(&description) <= DESCRIPTION_MAX);
            }
            None => prop_assert!(chars(&value) > DESCRIPTION_MAX),
        }
        if chars(&value) <= DESCRIPTION_MAX {
            prop_assert!(validate::description(&value).is_ok());
        }
        if chars(value.trim_end()) > DESCRIPTION_MAX {
            prop_assert!(validate::description(&value).is_err());
        }
    }

    #[test]
    fn tags_are_normalised_deduplicated_and_bounded(values in tag_list()) {
        let expected = tags_model(&values);
        match outcome(validate::tags(&values))? {
            Some(tags) => {
                check_clean_tags(&tags)?;
                prop_assert_eq!(Some(&tags), expected.as_ref());
                // Cleaning is idempotent: cleaned tags pass unchanged.
                prop_assert_eq!(validate::tags(&tags), Ok(tags.clone()));
            }
            None => prop_assert!(expected.is_none() || values.len() > TAGS_MAX, "refused although valid: {values:?}"),
        }
    }

    #[test]
    fn emails_are_trimmed_and_plausible_when_accepted(value in email_text()) {
        if let Some(email) = outcome(validate::email(&value))? {
            check_email(&email, &value)?;
            prop_assert_eq!(validate::email(&email), Ok(email.clone()));
        }
    }

    #[test]
    fn plausible_addresses_are_accepted_and_broken_ones_refused(
        local in "[a-z0-9][a-z0-9.+_-]{0,30}",
        domain in "[a-z0-9-]{1,20}(\\.[a-z0-9-]{1,10}){1,3}",
        pad in "[ \t]{0,2}",
        at in 0usize..64,
    ) {
        let address = format!("{local}@{domain}");
        let padded = format!("{pad}{address}{pad}");
        prop_assert_eq!(validate::email(&padded), Ok(address.clone()));
        let spaced = format!("{}{}", &address[..at.min(address.len())], format_args!(" {}", &address[at.min(address.len())..]));
        let spaced = format!("x{spaced}x");
        prop_assert!(matches!(validate::email(&spaced), Err(AppError::Invalid(_))), "{spaced:?}");
        prop_assert!(matches!(validate::email(&address.replace('@', "")), Err(AppError::Invalid(_))));
        prop_assert!(matches!(validate::email(&address.replace('@', "@@")), Err(AppError::Invalid(_))));
        let trailing_dot = format!("{local}@{domain}.");
        prop_assert!(matches!(validate::email(&trailing_dot), Err(AppError::Invalid(_))));
        let too_long = format!("{}@{domain}", "a".repeat(EMAIL_MAX));
        prop_assert!(matches!(validate::email(&too_long), Err(AppError::Invalid(_))));
    }

}

proptest! {
    // Customers and tickets are expensive to generate; fewer cases keep the module fast.
    #![proptest_config(config(128))]

    #[test]
    fn new_customers_need_a_bounded_name_and_a_blank_or_plausible_email(value in new_customer_input()) {
        let name_ok = required_model(&value.name, CUSTOMER_NAME_MAX).is_some();
        let email_ok = value.email.trim().is_empty() || validate::email(&value.email).is_ok();
        match outcome(validate::new_customer(&value))? {
            Some(customer) => {
                check_clean_name(&customer.name, &value.name, CUSTOMER_NAME_MAX)?;
                if value.email.trim().is_empty() {
                    prop_assert_eq!(&customer.email, "");
                } else {
                    check_email(&customer.email, &value.email)?;
                }
                prop_assert_eq!(&customer.account_name, value.account_name.trim());
            }
            // An account name longer than a customer name may be refused too.
            None => prop_assert!(!name_ok || !email_ok || chars(value.account_name.trim()) > CUSTOMER_NAME_MAX, "refused although valid: {value:?}"),
        }
    }

    #[test]
    fn tickets_are_cleaned_field_by_field(input in ticket_input()) {
        let new_customer = input.new_customer.as_ref().map(validate::new_customer).transpose();
        let expected = (|| {
            let new_customer = new_customer.ok()?;
            if new_customer.is_some() && (input.contact_id.is_some() || input.account_id.is_some()) {
                return None;
            }
            Some(TicketInput {
                title: required_model(&input.title, TITLE_MAX)?,
                description: validate::description(&input.description).ok()?,
                tags: tags_model(&input.tags)?,
                new_customer,
                ..input.clone()
            })
        })();
        match outcome(validate::ticket(&input))? {
            Some(ticket) => {
                check_clean_name(&ticket.title, &input.title, TITLE_MAX)?;
                prop_assert!(chars(&ticket.description) <= DESCRIPTION_MAX);
                check_clean_tags(&ticket.tags)?;
                prop_assert!(ticket.new_customer.is_none() || (ticket.contact_id.is_none() && ticket.account_id.is_none()));
                prop_assert_eq!(Some(ticket), expected);
            }
            None => prop_assert!(expected.is_none() || input.tags.len() > TAGS_MAX, "refused although valid: {input:?}"),
        }
    }

}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn ratings_lie_on_the_scale(scale_max in rating_value(), value in rating_value()) {
        let qualification = Qualification { id: 1, name: "Networking".into(), kind: QualificationKind::Technical, scale_max };
        let got = outcome(validate::rating(&qualification, value))?;
        prop_assert_eq!(got, (1..=scale_max).contains(&value).then_some(value));
        let got = outcome(validate::scale_max(scale_max))?;
        prop_assert_eq!(got, (1..=SCALE_MAX).contains(&scale_max).then_some(scale_max));
    }

    #[test]
    fn requirements_are_known_unique_and_on_scale(
        known in prop::collection::vec((0i64..6, rating_value()), 0..5),
        given in prop::collection::vec((prop_oneof![3 => -1i64..7, 1 => any::<i64>()], rating_value()), 0..8),
    ) {
        let known: Vec<Qualification> = known
            .into_iter()
            .map(|(id, scale_max)| Qualification { id, name: format!("Q{id}"), kind: QualificationKind::Soft, scale_max })
            .collect();
        let given: Vec<Requirement> = given.into_iter().map(|(qualification_id, min_rating)| Requirement { qualification_id, min_rating }).collect();
        let got = outcome(validate::requirements(&given, &known))?;
        if let Some(checked) = &got {
            prop_assert!(checked.iter().map(|r| r.qualification_id).collect::<HashSet<_>>().len() == checked.len());
            for need in checked {
                let q = known.iter().find(|q| q.id == need.qualification_id);
                prop_assert!(q.is_some_and(|q| (1..=q.scale_max).contains(&need.min_rating)), "{need:?}");
            }
        }
        prop_assert_eq!(got, requirements_model(&given, &known));
    }

    #[test]
    fn passwords_need_eight_characters(value in prop_oneof![text(), "[a-zü😀 ]{0,12}"]) {
        let got = outcome(validate::password(&value))?;
        if got.is_some() {
            prop_assert!(chars(&value) >= 8);
        }
        if chars(&value) < 8 {
            prop_assert!(got.is_none(), "{value:?}");
        }
        // Any upper bound leaves room for a long passphrase.
        if (8..=64).contains(&chars(&value)) {
            prop_assert!(got.is_some(), "{value:?}");
        }
    }
}

#[test]
fn sixty_thousand_distinct_tags_are_refused() {
    let many: Vec<String> = (0..60_000).map(|i| format!("tag{i}")).collect();
    assert!(matches!(validate::tags(&many), Err(AppError::Invalid(_))));
    let mut ticket = TicketInput::quick(1, "Printer jams");
    ticket.tags = many;
    assert!(matches!(validate::ticket(&ticket), Err(AppError::Invalid(_))));
}

#[test]
fn tags_at_the_limit_pass_and_one_more_is_refused() {
    let exactly: Vec<String> = (0..TAGS_MAX).map(|i| format!(" Tag{i} ")).collect();
    let cleaned = validate::tags(&exactly).unwrap();
    assert_eq!(cleaned.len(), TAGS_MAX);
    assert_eq!(cleaned[0], "tag0");
    let one_more: Vec<String> = (0..=TAGS_MAX).map(|i| format!("tag{i}")).collect();
    assert!(matches!(validate::tags(&one_more), Err(AppError::Invalid(_))));
    assert!(matches!(validate::tags(&["x".repeat(TAG_MAX + 1)]), Err(AppError::Invalid(_))));
    assert_eq!(validate::tags(&["ü".repeat(TAG_MAX)]).unwrap(), vec!["ü".repeat(TAG_MAX)], "characters, not bytes");
    let repeated = vec!["VPN".to_string(); 60_000];
    if let Ok(tags) = validate::tags(&repeated) {
        assert_eq!(tags, vec!["vpn"]);
    }
}

#[test]
fn sixty_thousand_requirements_are_refused() {
    let known = [Qualification { id: 1, name: "Networking".into(), kind: QualificationKind::Technical, scale_max: 10 }];
    let same: Vec<Requirement> = vec![Requirement { qualification_id: 1, min_rating: 5 }; 60_000];
    assert!(matches!(validate::requirements(&same, &known), Err(AppError::Invalid(_))));
    let unknown: Vec<Requirement> = (0..60_000).map(|i| Requirement { qualification_id: i + 2, min_rating: 1 }).collect();
    assert!(matches!(validate::requirements(&unknown, &known), Err(AppError::Invalid(_))));
}

/// A megabyte of account name is not a customer (issue: every length is bounded).
#[test]
fn a_huge_account_name_is_refused() {
    let customer = NewCustomer { name: "Eve".into(), email: String::new(), account_name: "A".repeat(1_000_000) };
    assert!(matches!(validate::new_customer(&customer), Err(AppError::Invalid(_))), "an account name of 1,000,000 characters was accepted");
}

/// A megabyte of password is hashed by argon2 on every login attempt (issue: every length is bounded).
#[test]
fn a_huge_password_is_refused() {
    assert!(matches!(validate::password(&"p".repeat(1_000_000)), Err(AppError::Invalid(_))), "a password of 1,000,000 characters was accepted");
}
