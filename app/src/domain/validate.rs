//! Input rules with messages a person can act on.

use crate::error::AppError;
use crate::model::{AccountInput, ContactInput, NewCustomer, Qualification, Requirement, TicketInput};

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const MESSAGE_MAX: usize = 20_000;
/// Files attached to one message.
pub const MESSAGE_ATTACHMENTS_MAX: usize = 20;
pub const TAG_MAX: usize = 40;
pub const TAGS_MAX: usize = 20;
pub const STAGE_NAME_MAX: usize = 60;
pub const QUALIFICATION_NAME_MAX: usize = 60;
pub const QUEUE_NAME_MAX: usize = 60;
pub const TEAM_NAME_MAX: usize = 60;
pub const ORGANISATION_NAME_MAX: usize = 100;
pub const RULE_NAME_MAX: usize = 80;
pub const REQUIREMENTS_MAX: usize = 30;
pub const PASSWORD_MAX: usize = 1_024;
pub const CUSTOMER_NAME_MAX: usize = 120;
pub const PHONE_MAX: usize = 40;
pub const ADDRESS_MAX: usize = 500;
pub const WEBSITE_MAX: usize = 200;
pub const JOB_TITLE_MAX: usize = 120;
pub const NOTES_MAX: usize = 5_000;
pub const PERSON_NAME_MAX: usize = 120;
pub const SERVICE_ORDER_MAX: usize = 60;
/// How many tickets one merge takes, the survivor included.
pub const MERGE_MIN: usize = 2;
pub const MERGE_MAX: usize = 10;
/// The longest search text a list takes.
pub const SEARCH_MAX: usize = 200;
/// The largest rating scale a qualification may use.
pub const SCALE_MAX: i64 = 100;

fn required(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::Invalid(format!("{field} is required.")));
    }
    if value.chars().count() > max {
        return Err(AppError::Invalid(format!("{field} is longer than {max} characters.")));
    }
    Ok(value.to_string())
}

/// How much of a refused value a message repeats: enough to recognise it, never the whole of a
/// huge request.
pub const QUOTE_MAX: usize = 40;

/// A refused value as a message quotes it, trimmed and cut short.
pub fn quoted(value: &str) -> String {
    let value = value.trim();
    let mut shown: String = value.chars().take(QUOTE_MAX).collect();
    if shown.len() < value.len() {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

fn optional(field: &str, value: &str, max: usize) -> Result<String, AppError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(AppError::Invalid(format!("{field} is longer than {max} characters.")));
    }
    Ok(value.to_string())
}

pub fn title(value: &str) -> Result<String, AppError> {
    required("Title", value, TITLE_MAX)
}

pub fn stage_name(value: &str) -> Result<String, AppError> {
    required("Stage name", value, STAGE_NAME_MAX)
}

pub fn description(value: &str) -> Result<String, AppError> {
    if value.chars().count() > DESCRIPTION_MAX {
        return Err(AppError::Invalid(format!("Description is longer than {DESCRIPTION_MAX} characters.")));
    }
    Ok(value.trim_end().to_string())
}

/// Trimmed, lower-cased, without duplicates, in the order given. The list is bounded before any
/// work, so that a huge request costs nothing.
/// A message's Markdown; it may be empty only when files carry the message.
pub fn message_body(value: &str, has_attachments: bool) -> Result<String, AppError> {
    if value.trim().is_empty() && has_attachments {
        return Ok(String::new());
    }
    let body = value.trim_end();
    if body.trim().is_empty() {
        return Err(AppError::Invalid("Write a message (or attach a file) first.".into()));
    }
    if body.chars().count() > MESSAGE_MAX {
        return Err(AppError::Invalid(format!("A message is at most {MESSAGE_MAX} characters long.")));
    }
    Ok(body.to_string())
}

pub fn tags(values: &[String]) -> Result<Vec<String>, AppError> {
    let too_many = || AppError::Invalid(format!("A ticket can have at most {TAGS_MAX} tags."));
    // Room for blanks and repeats that are dropped below, but not for a flood.
    if values.len() > 2 * TAGS_MAX {
        return Err(too_many());
    }
    let too_long = |tag: &str| AppError::Invalid(format!("Tag {} is longer than {TAG_MAX} characters.", quoted(tag)));
    let mut tags: Vec<String> = Vec::new();
    for raw in values {
        let raw = raw.trim();
        // Cheap refusal before lower-casing a huge string; the exact limit is checked after it,
        // since lower-casing can lengthen a word ("İ" becomes two characters).
        if raw.len() > 4 * TAG_MAX {
            return Err(too_long(raw));
        }
        let tag = raw.to_lowercase();
        if tag.chars().count() > TAG_MAX {
            return Err(too_long(&tag));
        }
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        tags.push(tag);
    }
    if tags.len() > TAGS_MAX {
        return Err(too_many());
    }
    Ok(tags)
}

