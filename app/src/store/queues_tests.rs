use super::*;
use crate::store::pull::pull_next;
use crate::store::fixtures::Demo;
use crate::store::tickets;

#[tokio::test]
async fn members_pull_from_a_queue_best_first_and_outsiders_cannot() {
    let d = Demo::new().await;
    let (lead, agent1, agent2, agent4) =
        (d.user("lead@demo.test").await, d.user("agent1@demo.test").await, d.user("agent2@demo.test").await, d.user("agent4@demo.test").await);
    assert!(matches!(create(&d.db, &agent1, "VIP", "").await, Err(AppError::Forbidden(_))));
    let vip = create(&d.db, &lead, " VIP ", "Key accounts").await.unwrap();
    assert_eq!(vip.name, "VIP");
    assert!(matches!(create(&d.db, &lead, "VIP", "").await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    save_members(&d.db, &lead, vip.id, 1, &[agent1.id, agent4.id]).await.unwrap();
    assert!(matches!(save_members(&d.db, &lead, vip.id, 1, &[agent1.id]).await, Err(AppError::Conflict(_))), "stale version");

    let support = d.team("Support").await;
    let normal = tickets::create(&d.db, &lead, &TicketInput::quick(support, "VIP normal"), d.now).await.unwrap();
    let urgent = tickets::create(&d.db, &lead, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(support, "VIP urgent") }, d.now).await.unwrap();
    let finance = d.team("Finance").await;
    let hidden = tickets::create(&d.db, &agent4, &TicketInput { priority: Priority::Urgent, ..TicketInput::quick(finance, "VIP refund") }, d.now).await.unwrap();
    let refs = |cards: &[&TicketCard]| cards.iter().map(|c| c.reference.clone()).collect::<Vec<_>>();
    assert!(matches!(change_membership(&d.db, &agent1, vip.id, &refs(&[&normal, &hidden]), true, d.now).await, Err(AppError::NotFound(_))), "agent1 cannot see Finance");
    let (added, teams) = change_membership(&d.db, &agent1, vip.id, &refs(&[&normal, &urgent]), true, d.now).await.unwrap();
    assert_eq!((added, teams), (2, vec![support]));
    assert_eq!(change_membership(&d.db, &agent4, vip.id, &refs(&[&hidden]), true, d.now).await.unwrap().0, 1);
    assert_eq!(change_membership(&d.db, &agent1, vip.id, &refs(&[&normal]), true, d.now).await.unwrap().0, 0, "already queued");

    let seen_by_agent1 = overview(&d.db, &agent1).await.unwrap().queues.into_iter().find(|q| q.id == vip.id).unwrap();
    assert_eq!((seen_by_agent1.waiting, seen_by_agent1.is_member), (2, true), "the Finance ticket is not counted for agent1");
    assert!(matches!(pull_next(&d.db, &agent2, PullSource::Queue(vip.id), d.now).await, Err(AppError::Forbidden(_))), "not a member");

    let first = pull_next(&d.db, &agent1, PullSource::Queue(vip.id), d.now).await.unwrap().unwrap();
    assert_eq!(first.card.reference, urgent.reference, "urgent first; the Finance ticket is not agent1's to take");
    let second = pull_next(&d.db, &agent1, PullSource::Queue(vip.id), d.now).await.unwrap().unwrap();
    assert_eq!(second.card.reference, normal.reference);
    assert!(pull_next(&d.db, &agent1, PullSource::Queue(vip.id), d.now).await.unwrap().is_none());
    assert_eq!(pull_next(&d.db, &agent4, PullSource::Queue(vip.id), d.now).await.unwrap().unwrap().card.reference, hidden.reference);

    let (_, listed) = tickets_in(&d.db, &agent1, vip.id, d.now).await.unwrap();
    assert_eq!(listed.len(), 2, "assigned tickets stay listed while open");
    change_membership(&d.db, &agent1, vip.id, &refs(&[&normal]), false, d.now).await.unwrap();
    let detail = tickets::get(&d.db, &agent1, &normal.reference, chrono::Utc::now()).await.unwrap();
    assert!(detail.queues.is_empty());
    let kinds: Vec<&str> = detail.timeline.iter().filter(|e| e.kind == TimelineKind::Queued).map(|e| e.summary.as_str()).collect();
    assert_eq!(kinds, vec!["Removed from queue VIP", "Added to queue VIP"]);
}

#[tokio::test]
async fn pulling_from_one_team_needs_membership() {
    let d = Demo::new().await;
    let agent1 = d.user("agent1@demo.test").await;
    let field_service = d.team("Field Service").await;
    assert!(matches!(pull_next(&d.db, &agent1, PullSource::Team(field_service), d.now).await, Err(AppError::Forbidden(_))), "agent1 is not in Field Service");
    let pulled = pull_next(&d.db, &agent1, PullSource::Team(d.team("Support").await), d.now).await.unwrap().unwrap();
    assert_eq!(pulled.team_id, d.team("Support").await);
}
