use super::*;
use crate::store::pull::pull_next;
use crate::store::fixtures::Org;
use crate::store::tickets;

#[tokio::test]
async fn members_pull_from_a_queue_best_first_and_outsiders_cannot() {
    let org = Org::new().await;
    let finance = org.private_team("Finance").await;
    let (db, lead, agent, other_agent, insider) = (&org.db, &org.lead, &org.agent, &org.other_agent, &finance.insider);
    assert!(matches!(create(db, agent, "VIP", "").await, Err(AppError::Forbidden(_))));
    let vip = create(db, lead, " VIP ", "Key accounts").await.unwrap();
    assert_eq!(vip.name, "VIP");
    assert!(matches!(create(db, lead, "VIP", "").await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    save_members(db, lead, vip.id, 1, &[agent.id, insider.id]).await.unwrap();
    assert!(matches!(save_members(db, lead, vip.id, 1, &[agent.id]).await, Err(AppError::Conflict(_))), "stale version");

    let support = org.team_id;
    let normal = tickets::create(db, lead, &TicketInput::quick(support, "VIP normal"), org.now).await.unwrap();
    let urgent = tickets::create(db, lead, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "VIP urgent") }, org.now).await.unwrap();
    let hidden = tickets::create(db, insider, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(finance.id, "VIP refund") }, org.now).await.unwrap();
    let refs = |cards: &[&TicketCard]| cards.iter().map(|c| c.reference.clone()).collect::<Vec<_>>();
    assert!(matches!(change_membership(db, agent, vip.id, &refs(&[&normal, &hidden]), true, org.now).await, Err(AppError::NotFound(_))), "the agent cannot see Finance");
    let (added, teams) = change_membership(db, agent, vip.id, &refs(&[&normal, &urgent]), true, org.now).await.unwrap();
    assert_eq!((added, teams), (2, vec![support]));
    assert_eq!(change_membership(db, insider, vip.id, &refs(&[&hidden]), true, org.now).await.unwrap().0, 1);
    assert_eq!(change_membership(db, agent, vip.id, &refs(&[&normal]), true, org.now).await.unwrap().0, 0, "already queued");

    let seen_by_agent = overview(db, agent).await.unwrap().queues.into_iter().find(|q| q.id == vip.id).unwrap();
    assert_eq!((seen_by_agent.waiting, seen_by_agent.is_member), (2, true), "the Finance ticket is not counted for the agent");
    assert!(matches!(pull_next(db, other_agent, PullSource::Queue(vip.id), org.now).await, Err(AppError::Forbidden(_))), "not a member");

    let first = pull_next(db, agent, PullSource::Queue(vip.id), org.now).await.unwrap().unwrap();
    assert_eq!(first.card.reference, urgent.reference, "urgent first; the Finance ticket is not the agent's to take");
    let second = pull_next(db, agent, PullSource::Queue(vip.id), org.now).await.unwrap().unwrap();
    assert_eq!(second.card.reference, normal.reference);
    assert!(pull_next(db, agent, PullSource::Queue(vip.id), org.now).await.unwrap().is_none());
    assert_eq!(pull_next(db, insider, PullSource::Queue(vip.id), org.now).await.unwrap().unwrap().card.reference, hidden.reference);

    let (_, listed) = tickets_in(db, agent, vip.id, org.now).await.unwrap();
    assert_eq!(listed.len(), 2, "assigned tickets stay listed while open");
    change_membership(db, agent, vip.id, &refs(&[&normal]), false, org.now).await.unwrap();
    let detail = tickets::get(db, agent, &normal.reference, chrono::Utc::now()).await.unwrap();
    assert!(detail.queues.is_empty());
    let kinds: Vec<&str> = detail.timeline.iter().filter(|e| e.kind == TimelineKind::Queued).map(|e| e.summary.as_str()).collect();
    assert_eq!(kinds, vec!["Removed from queue VIP", "Added to queue VIP"]);
}

#[tokio::test]
async fn pulling_from_one_team_needs_membership() {
    let org = Org::new().await;
    let (field_service, _) = org.team("Field Service", "company", &[org.other_agent.id]).await;
    // Work waits in both teams: only membership decides.
    tickets::create(&org.db, &org.lead, &TicketInput::quick(field_service, "Install an access point"), org.now).await.unwrap();
    org.ticket("Printer jams").await;
    assert!(matches!(pull_next(&org.db, &org.agent, PullSource::Team(field_service), org.now).await, Err(AppError::Forbidden(_))), "the agent is not in Field Service");
    let pulled = pull_next(&org.db, &org.agent, PullSource::Team(org.team_id), org.now).await.unwrap().unwrap();
    assert_eq!(pulled.team_id, org.team_id);
}
