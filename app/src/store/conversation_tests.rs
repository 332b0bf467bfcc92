use chrono::Duration;

use super::*;
use crate::store::fixtures::Org;
use crate::store::{notifications, portal, tickets};

const SECRET: &str = "NOTE-ONLY-FOR-STAFF-7731";

fn reply(body: &str) -> NewMessage {
    NewMessage { kind: MessageKind::Reply, body: body.into(), attachment_ids: Vec::new() }
}

fn note(body: &str) -> NewMessage {
    NewMessage { kind: MessageKind::Note, body: body.into(), attachment_ids: Vec::new() }
}

/// Support made public (customers see public teams only), an "Urgent and high" SLA with next
/// response, one urgent ticket the customer follows.
async fn public_support() -> (Org, CurrentUser, String) {
    let org = Org::new().await;
    sqlx::query("UPDATE teams SET visibility = 'public' WHERE id = ?").bind(org.team_id).execute(&org.db.write).await.unwrap();
    org.support_sla().await;
    let input = TicketInput { priority: Priority::Urgent, ..TicketInput::quick(org.team_id, "Printer jams") };
    let card = tickets::create(&org.db, &org.agent, &input, org.now).await.unwrap();
    let customer = org.customer().await;
    org.follow(&card.reference, customer.id).await;
    (org, customer, card.reference)
}

async fn clock(org: &Org, reference: &str, kind: KpiKind) -> Vec<(bool, Option<DateTime<Utc>>)> {
    let id = org.ticket_id(reference).await;
    sqlx::query_as("SELECT met_at IS NOT NULL, started_at FROM sla_clocks WHERE ticket_id = ? AND kind = ? ORDER BY id")
        .bind(id)
        .bind(kind.as_str())
        .fetch_all(&org.db.read)
        .await
        .unwrap()
}

async fn stage_category(org: &Org, reference: &str) -> String {
    sqlx::query_scalar("SELECT s.category FROM tickets k JOIN stages s ON s.id = k.stage_id WHERE k.id = ?")
        .bind(org.ticket_id(reference).await)
        .fetch_one(&org.db.read)
        .await
        .unwrap()
}

#[tokio::test]
async fn no_answer_a_customer_can_get_contains_an_internal_note() {
    let (org, customer, reference) = public_support().await;
    post(&org.db, &org.agent, &reference, &note(&format!("Customer is grumpy, {SECRET}")), org.now).await.unwrap();
    post(&org.db, &org.agent, &reference, &reply("We are on it."), org.now + Duration::minutes(1)).await.unwrap();
    post(&org.db, &customer, &reference, &reply("Thanks!"), org.now + Duration::minutes(2)).await.unwrap();
    let message_id: i64 = sqlx::query_scalar("SELECT id FROM messages WHERE kind = 'note'").fetch_one(&org.db.read).await.unwrap();
    edit(&org.db, &org.agent, &reference, message_id, 1, &format!("Edited, still {SECRET}"), org.now + Duration::minutes(3)).await.unwrap();

    // Every function that hands a customer messages, notifications or history.
    let ticket_id = org.ticket_id(&reference).await;
    let mut conn = org.db.read.acquire().await.unwrap();
    let answers: Vec<(&str, String)> = vec![
        ("portal::ticket", serde_json::to_string(&portal::ticket(&org.db, &customer, &reference).await.unwrap()).unwrap()),
        ("portal::my_tickets", serde_json::to_string(&portal::my_tickets(&org.db, &customer).await.unwrap()).unwrap()),
        ("notifications::list", serde_json::to_string(&notifications::list(&org.db, &customer).await.unwrap().0).unwrap()),
        ("customer_messages", serde_json::to_string(&customer_messages(&mut conn, &customer, ticket_id).await.unwrap()).unwrap()),
    ];
    for (source, answer) in &answers {
        assert!(!answer.contains(SECRET), "{source} leaks the note: {answer}");
        assert!(!answer.contains("\"note\""), "{source} names a note: {answer}");
    }
    assert!(answers[0].1.contains("We are on it."), "the customer sees the agent's reply");
    assert!(answers[2].1.contains("replied on"), "the customer was told about the reply");

    // Staff see the note, its edit and its earlier wording.
    let staff = tickets::get(&org.db, &org.lead, &reference, org.now).await.unwrap();
    let notes: Vec<&MessageView> = staff.timeline.iter().filter(|e| e.kind == TimelineKind::Note).filter_map(|e| e.message.as_ref()).collect();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].html.contains("Edited, still"));
    assert_eq!(notes[0].revisions.len(), 1);
    assert!(notes[0].source.is_none(), "only the author edits");
}

