//! Ticket status follows assignment and stage (SPEC S2, as in 1CRM).

use crate::model::{StageCategory, TicketStatus};

/// Whether the assignee works the ticket: a team's default queue user only holds it, so the
/// ticket stays *Active – New* until someone takes it.
pub fn is_worked(assignee: Option<i64>, queue_user: Option<i64>) -> bool {
    assignee.is_some() && assignee != queue_user
}

pub fn derive(stage: StageCategory, has_assignee: bool) -> TicketStatus {
    match stage {
        StageCategory::Solved => TicketStatus::Resolved,
        StageCategory::Cancelled => TicketStatus::Cancelled,
        _ if has_assignee => TicketStatus::ActiveAssigned,
        _ => TicketStatus::ActiveNew,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unassigned_open_ticket_is_new_and_assignment_makes_it_assigned() {
        assert_eq!(derive(StageCategory::New, false), TicketStatus::ActiveNew);
        assert_eq!(derive(StageCategory::New, true), TicketStatus::ActiveAssigned);
        assert_eq!(derive(StageCategory::Waiting, true), TicketStatus::ActiveAssigned);
    }

    #[test]
    fn the_queue_user_holds_a_ticket_without_working_it() {
        assert!(!is_worked(None, Some(7)));
        assert!(!is_worked(Some(7), Some(7)));
        assert!(is_worked(Some(8), Some(7)));
        assert!(is_worked(Some(8), None));
    }

    #[test]
    fn closing_stages_close_whoever_holds_the_ticket() {
        assert_eq!(derive(StageCategory::Solved, true), TicketStatus::Resolved);
        assert_eq!(derive(StageCategory::Cancelled, false), TicketStatus::Cancelled);
    }
}
