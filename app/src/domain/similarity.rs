//! How alike two tickets are, for merging and for "possible duplicates":
//!
//! `score = 0.5 · title + 0.3 · description + 0.2 · customer`
//!
//! where `title` and `description` are the Jaccard index (shared words / all words) of the two
//! texts' word sets — lower-cased runs of letters and digits, at least two characters long,
//! without common English and German stop words — and `customer` is 1 for the same contact
//! (or the same account and no contact), 0.5 for the same account only, 0 otherwise. A part
//! that neither ticket has (no description words on either, no customer on either) says
//! nothing: it is left out and the other weights scale up, so two short tickets without
//! descriptions are not alike merely for lacking one. The score lies in [0, 1], does not depend
//! on the order of the two tickets, and identical tickets score 1.

use std::collections::BTreeSet;

/// What the score looks at of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compared<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub contact_id: Option<i64>,
    pub account_id: Option<i64>,
}

pub const TITLE_WEIGHT: f64 = 0.5;
pub const DESCRIPTION_WEIGHT: f64 = 0.3;
pub const CUSTOMER_WEIGHT: f64 = 0.2;

/// Below this score a ticket is not offered as a possible duplicate.
pub const DUPLICATE_THRESHOLD: f64 = 0.3;

/// Words too common to say anything about what a ticket is about.
const STOP_WORDS: &[&str] = &[
    // English
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "does", "for", "from", "has", "have", "how", "i", "in", "is", "it",
    "its", "me", "my", "no", "not", "of", "on", "or", "our", "please", "so", "that", "the", "this", "to", "was", "we", "with", "you", "your",
    // German
    "aber", "auch", "auf", "aus", "bei", "bitte", "das", "dem", "den", "der", "die", "ein", "eine", "einen", "es", "fur", "für", "hat", "ich",
    "im", "ist", "mit", "nicht", "noch", "sie", "und", "von", "wir", "zu", "zum", "zur",
];

/// The distinct meaningful words of a text, lower-cased.
pub fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|word| word.chars().count() >= 2 && !STOP_WORDS.contains(&word.as_str()))
        .collect()
}

/// Shared words over all words of the two sets; 1 when both are empty.
pub fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 1.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// 1 for the same customer (the same contact, or the same account and no contact on either),
/// 0.5 for the same account only, 0 otherwise.
pub fn customer_similarity(a: &Compared, b: &Compared) -> f64 {
    let same_contact = a.contact_id.is_some() && a.contact_id == b.contact_id;
    if same_contact || (a.contact_id, a.account_id) == (b.contact_id, b.account_id) {
        1.0
    } else if a.account_id.is_some() && a.account_id == b.account_id {
        0.5
    } else {
        0.0
    }
}

fn has_customer(t: &Compared) -> bool {
    t.contact_id.is_some() || t.account_id.is_some()
}

pub fn score(a: &Compared, b: &Compared) -> f64 {
    let (title_a, title_b) = (words(a.title), words(b.title));
    let (description_a, description_b) = (words(a.description), words(b.description));
    // (weight, whether either ticket has the part, similarity of the part)
    let parts = [
        (TITLE_WEIGHT, !(title_a.is_empty() && title_b.is_empty()), jaccard(&title_a, &title_b)),
        (DESCRIPTION_WEIGHT, !(description_a.is_empty() && description_b.is_empty()), jaccard(&description_a, &description_b)),
        (CUSTOMER_WEIGHT, has_customer(a) || has_customer(b), customer_similarity(a, b)),
    ];
    let (weighted, weights) =
        parts.iter().filter(|(_, present, _)| *present).fold((0.0, 0.0), |(sum, total), (weight, _, part)| (sum + weight * part, total + weight));
    if weights == 0.0 {
        // Nothing to compare on either side: nothing tells them apart.
        return 1.0;
    }
    (weighted / weights).clamp(0.0, 1.0)
}

