use super::*;
use crate::store::fixtures::Demo;
use crate::store::tickets;

async fn entitlement(d: &Demo, name: &str) -> (i64, i64, i64) {
    sqlx::query_as("SELECT id, account_id, remaining_terms FROM entitlements WHERE name = ?").bind(name).fetch_one(&d.db.read).await.unwrap()
}

#[tokio::test]
async fn a_ticket_uses_one_term_once_gets_the_entitlements_policy_and_loses_it_with_the_customer() {
    let d = Demo::new().await;
    let agent = d.user("agent1@demo.test").await;
    let support = d.team("Support").await;
    let (premium, acme, left) = entitlement(&d, "Premium support").await;
    let (expired, globex, _) = entitlement(&d, "Hours block 2025").await;
    let mut conn = d.db.read.acquire().await.unwrap();
    let offered: Vec<i64> = choices(&mut conn, d.now).await.unwrap().into_iter().map(|c| c.id).collect();
    drop(conn);
    assert!(offered.contains(&premium) && !offered.contains(&expired), "expired ones are not offered");

    let base = TicketInput { account_id: Some(acme), entitlement_id: Some(premium), ..TicketInput::quick(support, "Badge printer offline") };
    let card = tickets::create(&d.db, &agent, &base, d.now).await.unwrap();
    let detail = tickets::get(&d.db, &agent, &card.reference, d.now).await.unwrap();
    assert_eq!(detail.sla_policy.as_deref(), Some("Urgent and high"), "the entitlement's policy, although the ticket is normal priority");
    assert_eq!(entitlement(&d, "Premium support").await.2, left - 1);
    // Saving again does not use another term.
    let again = tickets::update(&d.db, &agent, &card.reference, detail.version, &base, false, d.now).await.unwrap();
    assert_eq!(entitlement(&d, "Premium support").await.2, left - 1);

    let kept = TicketInput { do_not_decrement: true, ..base.clone() };
    tickets::create(&d.db, &agent, &kept, d.now).await.unwrap();
    assert_eq!(entitlement(&d, "Premium support").await.2, left - 1, "do not decrement");

    let refused = tickets::create(&d.db, &agent, &TicketInput { account_id: Some(globex), entitlement_id: Some(expired), ..base.clone() }, d.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("only valid from")));
    let foreign = tickets::create(&d.db, &agent, &TicketInput { account_id: Some(globex), ..base.clone() }, d.now).await;
    assert!(matches!(foreign, Err(AppError::Invalid(m)) if m.contains("another customer")));

    let moved = TicketInput { account_id: Some(globex), ..base };
    let changed = tickets::update(&d.db, &agent, &card.reference, again.detail.version, &moved, false, d.now).await.unwrap();
    assert_eq!(changed.detail.entitlement, None, "a new customer clears the entitlement");
    assert_eq!(changed.detail.sla_policy.as_deref(), Some("Standard"));
}
