//! Store tests of converting tickets to leads: the lead links to the ticket and back, the ticket
//! is archived and leaves the board, refusals change nothing.

use crate::store::board::board;
use crate::store::fixtures::Org;
use crate::store::tickets::{self, get};

use super::*;

async fn direct_sales(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT id FROM sales_teams WHERE name = 'Direct sales'").fetch_one(&org.db.read).await.unwrap()
}

async fn lead_count(org: &Org) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM leads").fetch_one(&org.db.read).await.unwrap()
}

async fn on_board(org: &Org, reference: &str) -> bool {
    let shown = board(&org.db, &org.agent, org.team_id, &[], BoardView::default(), org.now).await.unwrap();
    shown.columns.iter().any(|c| c.cards.iter().any(|k| k.reference == reference))
}

#[tokio::test]
async fn converting_archives_the_ticket_and_links_both_ways() {
    let org = Org::new().await;
    org.support_sla().await;
    let acme = org.account("Acme").await;
    let card = tickets::create(&org.db, &org.agent, &TicketInput { account_id: Some(acme), ..TicketInput::quick(org.team_id, "Quote for 40 licences") }, org.now)
        .await
        .unwrap();
    assert!(on_board(&org, &card.reference).await);
    let input = LeadInput { title: " 40 licences ".into(), customer: LeadCustomer::Ticket, sales_team_id: direct_sales(&org).await, salesperson_id: Some(org.lead.id) };
    let converted = convert(&org.db, &org.agent, &card.reference, card.version, &input, org.now).await.unwrap();
    assert_eq!(converted.team_id, org.team_id);
    let lead = converted.lead;
    assert_eq!((lead.title.as_str(), lead.customer.as_deref(), lead.sales_team.as_str()), ("40 licences", Some("Acme"), "Direct sales"));
    assert_eq!(lead.salesperson.map(|s| s.id), Some(org.lead.id));
    assert_eq!(lead.ticket, Some(TicketLink { reference: card.reference.clone(), title: "Quote for 40 licences".into() }));

    let shown = get(&org.db, &org.agent, &card.reference, org.now).await.unwrap();
    assert!(shown.relations.archived_at.is_some());
    assert_eq!(shown.relations.lead.as_ref().map(|l| l.id), Some(lead.id));
    assert!(shown.timeline.iter().any(|e| e.kind == TimelineKind::Converted && e.summary.contains("40 licences")));
    assert!(!on_board(&org, &card.reference).await, "archived tickets leave the board");
    assert_eq!(list(&org.db, &org.agent).await.unwrap().iter().map(|l| l.id).collect::<Vec<_>>(), vec![lead.id]);

    let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_clocks WHERE ticket_id = ? AND met_at IS NULL AND cancelled_at IS NULL")
        .bind(org.ticket_id(&card.reference).await)
        .fetch_one(&org.db.read)
        .await
        .unwrap();
    assert_eq!(running, 0, "an archived ticket's SLA clocks stop");

    let again = convert(&org.db, &org.agent, &card.reference, shown.version, &input, org.now).await;
    assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("archived already")));
    assert_eq!(lead_count(&org).await, 1);
}

#[tokio::test]
async fn a_lead_may_get_a_new_contact_or_none() {
    let org = Org::new().await;
    let sales = direct_sales(&org).await;
    let first = org.ticket("Wants a demo").await;
    let new_contact = LeadCustomer::New(NewCustomer { name: "Petra Prospect".into(), email: "petra@prospect.test".into(), account_name: String::new() });
    let input = LeadInput { title: "Demo".into(), customer: new_contact, sales_team_id: sales, salesperson_id: None };
    let lead = convert(&org.db, &org.agent, &first.reference, first.version, &input, org.now).await.unwrap().lead;
    assert_eq!(lead.customer.as_deref(), Some("Petra Prospect"));
    let second = org.ticket("Pricing question").await;
    let none = LeadInput { customer: LeadCustomer::None, title: "Pricing".into(), ..input };
    assert_eq!(convert(&org.db, &org.agent, &second.reference, second.version, &none, org.now).await.unwrap().lead.customer, None);
}

#[tokio::test]
async fn refused_conversions_change_nothing() {
    let org = Org::new().await;
    let card = org.ticket("Maybe sales").await;
    let sales = direct_sales(&org).await;
    let good = LeadInput { title: "Lead".into(), customer: LeadCustomer::None, sales_team_id: sales, salesperson_id: None };
    let customer = org.customer().await;
    let finance = org.private_team("Finance").await;
    let hidden = tickets::create(&org.db, &finance.insider, &TicketInput::quick(finance.id, "Refund"), org.now).await.unwrap();
    let cases: Vec<(&CurrentUser, &str, i64, LeadInput)> = vec![
        (&customer, &card.reference, card.version, good.clone()),
        (&org.agent, &card.reference, card.version + 1, good.clone()),
        (&org.agent, &card.reference, card.version, LeadInput { title: " ".into(), ..good.clone() }),
        (&org.agent, &card.reference, card.version, LeadInput { sales_team_id: 9_999, ..good.clone() }),
        (&org.agent, &card.reference, card.version, LeadInput { salesperson_id: Some(customer.id), ..good.clone() }),
        (&org.agent, &hidden.reference, hidden.version, good.clone()),
    ];
    for (who, reference, version, input) in cases {
        assert!(convert(&org.db, who, reference, version, &input, org.now).await.is_err(), "{input:?} by {}", who.name);
    }
    assert_eq!(lead_count(&org).await, 0);
    assert!(get(&org.db, &org.agent, &card.reference, org.now).await.unwrap().relations.archived_at.is_none());
    assert!(matches!(list(&org.db, &customer).await, Err(AppError::Forbidden(_))));
}
