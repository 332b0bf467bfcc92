use super::*;
use crate::store::fixtures::temp_db;

#[tokio::test]
async fn seeds_once_with_the_promised_shape() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    assert!(demo(&db, now).await.unwrap());
    assert!(!demo(&db, now).await.unwrap(), "a second start keeps the data");
    let tickets: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&db.read).await.unwrap();
    assert!(tickets >= 60);
    let stages_used: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT stage_id) FROM tickets").fetch_one(&db.read).await.unwrap();
    let stages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stages").fetch_one(&db.read).await.unwrap();
    assert_eq!(stages_used, stages, "every stage has tickets");
    let user = users::authenticate(&db, "agent4@demo.test", DEMO_PASSWORD).await.unwrap();
    let names: Vec<String> = crate::store::lookup::visible_teams(&db, &user).await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, vec!["Field Service", "Finance", "Support"]);
    let agent1 = users::authenticate(&db, "agent1@demo.test", DEMO_PASSWORD).await.unwrap();
    let names: Vec<String> = crate::store::lookup::visible_teams(&db, &agent1).await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, vec!["Field Service", "Support"], "Finance is private");
    let vip = crate::store::queues::overview(&db, &agent1).await.unwrap().queues;
    assert!(vip[0].is_member && vip[0].waiting > 0, "agent1 can pull from the seeded VIP queue");
    let (entries, billable, running, events): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), SUM(billable), SUM(ended_at IS NULL), (SELECT COUNT(*) FROM ticket_events) FROM time_entries",
    )
    .fetch_one(&db.read)
    .await
    .unwrap();
    assert!(entries >= 8 && billable > 0 && billable < entries && events > 0, "time entries, some billable, and events");
    assert_eq!(running, 0, "no timer left running");
    let merged: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE merged_into_id IS NOT NULL").fetch_one(&db.read).await.unwrap();
    assert_eq!(merged, 1, "a merged pair");
    let (notes, replies, from_customer): (i64, i64, i64) =
        sqlx::query_as("SELECT SUM(kind = 'note'), SUM(kind = 'reply'), SUM(from_customer) FROM messages").fetch_one(&db.read).await.unwrap();
    assert!(notes >= 10 && replies >= 5 && from_customer >= 1, "conversations on Support: {notes} notes, {replies} replies, {from_customer} from the customer");
    let vpn: String = sqlx::query_scalar("SELECT 'HD-' || number FROM tickets WHERE title = 'VPN connection drops every hour'").fetch_one(&db.read).await.unwrap();
    let duplicates = crate::store::merge::possible_duplicates(&db, &agent1, &vpn).await.unwrap();
    assert_eq!(duplicates.first().map(|d| d.score >= 0.5), Some(true), "a pair of likely duplicates: {duplicates:?}");
    let customer = users::authenticate(&db, "customer@demo.test", DEMO_PASSWORD).await.unwrap();
    assert!(!crate::store::portal::my_tickets(&db, &customer).await.unwrap().is_empty(), "the demo customer follows tickets to see in the portal");
}
