//! Who may see and do what (SPEC S1 visibility, roles). The store gathers the facts; these rules
//! decide. Every server function and background job asks here, never the role directly.

use crate::error::AppError;
use crate::model::{CurrentUser, Role, Visibility};

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

/// Merging moves a ticket's conversation and people to another ticket: for internal users who
/// work the ticket's team, not for those who only follow the ticket.
pub fn can_merge_ticket(r: Relation) -> bool {
    can_see_team(r)
}

/// Stages, settings, SLA policies and rules of a team are shaped by admins, and by leads of
/// the teams they belong to (member or follower).
pub fn can_manage_team(r: Relation) -> bool {
    match r.role {
        Role::Admin => true,
        Role::Lead => r.in_team,
        Role::Agent | Role::Customer => false,
    }
}

/// Rules run with their author's rights, so a lead changes only the rules they wrote;
/// admins change every rule, and what they save applies to every team.
pub fn can_change_rule(user: &CurrentUser, owner_id: Option<i64>) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Lead => owner_id == Some(user.id),
        Role::Agent | Role::Customer => false,
    }
}

/// A rule written by `user` acts on the teams they may shape; an admin's on every team.
pub fn rule_owner(user: &CurrentUser) -> Option<i64> {
    (user.role != Role::Admin).then_some(user.id)
}

/// Time entries are changed by the agent who logged them; admins and leads correct anyone's.
pub fn can_change_time_of(user: &CurrentUser, owner_id: i64) -> bool {
    match user.role {
        Role::Admin | Role::Lead => true,
        Role::Agent => owner_id == user.id,
        Role::Customer => false,
    }
}

/// Timesheets: agents see their own time, admins and leads everyone's (on the teams they see).
pub fn sees_everyones_time(user: &CurrentUser) -> bool {
    matches!(user.role, Role::Admin | Role::Lead)
}

/// Actions that depend on the role alone; team-scoped ones are checked with a [`Relation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create, edit and move tickets, see boards, pick up work.
    WorkTickets,
    /// Read setup lists (rules, SLA, queues, qualifications, entitlements, ticket form choices).
    SeeSetup,
    /// Create and change routing and automation rules, SLA policies and queues.
    ShapeWork,
    /// Manage customers' entitlements.
    ManageEntitlements,
    /// Merge duplicate customer records (a change that cannot be undone).
    MergeCustomers,
    /// Rate people's qualifications (never one's own).
    RateQualifications,
    /// Installation-wide settings: calendars, priority codes, qualification definitions, team visibility.
    ConfigureInstallation,
    /// Write, edit and publish knowledge-base articles (customers read the published ones).
    WriteArticles,
}

pub fn may(role: Role, action: Action) -> bool {
    match action {
        Action::WorkTickets | Action::SeeSetup => role.is_internal(),
        Action::ShapeWork | Action::ManageEntitlements | Action::MergeCustomers | Action::RateQualifications | Action::WriteArticles => {
            matches!(role, Role::Admin | Role::Lead)
        }
        Action::ConfigureInstallation => role == Role::Admin,
    }
}

/// `Ok` when the caller may take the action, otherwise a refusal that names only the action.
pub fn require(user: &CurrentUser, action: Action) -> Result<(), AppError> {
    if may(user.role, action) {
        return Ok(());
    }
    let message = match action {
        Action::WorkTickets | Action::SeeSetup => "This is for staff only.",
        Action::ShapeWork => "Only admins and team leads change this.",
        Action::ManageEntitlements => "Only admins and team leads manage entitlements.",
        Action::MergeCustomers => "Only admins and team leads merge customers.",
        Action::RateQualifications => "Only admins and team leads rate qualifications.",
        Action::ConfigureInstallation => "Only admins change this.",
        Action::WriteArticles => "Only admins and team leads write knowledge-base articles.",
    };
    Err(AppError::Forbidden(message.into()))
}

/// An attachment is removed by whoever uploaded it, or by an admin or lead (who may see it).
pub fn can_delete_attachment(user: &CurrentUser, uploaded_by: Option<i64>) -> bool {
    uploaded_by == Some(user.id) || matches!(user.role, Role::Admin | Role::Lead)
}