#[tokio::test]
async fn a_customer_writes_replies_only_and_only_on_tickets_they_see() {
    let (org, customer, reference) = public_support().await;
    let refused = post(&org.db, &customer, &reference, &note("psst"), org.now).await.unwrap_err();
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    let other = org.ticket("Someone else's").await;
    let hidden = post(&org.db, &customer, &other.reference, &reply("hello"), org.now).await.unwrap_err();
    assert!(matches!(hidden, AppError::NotFound(_)), "{hidden:?}");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages").fetch_one(&org.db.read).await.unwrap();
    assert_eq!(count, 0, "refused messages are not written");
}

#[tokio::test]
async fn bad_messages_are_refused_and_change_nothing() {
    let (org, _, reference) = public_support().await;
    let before = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap();
    for body in ["", "   \n ", &"x".repeat(crate::domain::validate::MESSAGE_MAX + 1)] {
        let error = post(&org.db, &org.agent, &reference, &reply(body), org.now).await.unwrap_err();
        assert!(matches!(error, AppError::Invalid(_)), "{error:?}");
    }
    let too_many = NewMessage { attachment_ids: (0..50).collect(), ..reply("files") };
    assert!(matches!(post(&org.db, &org.agent, &reference, &too_many, org.now).await, Err(AppError::Invalid(_))));
    let after = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap();
    assert_eq!(before, after);
}

#[tokio::test]
async fn replies_drive_first_and_next_response_and_the_status_rules() {
    let (org, customer, reference) = public_support().await;
    let minute = |n: i64| org.now + Duration::minutes(n);

    // A stage move alone answers nobody.
    let version = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap().version;
    tickets::move_to_stage(&org.db, &org.agent, &reference, version, org.stages.in_progress.id, None, None, minute(1)).await.unwrap();
    assert_eq!(clock(&org, &reference, KpiKind::FirstResponse).await, [(false, Some(org.now))]);

    // A note neither.
    post(&org.db, &org.agent, &reference, &note("Looking into it"), minute(2)).await.unwrap();
    assert!(!clock(&org, &reference, KpiKind::FirstResponse).await[0].0);

    // The agent's reply meets first response; the shipped rule waits on the customer.
    post(&org.db, &org.agent, &reference, &reply("Please restart it."), minute(3)).await.unwrap();
    assert!(clock(&org, &reference, KpiKind::FirstResponse).await[0].0, "first response met by the reply");
    assert_eq!(stage_category(&org, &reference).await, "waiting");
    assert!(clock(&org, &reference, KpiKind::NextResponse).await.is_empty(), "nothing to answer yet");

    // The customer's reply starts next response from that moment and brings the ticket back.
    post(&org.db, &customer, &reference, &reply("Still jams."), minute(10)).await.unwrap();
    assert_eq!(clock(&org, &reference, KpiKind::NextResponse).await, [(false, Some(minute(10)))]);
    assert_eq!(stage_category(&org, &reference).await, "in_progress");

    // Answering meets it; the next customer reply starts a new round.
    post(&org.db, &org.agent, &reference, &reply("Replacing the roller."), minute(20)).await.unwrap();
    post(&org.db, &customer, &reference, &reply("When?"), minute(30)).await.unwrap();
    assert_eq!(clock(&org, &reference, KpiKind::NextResponse).await, [(true, Some(minute(10))), (false, Some(minute(30)))]);
}