/// A plausible address: one `@`, something before it, a dot in the domain, no spaces.
pub fn email(value: &str) -> Result<String, AppError> {
    let value = value.trim();
    let plausible = value.len() <= 254
        && !value.contains(char::is_whitespace)
        && value
            .split_once('@')
            .is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')
            });
    if plausible {
        Ok(value.to_string())
    } else {
        Err(AppError::Invalid(format!("{} is not a valid email address.", quoted(value))))
    }
}

fn optional_email(value: &str) -> Result<String, AppError> {
    match value.trim() {
        "" => Ok(String::new()),
        given => email(given),
    }
}

/// An account's details, trimmed; the parent is checked against the database by the store.
pub fn account(value: &AccountInput) -> Result<AccountInput, AppError> {
    Ok(AccountInput {
        name: required("Account name", &value.name, CUSTOMER_NAME_MAX)?,
        address: optional("Address", &value.address, ADDRESS_MAX)?,
        phone: optional("Phone", &value.phone, PHONE_MAX)?,
        email: optional_email(&value.email)?,
        website: optional("Website", &value.website, WEBSITE_MAX)?,
        notes: optional("Notes", &value.notes, NOTES_MAX)?,
        parent_id: value.parent_id,
    })
}

/// A contact's details, trimmed; the account is checked against the database by the store.
pub fn contact(value: &ContactInput) -> Result<ContactInput, AppError> {
    Ok(ContactInput {
        name: required("Contact name", &value.name, CUSTOMER_NAME_MAX)?,
        email: optional_email(&value.email)?,
        phone: optional("Phone", &value.phone, PHONE_MAX)?,
        mobile: optional("Mobile", &value.mobile, PHONE_MAX)?,
        job_title: optional("Job title", &value.job_title, JOB_TITLE_MAX)?,
        account_id: value.account_id,
        portal_access: value.portal_access,
    })
}

pub fn new_customer(value: &NewCustomer) -> Result<NewCustomer, AppError> {
    let email = match value.email.trim() {
        "" => String::new(),
        given => email(given)?,
    };
    Ok(NewCustomer {
        name: required("Customer name", &value.name, CUSTOMER_NAME_MAX)?,
        email,
        account_name: optional("Account name", &value.account_name, 120)?,
    })
}

/// The text fields of a ticket, cleaned; ids are checked against the database by the store.
pub fn ticket(input: &TicketInput) -> Result<TicketInput, AppError> {
    let new_customer = input.new_customer.as_ref().map(new_customer).transpose()?;
    if new_customer.is_some() && (input.contact_id.is_some() || input.account_id.is_some()) {
        return Err(AppError::Invalid("Choose an existing customer or create a new one, not both.".into()));
    }
    if input.requirements.len() > REQUIREMENTS_MAX {
        return Err(AppError::Invalid(format!("A ticket can require at most {REQUIREMENTS_MAX} qualifications.")));
    }
    Ok(TicketInput {
        title: title(&input.title)?,
        description: description(&input.description)?,
        tags: tags(&input.tags)?,
        new_customer,
        service_order: optional("Service order", &input.service_order, SERVICE_ORDER_MAX)?,
        ..input.clone()
    })
}

pub fn rule_name(value: &str) -> Result<String, AppError> {
    required("Rule name", value, RULE_NAME_MAX)
}

pub fn person_name(value: &str) -> Result<String, AppError> {
    required("Name", value, PERSON_NAME_MAX)
}

pub fn team_name(value: &str) -> Result<String, AppError> {
    required("Team name", value, TEAM_NAME_MAX)
}

pub fn organisation_name(value: &str) -> Result<String, AppError> {
    required("Organisation name", value, ORGANISATION_NAME_MAX)
}

pub fn queue_name(value: &str) -> Result<String, AppError> {
    required("Queue name", value, QUEUE_NAME_MAX)
}

pub fn qualification_name(value: &str) -> Result<String, AppError> {
    required("Qualification name", value, QUALIFICATION_NAME_MAX)
}

pub fn scale_max(value: i64) -> Result<i64, AppError> {
    if (1..=SCALE_MAX).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::Invalid(format!("The rating scale must end between 1 and {SCALE_MAX}.")))
    }
}

/// A rating (held or required) must lie on the qualification's scale.
pub fn rating(qualification: &Qualification, value: i64) -> Result<i64, AppError> {
    if (1..=qualification.scale_max).contains(&value) {
        Ok(value)
    } else {
        Err(AppError::Invalid(format!("{} is rated from 1 to {}.", qualification.name, qualification.scale_max)))
    }
}

