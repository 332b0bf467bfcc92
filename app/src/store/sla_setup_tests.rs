use super::*;
use crate::store::fixtures::Org;

fn express(team_id: i64) -> SlaPolicyInput {
    SlaPolicyInput {
        team_id,
        name: "Express".into(),
        enabled: true,
        calendar_id: ALWAYS_OPEN_CALENDAR,
        priorities: vec![Priority::Urgent],
        account_ids: vec![],
        requires_entitlement: false,
        first_response: "15m".into(),
        resolution: "4h".into(),
        next_response: String::new(),
        warning_percent: 50,
    }
}

/// The queued SLA work, oldest first, as (kind, target).
async fn queued(org: &Org) -> Vec<(String, String)> {
    sqlx::query_as("SELECT kind, target FROM pending_sla_work ORDER BY id").fetch_all(&org.db.read).await.unwrap()
}

async fn policy_id(org: &Org, team_id: i64, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM sla_policies WHERE team_id = ? AND name = ?").bind(team_id).bind(name).fetch_one(&org.db.read).await.unwrap()
}

#[tokio::test]
async fn policies_are_saved_versioned_and_bad_input_changes_nothing() {
    let org = Org::new().await;
    let (db, lead, agent) = (&org.db, &org.lead, &org.agent);
    // A team the lead follows without being a member.
    let finance = org.private_team("Finance").await.id;
    assert!(matches!(save_policy(db, agent, None, None, &express(finance), org.now).await, Err(AppError::Forbidden(_))));
    save_policy(db, lead, None, None, &express(finance), org.now).await.unwrap();
    let created = policy_id(&org, finance, "Express").await;
    let team = finance.to_string();
    assert_eq!(queued(&org).await, vec![("policy".into(), created.to_string()), ("team".into(), team.clone())], "a new policy re-matches its team");
    let stored = setup(db, lead).await.unwrap().policies.into_iter().find(|p| p.id == created).unwrap();
    assert_eq!((stored.first_response_minutes, stored.resolution_minutes, stored.next_response_minutes), (15, 240, None));

    let faster = SlaPolicyInput { first_response: "10m".into(), ..express(finance) };
    save_policy(db, lead, Some(stored.id), Some(stored.version), &faster, org.now).await.unwrap();
    assert_eq!(queued(&org).await.len(), 3, "only a target changed: its clocks are recalculated, the team is not re-matched");
    let stale = save_policy(db, lead, Some(stored.id), Some(stored.version), &faster, org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    for bad in [
        SlaPolicyInput { first_response: "soon".into(), ..express(finance) },
        SlaPolicyInput { warning_percent: 100, ..express(finance) },
        SlaPolicyInput { calendar_id: 999, ..express(finance) },
        SlaPolicyInput { name: " ".into(), ..express(finance) },
        SlaPolicyInput { priorities: vec![Priority::Low; 60_000], ..express(finance) },
    ] {
        assert!(matches!(save_policy(db, lead, None, None, &bad, org.now).await, Err(AppError::Invalid(_) | AppError::NotFound(_))), "{bad:?}");
    }
    let duplicate = save_policy(db, lead, None, None, &express(finance), org.now).await;
    assert!(matches!(duplicate, Err(AppError::Invalid(m)) if m.contains("already exists")));
    let policies = setup(db, lead).await.unwrap().policies;
    assert_eq!(policies.iter().filter(|p| p.team.id == finance).count(), 1);
    assert_eq!(policies.iter().find(|p| p.id == stored.id).unwrap().first_response_minutes, 10);
    assert_eq!(queued(&org).await.len(), 3, "refused saves queue nothing");
}

#[tokio::test]
async fn policies_are_shaped_only_by_leads_of_their_team_and_hidden_ones_read_as_missing() {
    let org = Org::new().await;
    let (db, lead) = (&org.db, &org.lead);
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    let finance = org.private_team("Finance").await.id;
    // The agent, as a lead: a member of Support only.
    let outsider = CurrentUser { role: Role::Lead, ..org.agent.clone() };
    save_policy(db, lead, None, None, &express(finance), org.now).await.unwrap();
    let hidden = policy_id(&org, finance, "Express").await;
    let before = queued(&org).await;

    // A lead who does not belong to Finance does not see its policies: they read as missing.
    let listed = setup(db, &outsider).await.unwrap();
    assert!(listed.policies.iter().all(|p| p.team.id != finance) && listed.teams.iter().all(|t| t.id != finance));
    let missing = save_policy(db, &outsider, Some(hidden), Some(1), &express(org.team_id), org.now).await;
    assert_eq!(missing, Err(AppError::NotFound(format!("SLA policy {hidden} does not exist."))), "moving a hidden policy to a visible team");
    assert_eq!(delete_policy(db, &outsider, hidden, 1, org.now).await, Err(AppError::NotFound(format!("SLA policy {hidden} does not exist."))));
    assert_eq!(delete_policy(db, &outsider, 999_999, 1, org.now).await, Err(AppError::NotFound("SLA policy 999999 does not exist.".into())));
    // Seeing Field Service is not shaping it: the outsider is no member of it.
    assert!(matches!(save_policy(db, &outsider, None, None, &express(field_service), org.now).await, Err(AppError::Forbidden(_))));
    assert_eq!(queued(&org).await, before, "refusals queue nothing");
}

#[tokio::test]
async fn calendars_refuse_unknown_zones_and_impossible_hours() {
    let org = Org::new().await;
    let (db, admin) = (&org.db, &org.admin);
    let mut hours = vec![String::new(); 7];
    hours[0] = "08:00-12:00, 13:00-17:00".into();
    let input = CalendarInput { name: "Vienna".into(), time_zone: "Europe/Vienna".into(), hours: hours.clone(), holidays: "2026-12-25".into() };
    let saved = save_calendar(db, admin, None, None, &input, org.now).await.unwrap();
    assert_eq!((saved.periods.len(), saved.holidays.len()), (2, 1));
    assert!(queued(&org).await.is_empty(), "a new calendar has no clocks yet");
    let zone = save_calendar(db, admin, None, None, &CalendarInput { name: "Mars".into(), time_zone: "Mars/Olympus".into(), ..input.clone() }, org.now).await;
    assert!(matches!(zone, Err(AppError::Invalid(m)) if m.contains("not a known time zone")));
    let closed = save_calendar(db, admin, None, None, &CalendarInput { name: "Never".into(), hours: vec![String::new(); 7], ..input.clone() }, org.now).await;
    assert!(matches!(closed, Err(AppError::Invalid(_))));
    let mut overflow = hours.clone();
    overflow[1] = "1093:00-1094:00".into();
    let overflow = save_calendar(db, admin, None, None, &CalendarInput { name: "Overflow".into(), hours: overflow, ..input.clone() }, org.now).await;
    assert!(matches!(overflow, Err(AppError::Invalid(_))), "hours beyond a day are refused, not wrapped");
    let fixed = save_calendar(db, admin, Some(ALWAYS_OPEN_CALENDAR), Some(1), &input, org.now).await;
    assert!(matches!(fixed, Err(AppError::Invalid(m)) if m.contains("24×7")));
    assert!(matches!(save_calendar(db, &org.lead, None, None, &input, org.now).await, Err(AppError::Forbidden(_))));
    save_calendar(db, admin, Some(saved.id), Some(saved.version), &CalendarInput { holidays: String::new(), ..input }, org.now).await.unwrap();
    assert_eq!(queued(&org).await, vec![("calendar".into(), saved.id.to_string())]);
}
