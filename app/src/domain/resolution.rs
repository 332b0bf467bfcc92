//! Resolving a ticket (SPEC S2, issue 12): a person who moves a ticket into a solved stage gives
//! a resolution code and a note; a parent with open child tickets is solved only on purpose.
//! Moves by rules and background jobs need neither (they never come through here).

use crate::error::AppError;
use crate::model::{ResolutionChoice, ResolutionInput, StageCategory};

/// The longest resolution note.
pub const NOTE_MAX: usize = 5_000;

/// A move resolves the ticket when it enters a solved stage from any other kind of stage; moving
/// between solved stages, or within one, keeps the resolution it has.
pub fn resolves(from: StageCategory, to: StageCategory) -> bool {
    to == StageCategory::Solved && from != StageCategory::Solved
}

/// "1 child ticket is still open", "3 child tickets are still open": the dialog and the refusal
/// say the same.
pub fn open_children_warning(open: i64) -> String {
    if open == 1 {
        "1 child ticket is still open".into()
    } else {
        format!("{open} child tickets are still open")
    }
}

/// What the store knows about a move before it writes it.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub reference: &'a str,
    pub from: StageCategory,
    pub to: StageCategory,
    /// The codes a resolution may name (only looked up when the move resolves).
    pub codes: &'a [ResolutionChoice],
    /// Child tickets not yet closed (only counted when the move resolves).
    pub open_children: i64,
}

/// The resolution to store with the move, cleaned: `None` when the move does not resolve. A move
/// that resolves needs a specific code the dialog offers and a note, and a parent with open
/// children needs `close_with_open_children`; a move that does not resolve takes no resolution.
pub fn check(step: Move, given: Option<&ResolutionInput>) -> Result<Option<ResolutionInput>, AppError> {
    if !resolves(step.from, step.to) {
        return match given {
            Some(_) => Err(AppError::Invalid("A resolution is given only when moving a ticket into a solved stage.".into())),
            None => Ok(None),
        };
    }
    let Some(given) = given else {
        return Err(AppError::Invalid(format!(
            "Solving {} needs a resolution code and a resolution note.",
            step.reference.trim().to_uppercase()
        )));
    };
    if !step.codes.iter().any(|c| c.id == given.code_id) {
        return Err(AppError::Invalid(format!("Resolution code {} is not offered; choose a specific resolution code.", given.code_id)));
    }
    let note = given.note.trim();
    if note.is_empty() {
        return Err(AppError::Invalid("The resolution note is required.".into()));
    }
    if note.chars().count() > NOTE_MAX {
        return Err(AppError::Invalid(format!("The resolution note is longer than {NOTE_MAX} characters.")));
    }
    if step.open_children > 0 && !given.close_with_open_children {
        return Err(AppError::Invalid(format!(
            "{}; confirm to solve {} anyway.",
            open_children_warning(step.open_children),
            step.reference.trim().to_uppercase()
        )));
    }
    Ok(Some(ResolutionInput { note: note.to_string(), ..given.clone() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use StageCategory::*;

    fn codes() -> Vec<ResolutionChoice> {
        vec![
            ResolutionChoice { id: 2, general: "Solved".into(), name: "Fixed".into() },
            ResolutionChoice { id: 6, general: "Not solved".into(), name: "Duplicate".into() },
        ]
    }

    fn given(code_id: i64, note: &str) -> ResolutionInput {
        ResolutionInput { code_id, note: note.into(), close_with_open_children: false }
    }

    fn step(from: StageCategory, to: StageCategory, codes: &[ResolutionChoice], open_children: i64) -> Move<'_> {
        Move { reference: "hd-1001", from, to, codes, open_children }
    }

    #[test]
    fn only_entering_solved_resolves() {
        for from in StageCategory::ALL {
            for to in StageCategory::ALL {
                assert_eq!(resolves(*from, *to), *to == Solved && *from != Solved, "{from:?} → {to:?}");
            }
        }
    }

    #[test]
    fn entering_solved_requires_a_code_and_a_note() {
        let codes = codes();
        let missing = check(step(InProgress, Solved, &codes, 0), None);
        assert!(matches!(missing, Err(AppError::Invalid(m)) if m == "Solving HD-1001 needs a resolution code and a resolution note."));
        assert!(matches!(check(step(New, Solved, &codes, 0), Some(&given(2, "   "))), Err(AppError::Invalid(m)) if m == "The resolution note is required."));
        assert!(matches!(check(step(New, Solved, &codes, 0), Some(&given(1, "General codes are not offered"))), Err(AppError::Invalid(_))));
        let long = "x".repeat(NOTE_MAX + 1);
        assert!(check(step(Waiting, Solved, &codes, 0), Some(&given(2, &long))).is_err());
        let stored = check(step(Cancelled, Solved, &codes, 0), Some(&given(6, "  Same as HD-1000. "))).unwrap();
        assert_eq!(stored, Some(given(6, "Same as HD-1000.")));
    }

    #[test]
    fn other_moves_take_no_resolution() {
        let codes = codes();
        assert_eq!(check(step(New, InProgress, &codes, 0), None).unwrap(), None);
        assert_eq!(check(step(Solved, Solved, &codes, 3), None).unwrap(), None, "moving within solved keeps the resolution");
        assert_eq!(check(step(Solved, InProgress, &codes, 0), None).unwrap(), None, "reopening needs nothing");
        assert!(check(step(New, Cancelled, &codes, 0), Some(&given(2, "Fixed"))).is_err());
    }

    #[test]
    fn a_parent_with_open_children_is_solved_only_on_purpose() {
        let codes = codes();
        let refused = check(step(InProgress, Solved, &codes, 2), Some(&given(2, "Done")));
        assert!(matches!(refused, Err(AppError::Invalid(m)) if m == "2 child tickets are still open; confirm to solve HD-1001 anyway."));
        let confirmed = ResolutionInput { close_with_open_children: true, ..given(2, "Done") };
        assert!(check(step(InProgress, Solved, &codes, 2), Some(&confirmed)).unwrap().is_some());
        assert!(check(step(InProgress, Solved, &codes, 0), Some(&given(2, "Done"))).unwrap().is_some());
        assert_eq!(open_children_warning(1), "1 child ticket is still open");
    }
}
