use super::*;
use crate::store::fixtures::Org;
use crate::store::tickets;

fn event(type_id: i64, note: &str, at: DateTime<Utc>, duration: &str) -> TicketEventInput {
    TicketEventInput { event_type_id: type_id, note: note.into(), happened_at: at, duration: duration.into() }
}

async fn type_id(org: &Org, name: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM event_types WHERE name = ?").bind(name).fetch_one(&org.db.read).await.unwrap()
}

#[tokio::test]
async fn events_of_the_shipped_and_admin_kept_types_are_logged_with_a_timeline_line() {
    let org = Org::new().await;
    let ticket = org.ticket("Invoice question").await;
    let panel = ticket_events(&org.db, &org.agent, &ticket.reference).await.unwrap();
    let mut names: Vec<&str> = panel.types.iter().map(|t| t.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["CallIn", "CallOut", "EmailIn", "EmailOut", "Notes", "Scheduling"]);

    let call = type_id(&org, "CallOut").await;
    let logged = log_event(&org.db, &org.agent, &ticket.reference, &event(call, "Called back about the invoice\nLeft a message", org.now, "15m"), org.now).await.unwrap();
    assert_eq!((logged.event_type.as_str(), logged.duration_minutes, logged.author.as_deref()), ("CallOut", 15, Some("Alex Agent")));
    let detail = tickets::get(&org.db, &org.agent, &ticket.reference, org.now).await.unwrap();
    let line = detail.timeline.iter().find(|e| e.kind == TimelineKind::Event).expect("a timeline line");
    assert_eq!(line.summary, "CallOut logged (15m): Called back about the invoice");
    assert!(!TimelineKind::Event.customer_visible(), "events are internal");

    // Admins rename and deactivate event types like any catalog; a deactivated one is not offered.
    let renamed = catalogs::save(&org.db, &org.admin, Catalog::EventTypes, Some(call), Some(1), &CatalogValueInput { name: "Outbound call".into(), ..Default::default() }, org.now).await.unwrap();
    let listing = catalogs::listing(&org.db, &org.admin, Catalog::EventTypes).await.unwrap();
    assert_eq!(listing.values.iter().find(|v| v.id == call).map(|v| v.uses), Some(1));
    catalogs::set_active(&org.db, &org.admin, Catalog::EventTypes, call, renamed.version, false, org.now).await.unwrap();
    let refused = log_event(&org.db, &org.agent, &ticket.reference, &event(call, "", org.now, ""), org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(m)) if m.contains("deactivated")));
    let deleted = catalogs::delete(&org.db, &org.admin, Catalog::EventTypes, call, renamed.version + 1, org.now).await;
    assert!(matches!(deleted, Err(AppError::Invalid(m)) if m.contains("1 logged event")), "a used type is kept");
    let events = ticket_events(&org.db, &org.agent, &ticket.reference).await.unwrap().events;
    assert_eq!(events.iter().map(|e| e.event_type.as_str()).collect::<Vec<_>>(), vec!["Outbound call"], "past events show the type's new name");

    let bad = log_event(&org.db, &org.agent, &ticket.reference, &event(type_id(&org, "Notes").await, "", org.now, "soon"), org.now).await;
    assert!(matches!(bad, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn a_returning_customer_s_request_becomes_an_event_on_their_open_ticket() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let acme = org.account("Acme GmbH").await;
    let contact: i64 = sqlx::query_scalar("INSERT INTO contacts (name, account_id) VALUES ('Rita Requester', ?) RETURNING id").bind(acme).fetch_one(&db.write).await.unwrap();
    let hers = TicketInput { contact_id: Some(contact), account_id: Some(acme), ..TicketInput::quick(org.team_id, "Printer jams again") };
    let open = tickets::create(db, agent, &hers, org.now).await.unwrap();
    let closed = tickets::create(db, agent, &TicketInput { title: "Old request".into(), ..hers.clone() }, org.now).await.unwrap();
    let detail = tickets::get(db, agent, &closed.reference, org.now).await.unwrap();
    tickets::move_to_stage(db, agent, &closed.reference, detail.version, org.stages.solved.id, None, Some(&org.fixed("Done").await), org.now).await.unwrap();
    let private = org.private_team("Finance").await;
    let hidden = TicketInput { contact_id: Some(contact), ..TicketInput::quick(private.id, "Payroll for Rita") };
    let secret = tickets::create(db, &private.insider, &hidden, org.now).await.unwrap();

    let by_contact = open_tickets_of(db, agent, CustomerChoice { contact_id: Some(contact), account_id: None }).await.unwrap();
    assert_eq!(by_contact.iter().map(|t| t.reference.as_str()).collect::<Vec<_>>(), vec![open.reference.as_str()], "open ones the caller sees");
    let by_account = open_tickets_of(db, agent, CustomerChoice { contact_id: None, account_id: Some(acme) }).await.unwrap();
    assert_eq!(by_account, by_contact);
    assert_eq!(open_tickets_of(db, &private.insider, CustomerChoice { contact_id: Some(contact), account_id: None }).await.unwrap().len(), 2);
    assert!(open_tickets_of(db, agent, CustomerChoice::default()).await.unwrap().is_empty());

    let request = RequestAsEvent { title: "Printer still jams".into(), description: "Tray 2 this time.".into(), origin: Origin::Phone };
    let added = add_request_as_event(db, agent, &open.reference, &request, org.now).await.unwrap();
    assert_eq!((added.event_type.as_str(), added.note.as_str()), ("CallIn", "Printer still jams\n\nTray 2 this time."));
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets").fetch_one(&db.read).await.unwrap();
    assert_eq!(count, 3, "no new ticket");

    let by_mail = add_request_as_event(db, agent, &open.reference, &RequestAsEvent { origin: Origin::Email, ..request.clone() }, org.now).await.unwrap();
    assert_eq!(by_mail.event_type, "EmailIn");
    let to_closed = add_request_as_event(db, agent, &closed.reference, &request, org.now).await;
    assert!(matches!(to_closed, Err(AppError::Invalid(m)) if m.contains("closed")));
    let to_hidden = add_request_as_event(db, agent, &secret.reference, &request, org.now).await;
    assert!(matches!(to_hidden, Err(AppError::NotFound(_))));
    let untitled = add_request_as_event(db, agent, &open.reference, &RequestAsEvent { title: " ".into(), ..request }, org.now).await;
    assert!(matches!(untitled, Err(AppError::Invalid(_))));
}