#[tokio::test]
async fn only_the_author_or_an_admin_edits_and_deleting_keeps_the_history() {
    let (org, customer, reference) = public_support().await;
    post(&org.db, &org.agent, &reference, &reply("Frist answer"), org.now).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT id FROM messages").fetch_one(&org.db.read).await.unwrap();
    let refused = edit(&org.db, &org.other_agent, &reference, id, 1, "mine now", org.now).await.unwrap_err();
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    edit(&org.db, &org.agent, &reference, id, 1, "First answer", org.now).await.unwrap();
    let stale = edit(&org.db, &org.agent, &reference, id, 1, "again", org.now).await.unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale:?}");
    delete(&org.db, &org.admin, &reference, id, 2, org.now).await.unwrap();

    let shown = portal::ticket(&org.db, &customer, &reference).await.unwrap();
    assert!(shown.timeline.iter().all(|e| e.message.is_none()), "a deleted reply leaves the customer's view");
    let staff = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap();
    let message = staff.timeline.iter().find_map(|e| e.message.clone()).unwrap();
    assert!(message.deleted && message.html.is_empty());
    let wordings: Vec<&str> = message.revisions.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(wordings, ["Frist answer", "First answer"]);
    let lines = staff.timeline.iter().filter(|e| e.kind == TimelineKind::Edited).count();
    assert_eq!(lines, 2, "the edit and the deletion are on the timeline");
}

#[tokio::test]
async fn followers_hear_of_messages_notes_only_staff_and_muting_silences() {
    let (org, customer, reference) = public_support().await;
    add_follower(&org.db, &org.agent, &reference, FollowerRef::User(org.lead.id), org.now).await.unwrap();
    add_follower(&org.db, &org.agent, &reference, FollowerRef::User(org.other_agent.id), org.now).await.unwrap();
    set_muted(&org.db, &org.other_agent, &reference, true).await.unwrap();

    let noted = post(&org.db, &org.agent, &reference, &note("internal"), org.now).await.unwrap();
    assert_eq!(noted.notified, [org.lead.id], "a note: internal followers, not the muted one, not the author");
    let replied = post(&org.db, &org.lead, &reference, &reply("public"), org.now).await.unwrap();
    let mut expected = vec![org.agent.id, customer.id];
    expected.sort();
    assert_eq!(replied.notified, expected, "a reply: the assignee and the customer too");
}

#[tokio::test]
async fn follower_rules_requester_stays_contacts_only_on_public_teams_and_invisible_staff_refused() {
    let (org, _, reference) = public_support().await;
    let contact: i64 = sqlx::query_scalar("INSERT INTO contacts (name, email) VALUES ('Rita Requester', 'rita@example.test') RETURNING id")
        .fetch_one(&org.db.write)
        .await
        .unwrap();
    sqlx::query("UPDATE tickets SET contact_id = ? WHERE id = ?").bind(contact).bind(org.ticket_id(&reference).await).execute(&org.db.write).await.unwrap();
    let listed = followers(&org.db, &org.agent, &reference).await.unwrap();
    assert!(listed.followers[0].requester && listed.followers[0].name == "Rita Requester");
    let error = remove_follower(&org.db, &org.agent, &reference, FollowerRef::Contact(contact), org.now).await.unwrap_err();
    assert!(matches!(error, AppError::Invalid(_)), "{error:?}");

    let private = org.private_team("Finance").await;
    let error = add_follower(&org.db, &org.agent, &reference, FollowerRef::User(private.insider.id), org.now).await;
    assert!(error.is_ok(), "the insider sees public Support: {error:?}");
    let secret = tickets::create(&org.db, &private.insider, &TicketInput::quick(private.id, "Payroll"), org.now).await.unwrap();
    let error = add_follower(&org.db, &private.insider, &secret.reference, FollowerRef::Contact(contact), org.now).await.unwrap_err();
    assert!(matches!(error, AppError::Invalid(_)), "{error:?}");
    let error = add_follower(&org.db, &private.insider, &secret.reference, FollowerRef::User(org.agent.id), org.now).await.unwrap_err();
    assert!(matches!(error, AppError::Invalid(_)), "an agent outside the private team cannot follow it: {error:?}");
}