/// A score as people read it: "73 %".
pub fn percent(score: f64) -> String {
    format!("{} %", (score * 100.0).round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ticket<'a>(title: &'a str, description: &'a str, contact_id: Option<i64>, account_id: Option<i64>) -> Compared<'a> {
        Compared { title, description, contact_id, account_id }
    }

    #[test]
    fn words_are_lowercased_without_stop_words_and_single_letters() {
        let found: Vec<String> = words("The Printer on floor 3 is OFFLINE, bitte prüfen: Drucker-Störung x").into_iter().collect();
        assert_eq!(found, ["drucker", "floor", "offline", "printer", "prüfen", "störung"]);
    }

    #[test]
    fn customer_counts_contact_over_account() {
        let base = ticket("", "", Some(1), Some(10));
        assert_eq!(customer_similarity(&base, &ticket("", "", Some(1), Some(10))), 1.0);
        assert_eq!(customer_similarity(&base, &ticket("", "", Some(2), Some(10))), 0.5);
        assert_eq!(customer_similarity(&base, &ticket("", "", None, Some(11))), 0.0);
        assert_eq!(customer_similarity(&base, &ticket("", "", None, None)), 0.0);
        assert_eq!(customer_similarity(&ticket("", "", None, Some(10)), &ticket("", "", None, Some(10))), 1.0);
    }

    #[test]
    fn the_weights_add_up_to_one() {
        assert!((TITLE_WEIGHT + DESCRIPTION_WEIGHT + CUSTOMER_WEIGHT - 1.0).abs() < 1e-12);
    }

    #[test]
    fn scores_order_tickets_by_likeness() {
        let original = ticket("VPN drops every hour", "The VPN client disconnects every hour since the update.", Some(1), Some(10));
        let same_problem_same_person = ticket("VPN drops hourly", "Since the update the VPN client disconnects.", Some(1), Some(10));
        let same_problem_colleague = ticket("VPN drops hourly", "Since the update the VPN client disconnects.", Some(2), Some(10));
        let other_problem = ticket("Invoice address wrong", "Please change the invoice address.", Some(1), Some(10));
        let unrelated = ticket("Printer jam", "Paper stuck in tray 2.", Some(3), Some(30));
        let scores: Vec<f64> = [same_problem_same_person, same_problem_colleague, other_problem, unrelated].iter().map(|t| score(&original, t)).collect();
        assert!(scores.windows(2).all(|pair| pair[0] > pair[1]), "{scores:?}");
        assert!(scores[0] > DUPLICATE_THRESHOLD && scores[3] < DUPLICATE_THRESHOLD, "{scores:?}");
    }

    #[test]
    fn parts_neither_ticket_has_are_left_out() {
        let short = |title| ticket(title, "", None, None);
        assert_eq!(score(&short("Printer jam"), &short("VPN down")), 0.0, "lacking a description is no likeness");
        assert_eq!(score(&short("Printer jam"), &short("Printer jam")), 1.0);
        let half = score(&ticket("Printer jam", "", Some(1), None), &ticket("Printer jam", "", Some(2), None));
        assert!((half - TITLE_WEIGHT / (TITLE_WEIGHT + CUSTOMER_WEIGHT)).abs() < 1e-12, "{half}");
    }

    #[test]
    fn percent_rounds() {
        assert_eq!(percent(0.734), "73 %");
        assert_eq!(percent(1.0), "100 %");
    }

    fn any_ticket() -> impl Strategy<Value = (String, String, Option<i64>, Option<i64>)> {
        ("[a-zA-Z0-9 äöü,.-]{0,40}", "[a-zA-Z0-9 äöü,.-]{0,80}", proptest::option::of(1i64..4), proptest::option::of(1i64..3))
    }

    proptest! {
        #[test]
        fn score_is_symmetric_and_bounded(a in any_ticket(), b in any_ticket()) {
            let (x, y) = (ticket(&a.0, &a.1, a.2, a.3), ticket(&b.0, &b.1, b.2, b.3));
            let (forward, backward) = (score(&x, &y), score(&y, &x));
            prop_assert_eq!(forward, backward);
            prop_assert!((0.0..=1.0).contains(&forward));
        }

        #[test]
        fn identical_tickets_score_one(a in any_ticket()) {
            let x = ticket(&a.0, &a.1, a.2, a.3);
            prop_assert_eq!(score(&x, &x), 1.0);
        }

        #[test]
        fn a_shared_word_never_lowers_title_similarity(a in "[a-z ]{0,40}", b in "[a-z ]{0,40}", word in "[a-z]{2,10}") {
            let before = jaccard(&words(&a), &words(&b));
            let after = jaccard(&words(&format!("{a} {word}")), &words(&format!("{b} {word}")));
            prop_assert!(after >= before, "{} < {}", after, before);
        }
    }
}