/// Each required qualification once, known, with a minimum on its scale.
pub fn requirements(given: &[Requirement], known: &[Qualification]) -> Result<Vec<Requirement>, AppError> {
    if given.len() > REQUIREMENTS_MAX {
        return Err(AppError::Invalid(format!("A ticket can require at most {REQUIREMENTS_MAX} qualifications.")));
    }
    let mut checked: Vec<Requirement> = Vec::new();
    for need in given {
        let qualification = known
            .iter()
            .find(|q| q.id == need.qualification_id)
            .ok_or_else(|| AppError::Invalid(format!("Qualification {} does not exist.", need.qualification_id)))?;
        if checked.iter().any(|c| c.qualification_id == need.qualification_id) {
            return Err(AppError::Invalid(format!("{} is required twice.", qualification.name)));
        }
        checked.push(Requirement { qualification_id: need.qualification_id, min_rating: rating(qualification, need.min_rating)? });
    }
    Ok(checked)
}

/// Long enough to resist guessing; bounded so that hashing it stays cheap.
pub fn password(value: &str) -> Result<(), AppError> {
    let length = value.chars().count();
    if length < 8 {
        return Err(AppError::Invalid("The password needs at least 8 characters.".into()));
    }
    if length > PASSWORD_MAX {
        return Err(AppError::Invalid(format!("The password can have at most {PASSWORD_MAX} characters.")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(title: &str) -> TicketInput {
        TicketInput::quick(1, title)
    }

    #[test]
    fn blank_or_overlong_titles_are_refused() {
        assert!(matches!(title("   "), Err(AppError::Invalid(m)) if m == "Title is required."));
        assert!(title(&"x".repeat(TITLE_MAX + 1)).is_err());
        assert_eq!(title("  Printer jams  ").unwrap(), "Printer jams");
        assert!(title(&"ü".repeat(TITLE_MAX)).is_ok(), "characters, not bytes, are counted");
    }

    #[test]
    fn tags_are_normalised() {
        let given = vec![" VPN ".into(), "vpn".into(), "".into(), "Billing".into()];
        assert_eq!(tags(&given).unwrap(), vec!["vpn", "billing"]);
        assert!(tags(&vec!["x".repeat(TAG_MAX + 1)]).is_err());
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("t{i}")).collect();
        assert!(tags(&many).is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        for good in ["a@b.de", "first.last+tag@example.co.uk"] {
            assert!(email(good).is_ok(), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.de", "a@@b.de", "a b@c.de", "a@.de", "a@b."] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn requirements_must_be_known_unique_and_on_scale() {
        use crate::model::QualificationKind;
        let known = [Qualification { id: 1, name: "Networking".into(), kind: QualificationKind::Technical, scale_max: 10 }];
        let need = |qualification_id, min_rating| Requirement { qualification_id, min_rating };
        assert_eq!(requirements(&[need(1, 10)], &known).unwrap(), vec![need(1, 10)], "the top of the scale is allowed");
        assert_eq!(requirements(&[need(1, 1)], &known).unwrap(), vec![need(1, 1)]);
        for bad in [vec![need(1, 11)], vec![need(1, 0)], vec![need(2, 5)], vec![need(1, 5), need(1, 6)]] {
            assert!(matches!(requirements(&bad, &known), Err(AppError::Invalid(_))), "{bad:?}");
        }
        assert!(matches!(requirements(&[need(1, 11)], &known), Err(AppError::Invalid(m)) if m == "Networking is rated from 1 to 10."));
        assert!(scale_max(0).is_err() && scale_max(SCALE_MAX + 1).is_err() && scale_max(10).is_ok());
    }

    #[test]
    fn ticket_refuses_both_existing_and_new_customer() {
        let mut both = input("Broken");
        both.contact_id = Some(1);
        both.new_customer = Some(NewCustomer { name: "Eve".into(), ..Default::default() });
        assert!(ticket(&both).is_err());
        let mut nameless = input("Broken");
        nameless.new_customer = Some(NewCustomer::default());
        assert!(ticket(&nameless).is_err());
        assert_eq!(ticket(&input(" Broken ")).unwrap().title, "Broken");
    }

    #[test]
    fn service_orders_are_trimmed_and_bounded() {
        let given = TicketInput { service_order: "  SO-2041 ".into(), ..input("Billable") };
        assert_eq!(ticket(&given).unwrap().service_order, "SO-2041");
        let long = TicketInput { service_order: "9".repeat(SERVICE_ORDER_MAX + 1), ..input("Billable") };
        assert!(matches!(ticket(&long), Err(AppError::Invalid(m)) if m.starts_with("Service order is longer")));
    }
}
