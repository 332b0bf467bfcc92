//! Ticket status follows assignment and stage (SPEC S2, as in 1CRM).

use crate::model::{StageCategory, TicketStatus};

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
    fn closing_stages_close_whoever_holds_the_ticket() {
        assert_eq!(derive(StageCategory::Solved, true), TicketStatus::Resolved);
        assert_eq!(derive(StageCategory::Cancelled, false), TicketStatus::Cancelled);
    }
}