#[tokio::test]
async fn the_requesters_portal_user_sees_the_ticket_without_being_listed() {
    let (org, _, _) = public_support().await;
    let contact: i64 = sqlx::query_scalar("INSERT INTO contacts (name, email) VALUES ('Pia Portal', 'pia@example.test') RETURNING id")
        .fetch_one(&org.db.write)
        .await
        .unwrap();
    let mut conn = org.db.write.acquire().await.unwrap();
    let id = crate::store::users::insert_user(&mut conn, "Pia Portal", "pia@example.test", Role::Customer, "unused", org.now).await.unwrap();
    drop(conn);
    sqlx::query("UPDATE users SET contact_id = ? WHERE id = ?").bind(contact).bind(id).execute(&org.db.write).await.unwrap();
    let pia = CurrentUser { id, name: "Pia Portal".into(), email: "pia@example.test".into(), role: Role::Customer };
    let input = TicketInput { contact_id: Some(contact), ..TicketInput::quick(org.team_id, "Pia's question") };
    let card = tickets::create(&org.db, &org.agent, &input, org.now).await.unwrap();
    let listed = portal::my_tickets(&org.db, &pia).await.unwrap();
    assert_eq!(listed.iter().map(|t| t.reference.as_str()).collect::<Vec<_>>(), [card.reference.as_str()]);
    post(&org.db, &pia, &card.reference, &reply("Any news?"), org.now).await.unwrap();
}

/// A small text file the agent uploads to the ticket; its id.
async fn upload_text(org: &Org, files: &attachments::Files, reference: &str, name: &str) -> i64 {
    let staged = files.stage_bytes(name, name.as_bytes()).await.unwrap();
    attachments::upload(&org.db, files, &org.agent, reference, vec![staged], org.now).await.unwrap().remove(0).id
}

#[tokio::test]
async fn files_are_shown_under_the_message_they_were_sent_with_and_a_notes_files_stay_internal() {
    let (org, customer, reference) = public_support().await;
    let files = attachments::Files::new(org.db_dir().join("attachments"), 1024 * 1024);
    let (for_reply, for_note) = (upload_text(&org, &files, &reference, "steps.txt").await, upload_text(&org, &files, &reference, "internal-log.txt").await);
    let with = |kind, body: &str, id| NewMessage { kind, body: body.into(), attachment_ids: vec![id] };
    post(&org.db, &org.agent, &reference, &with(MessageKind::Note, "Log attached", for_note), org.now).await.unwrap();
    post(&org.db, &org.agent, &reference, &with(MessageKind::Reply, "Please follow these steps", for_reply), org.now + Duration::minutes(1)).await.unwrap();

    let files_under = |timeline: &[TimelineEntry], kind| -> Vec<String> {
        timeline.iter().filter(|e| e.kind == kind).flat_map(|e| e.message.iter().flat_map(|m| m.attachments.iter().map(|a| a.file_name.clone()))).collect()
    };
    let staff = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap();
    assert_eq!(files_under(&staff.timeline, TimelineKind::Reply), ["steps.txt"]);
    assert_eq!(files_under(&staff.timeline, TimelineKind::Note), ["internal-log.txt"]);

    let portal = portal::ticket(&org.db, &customer, &reference).await.unwrap();
    let answer = serde_json::to_string(&portal).unwrap();
    assert!(answer.contains("steps.txt"), "the customer sees the reply's file: {answer}");
    assert!(!answer.contains("internal-log.txt"), "a note's file never reaches the customer: {answer}");

    // Deleting the reply takes its file out of the conversation for staff too.
    let (id, version): (i64, i64) = sqlx::query_as("SELECT id, version FROM messages WHERE kind = 'reply'").fetch_one(&org.db.read).await.unwrap();
    delete(&org.db, &org.agent, &reference, id, version, org.now + Duration::minutes(2)).await.unwrap();
    let staff = tickets::get(&org.db, &org.agent, &reference, org.now).await.unwrap();
    assert!(files_under(&staff.timeline, TimelineKind::Reply).is_empty());
}
