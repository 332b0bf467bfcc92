//! Who may see what (SPEC S1 visibility). The store gathers the facts; these rules decide.

use crate::model::{Role, Visibility};

/// What is known about one user's relation to a team and, optionally, one of its tickets.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    pub role: Role,
    pub visibility: Visibility,
    /// Member or follower of the team: "invited" in a private team.
    pub in_team: bool,
    pub follows_ticket: bool,
}

/// Boards and team lists are for internal users; private teams only for those invited.
pub fn can_see_team(r: Relation) -> bool {
    match r.role {
        Role::Admin => true,
        Role::Customer => false,
        Role::Lead | Role::Agent => r.visibility != Visibility::Private || r.in_team,
    }
}

/// A ticket is visible with its team, to its followers, and to portal users who follow
/// it in a public team.
pub fn can_see_ticket(r: Relation) -> bool {
    match r.role {
        Role::Customer => r.visibility == Visibility::Public && r.follows_ticket,
        _ => can_see_team(r) || r.follows_ticket,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relation(role: Role, visibility: Visibility, in_team: bool, follows_ticket: bool) -> Relation {
        Relation { role, visibility, in_team, follows_ticket }
    }

    #[test]
    fn private_teams_are_for_invited_users_only() {
        assert!(!can_see_team(relation(Role::Agent, Visibility::Private, false, false)));
        assert!(can_see_team(relation(Role::Agent, Visibility::Private, true, false)));
        assert!(!can_see_team(relation(Role::Lead, Visibility::Private, false, false)));
        assert!(can_see_team(relation(Role::Admin, Visibility::Private, false, false)));
    }

    #[test]
    fn company_and_public_teams_are_open_to_internal_users() {
        for v in [Visibility::Company, Visibility::Public] {
            assert!(can_see_team(relation(Role::Agent, v, false, false)));
            assert!(!can_see_team(relation(Role::Customer, v, true, true)));
        }
    }

    #[test]
    fn ticket_followers_see_the_ticket_of_a_private_team() {
        assert!(can_see_ticket(relation(Role::Agent, Visibility::Private, false, true)));
        assert!(!can_see_ticket(relation(Role::Agent, Visibility::Private, false, false)));
    }

    #[test]
    fn customers_see_only_followed_tickets_of_public_teams() {
        assert!(can_see_ticket(relation(Role::Customer, Visibility::Public, false, true)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Public, false, false)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Company, false, true)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Private, true, true)));
    }
}
