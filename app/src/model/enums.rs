//! Closed vocabularies shared by browser, server and database (stored as their `as_str`).

use serde::{Deserialize, Serialize};

/// Declares an enum stored as text, with its stable code, a label for people and parsing.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

text_enum!(
    /// What a user may do; customers are portal users.
    Role {
        Admin => "admin", "Admin";
        Lead => "lead", "Team lead";
        Agent => "agent", "Agent";
        Customer => "customer", "Customer";
    }
);

text_enum!(
    /// Who sees a team and its tickets (SPEC S1).
    Visibility {
        Private => "private", "Private (invited only)";
        Company => "company", "Company (all internal users)";
        Public => "public", "Public (internal users and followers)";
    }
);

text_enum!(
    /// What a stage means for the ticket in it.
    StageCategory {
        New => "new", "New";
        InProgress => "in_progress", "In progress";
        Waiting => "waiting", "Waiting on customer";
        Solved => "solved", "Solved";
        Cancelled => "cancelled", "Cancelled";
    }
);

text_enum!(
    Priority {
        Low => "low", "Low";
        Normal => "normal", "Normal";
        High => "high", "High";
        Urgent => "urgent", "Urgent";
    }
);

text_enum!(
    /// Derived from assignee and stage (SPEC S2), never set directly.
    TicketStatus {
        ActiveNew => "active_new", "Active – New";
        ActiveAssigned => "active_assigned", "Active – Assigned";
        Resolved => "resolved", "Resolved";
        Cancelled => "cancelled", "Cancelled";
    }
);

impl TicketStatus {
    /// The statuses of a ticket someone still has to work on.
    pub const OPEN: [TicketStatus; 2] = [TicketStatus::ActiveNew, TicketStatus::ActiveAssigned];
}

text_enum!(
    /// The channel a ticket came in through.
    Origin {
        Phone => "phone", "Phone";
        Email => "email", "Email";
        WebForm => "web_form", "Web form";
        Portal => "portal", "Portal";
        Fax => "fax", "Fax";
        Chat => "chat", "Chat";
        Import => "import", "Import";
        Api => "api", "API";
    }
);

text_enum!(
    /// What a timeline entry records.
    TimelineKind {
        Created => "created", "Created";
        Moved => "moved", "Stage changed";
        Assigned => "assigned", "Assignment changed";
        Edited => "edited", "Edited";
        Routed => "routed", "Routed";
        Queued => "queued", "Queue changed";
        Automation => "automation", "Automation";
        Sla => "sla", "SLA";
        Reply => "reply", "Reply";
        Note => "note", "Internal note";
        Followers => "followers", "Followers";
        Event => "event", "Event logged";
        Resolved => "resolved", "Resolution";
        Child => "child", "Child ticket";
        Converted => "converted", "Converted to lead";
        Merged => "merged", "Merged";
    }
);

text_enum!(
    /// A message of a ticket's conversation: to the customer, or internal (never shown to them).
    MessageKind {
        Reply => "reply", "Reply to customer";
        Note => "note", "Internal note";
    }
);

text_enum!(
    /// The clocks a ticket carries (SPEC S4): its SLA policy's KPIs and its priority code's
    /// escalation ladder.
    KpiKind {
        FirstResponse => "first_response", "First response";
        NextResponse => "next_response", "Next response";
        Resolution => "resolution", "Resolution";
        Escalation => "escalation", "Escalation";
    }
);

text_enum!(
    /// What the escalation job raises when a clock crosses a rung of its ladder.
    Alert {
        NearingBreach => "nearing_breach", "nearing breach";
        Breached => "breached", "breached";
        FollowUp => "follow_up", "Follow-up";
        Warning => "warning", "Warning";
        Late => "late", "Late";
    }
);

text_enum!(
    /// What an entitlement counts (SPEC S2).
    EntitlementKind {
        Cases => "cases", "Number of cases";
        Hours => "hours", "Number of hours";
    }
);

text_enum!(
    /// When a ticket uses a term of its entitlement.
    DecrementOn {
        Creation => "creation", "On creation";
        Resolution => "resolution", "On resolution";
    }
);

text_enum!(
    /// How a team hands out new tickets automatically (SPEC S3); none means manual assignment.
    AssignmentMethod {
        EqualTotal => "equal_total", "Equal total (same number for everyone over time)";
        EqualOpen => "equal_open", "Equal open (fewest open tickets first)";
        RoundRobin => "round_robin", "Round-robin (members in turn)";
    }
);

text_enum!(
    /// What a qualification measures (SPEC S3).
    QualificationKind {
        Technical => "technical", "Technical skill";
        Soft => "soft", "Soft skill";
    }
);

text_enum!(
    /// The pipeline a new team starts with (SPEC S1; Odoo's team setup).
    TeamTemplate {
        Support => "support", "Support";
        FieldService => "field_service", "Field service";
        Billing => "billing", "Billing";
    }
);

impl StageCategory {
    /// Solved and cancelled stages close the ticket.
    pub fn is_closing(self) -> bool {
        matches!(self, StageCategory::Solved | StageCategory::Cancelled)
    }
}

impl TimelineKind {
    /// What a customer's portal shows of a ticket's history; everything else is internal.
    pub fn customer_visible(self) -> bool {
        matches!(self, TimelineKind::Created | TimelineKind::Moved | TimelineKind::Reply)
    }
}

impl Role {
    pub fn is_internal(self) -> bool {
        !matches!(self, Role::Customer)
    }

    /// Admins and leads shape pipelines (create, rename, reorder, fold stages).
    pub fn manages_stages(self) -> bool {
        matches!(self, Role::Admin | Role::Lead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_for_every_variant() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(*p));
        }
        for o in Origin::ALL {
            assert_eq!(Origin::parse(o.as_str()), Some(*o));
        }
        for c in StageCategory::ALL {
            assert_eq!(StageCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(Priority::parse("URGENT"), None);
    }

    #[test]
    fn serde_uses_the_stored_codes() {
        assert_eq!(serde_json::to_string(&StageCategory::InProgress).unwrap(), "\"in_progress\"");
        assert_eq!(serde_json::to_string(&TicketStatus::ActiveNew).unwrap(), "\"active_new\"");
    }
}

text_enum!(
    /// The catalogs admins keep (issue 11): values a ticket is classified with.
    Catalog {
        Subjects => "subjects", "Subjects";
        Products => "products", "Products";
        ReasonCodes => "reason_codes", "Reason codes";
        Units => "units", "Units";
        UnitTypes => "unit_types", "Unit types";
        Regions => "regions", "Regions";
        ServiceTypes => "service_types", "Service types";
        EventTypes => "event_types", "Event types";
        ResolutionCodes => "resolution_codes", "Resolution codes";
    }
);
