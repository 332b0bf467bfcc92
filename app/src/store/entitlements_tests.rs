use super::*;
use crate::store::fixtures::Org;
use crate::store::tickets;
use chrono::Duration;

async fn entitlement(org: &Org, name: &str) -> (i64, i64, i64) {
    sqlx::query_as("SELECT id, account_id, remaining_terms FROM entitlements WHERE name = ?").bind(name).fetch_one(&org.db.read).await.unwrap()
}

/// Support's SLA policies and two customers' entitlements: Acme's "Premium support" (7 of 10
/// cases left, valid, with the "Urgent and high" policy, used on creation) and Globex's
/// "Hours block 2025" (ended).
async fn customers_with_entitlements(org: &Org) {
    let urgent_and_high = org.support_sla().await.urgent_and_high;
    let today = org.now.date_naive();
    let entitlements = [
        (org.account("Acme GmbH").await, "Premium support", "cases", 10, 7, today - Duration::days(60), today + Duration::days(300), Some(urgent_and_high), "creation"),
        (org.account("Globex Kft.").await, "Hours block 2025", "hours", 20, 4, today - Duration::days(500), today - Duration::days(30), None, "resolution"),
    ];
    for (account_id, name, kind, total, remaining, from, to, policy_id, decrement_on) in entitlements {
        sqlx::query(
            "INSERT INTO entitlements (account_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, policy_id, decrement_on)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(name)
        .bind(kind)
        .bind(total)
        .bind(remaining)
        .bind(from)
        .bind(to)
        .bind(policy_id)
        .bind(decrement_on)
        .execute(&org.db.write)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_ticket_uses_one_term_once_gets_the_entitlements_policy_and_loses_it_with_the_customer() {
    let org = Org::new().await;
    customers_with_entitlements(&org).await;
    let (db, agent, support) = (&org.db, &org.agent, org.team_id);
    let (premium, acme, left) = entitlement(&org, "Premium support").await;
    let (expired, globex, _) = entitlement(&org, "Hours block 2025").await;
    let mut conn = db.read.acquire().await.unwrap();
    let offered: Vec<i64> = choices(&mut conn, org.now).await.unwrap().into_iter().map(|c| c.id).collect();
    drop(conn);
    assert!(offered.contains(&premium) && !offered.contains(&expired), "expired ones are not offered");

    let base = TicketInput { account_id: Some(acme), entitlement_id: Some(premium), ..TicketInput::quick(support, "Badge printer offline") };
    let card = tickets::create(db, agent, &base, org.now).await.unwrap();
    let detail = tickets::get(db, agent, &card.reference, org.now).await.unwrap();
    assert_eq!(detail.sla_policy.as_deref(), Some("Urgent and high"), "the entitlement's policy, although the ticket is normal priority");
    assert_eq!(entitlement(&org, "Premium support").await.2, left - 1);
    // Saving again does not use another term.
    let again = tickets::update(db, agent, &card.reference, detail.version, &base, false, org.now).await.unwrap();
    assert_eq!(entitlement(&org, "Premium support").await.2, left - 1);

    let kept = TicketInput { do_not_decrement: true, ..base.clone() };
    tickets::create(db, agent, &kept, org.now).await.unwrap();
    assert_eq!(entitlement(&org, "Premium support").await.2, left - 1, "do not decrement");

    let refused = tickets::create(db, agent, &TicketInput { account_id: Some(globex), entitlement_id: Some(expired), ..base.clone() }, org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("only valid from")));
    let foreign = tickets::create(db, agent, &TicketInput { account_id: Some(globex), ..base.clone() }, org.now).await;
    assert!(matches!(foreign, Err(AppError::Invalid(m)) if m.contains("another customer")));

    let moved = TicketInput { account_id: Some(globex), ..base };
    let changed = tickets::update(db, agent, &card.reference, again.detail.version, &moved, false, org.now).await.unwrap();
    assert_eq!(changed.detail.entitlement, None, "a new customer clears the entitlement");
    assert_eq!(changed.detail.sla_policy.as_deref(), Some("Standard"));
}