/// The answer for an object the caller may not see: word for word the answer for one that does
/// not exist, so that ids cannot be probed.
pub fn missing(what: &str, id: impl std::fmt::Display) -> AppError {
    AppError::NotFound(format!("{what} {id} does not exist."))
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
    fn following_a_ticket_is_not_enough_to_merge_it() {
        assert!(can_merge_ticket(relation(Role::Agent, Visibility::Private, true, false)));
        assert!(!can_merge_ticket(relation(Role::Agent, Visibility::Private, false, true)));
        assert!(can_merge_ticket(relation(Role::Agent, Visibility::Company, false, false)));
        assert!(!can_merge_ticket(relation(Role::Customer, Visibility::Public, true, true)));
    }

    #[test]
    fn leads_manage_only_teams_they_belong_to() {
        for v in [Visibility::Private, Visibility::Company, Visibility::Public] {
            assert!(can_manage_team(relation(Role::Admin, v, false, false)));
            assert!(can_manage_team(relation(Role::Lead, v, true, false)));
            assert!(!can_manage_team(relation(Role::Lead, v, false, true)), "following a ticket is not belonging to its team");
            assert!(!can_manage_team(relation(Role::Agent, v, true, false)));
            assert!(!can_manage_team(relation(Role::Customer, v, true, true)));
        }
    }

    #[test]
    fn role_actions() {
        use Action::*;
        let allowed = |role| [WorkTickets, SeeSetup, ShapeWork, ManageEntitlements, MergeCustomers, RateQualifications, ConfigureInstallation, WriteArticles].map(|a| may(role, a));
        assert_eq!(allowed(Role::Admin), [true; 8]);
        assert_eq!(allowed(Role::Lead), [true, true, true, true, true, true, false, true]);
        assert_eq!(allowed(Role::Agent), [true, true, false, false, false, false, false, false]);
        assert_eq!(allowed(Role::Customer), [false; 8]);
    }

    #[test]
    fn leads_change_only_their_own_rules() {
        let user = |id, role| CurrentUser { id, name: String::new(), email: String::new(), role };
        let (admin, lead, agent) = (user(1, Role::Admin), user(2, Role::Lead), user(3, Role::Agent));
        assert!(can_change_rule(&admin, None) && can_change_rule(&admin, Some(2)));
        assert!(can_change_rule(&lead, Some(2)));
        assert!(!can_change_rule(&lead, None), "installation-wide rules are the admins'");
        assert!(!can_change_rule(&lead, Some(9)));
        assert!(!can_change_rule(&agent, Some(3)));
        assert_eq!((rule_owner(&admin), rule_owner(&lead)), (None, Some(2)));
    }

    #[test]
    fn attachments_are_removed_by_their_uploader_or_a_lead() {
        let user = |id, role| CurrentUser { id, name: String::new(), email: String::new(), role };
        assert!(can_delete_attachment(&user(3, Role::Agent), Some(3)));
        assert!(can_delete_attachment(&user(5, Role::Customer), Some(5)));
        assert!(!can_delete_attachment(&user(3, Role::Agent), Some(4)));
        assert!(!can_delete_attachment(&user(5, Role::Customer), None));
        assert!(can_delete_attachment(&user(2, Role::Lead), Some(4)));
        assert!(can_delete_attachment(&user(1, Role::Admin), None));
    }

    #[test]
    fn hidden_reads_like_missing() {
        assert_eq!(missing("Team", 3), AppError::NotFound("Team 3 does not exist.".into()));
    }

    #[test]
    fn customers_see_only_followed_tickets_of_public_teams() {
        assert!(can_see_ticket(relation(Role::Customer, Visibility::Public, false, true)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Public, false, false)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Company, false, true)));
        assert!(!can_see_ticket(relation(Role::Customer, Visibility::Private, true, true)));
    }

    #[test]
    fn agents_change_their_own_time_and_leads_and_admins_anyone_s() {
        let user = |id, role| CurrentUser { id, name: String::new(), email: String::new(), role };
        assert!(can_change_time_of(&user(1, Role::Agent), 1));
        assert!(!can_change_time_of(&user(1, Role::Agent), 2));
        assert!(can_change_time_of(&user(3, Role::Lead), 2));
        assert!(can_change_time_of(&user(4, Role::Admin), 2));
        assert!(!can_change_time_of(&user(5, Role::Customer), 5));
        assert!(!sees_everyones_time(&user(1, Role::Agent)));
        assert!(sees_everyones_time(&user(3, Role::Lead)) && sees_everyones_time(&user(4, Role::Admin)));
    }
}
