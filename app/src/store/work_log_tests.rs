use super::*;
use chrono::NaiveDate;
use crate::store::fixtures::Org;
use crate::store::tickets;

fn by_hand(date: NaiveDate, duration: &str, billable: bool, note: &str) -> TimeEntryInput {
    TimeEntryInput { date, duration: duration.into(), billable, note: note.into() }
}

#[tokio::test]
async fn one_timer_per_agent_starting_another_stops_the_running_one_and_logs_its_minutes() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let (printer, vpn) = (org.ticket("Printer jams").await, org.ticket("VPN drops").await);
    let t0 = org.now;

    let started = start_timer(db, agent, &printer.reference, t0).await.unwrap();
    assert_eq!((started.running.reference.as_str(), started.stopped), (printer.reference.as_str(), None));
    // Starting it again where it runs changes nothing.
    let again = start_timer(db, agent, &printer.reference, t0 + Duration::minutes(5)).await.unwrap();
    assert_eq!((again.running.entry_id, again.running.started_at, again.stopped), (started.running.entry_id, t0, None));

    let switched = start_timer(db, agent, &vpn.reference, t0 + Duration::minutes(25) + Duration::seconds(10)).await.unwrap();
    assert_eq!(switched.stopped, Some((printer.reference.clone(), 26)), "every started minute counts");
    assert_eq!(running_timer(db, agent).await.unwrap().map(|r| r.reference), Some(vpn.reference.clone()));
    let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM time_entries WHERE user_id = ? AND ended_at IS NULL").bind(agent.id).fetch_one(&db.read).await.unwrap();
    assert_eq!(running, 1);

    // Another agent's timer is theirs alone.
    start_timer(db, &org.other_agent, &vpn.reference, t0).await.unwrap();
    let stopped = stop_timer(db, agent, t0 + Duration::minutes(55) + Duration::seconds(10)).await.unwrap();
    assert_eq!(stopped, Some((vpn.reference.clone(), 30)));
    assert_eq!(stop_timer(db, agent, t0 + Duration::hours(2)).await.unwrap(), None, "nothing runs any more");
    assert!(running_timer(db, &org.other_agent).await.unwrap().is_some());

    let printer_log = ticket_log(db, agent, &printer.reference).await.unwrap();
    assert_eq!(printer_log.totals, TimeTotals { minutes: 26, billable_minutes: 26 });
    let vpn_log = ticket_log(db, agent, &vpn.reference).await.unwrap();
    assert_eq!(vpn_log.entries.len(), 2, "the other agent's running timer is listed too");
    assert_eq!(vpn_log.totals.minutes, 30, "a running timer counts once stopped");
    assert_eq!(vpn_log.running, None, "the caller's own timer there is stopped");
}

#[tokio::test]
async fn a_running_timer_is_a_row_and_survives_a_restart() {
    let mut org = Org::new().await;
    let ticket = org.ticket("Server room too warm").await;
    start_timer(&org.db, &org.agent, &ticket.reference, org.now).await.unwrap();
    org.restart().await;
    let running = running_timer(&org.db, &org.agent).await.unwrap().expect("still running after the restart");
    assert_eq!((running.reference.as_str(), running.started_at), (ticket.reference.as_str(), org.now));
    assert_eq!(ticket_log(&org.db, &org.agent, &ticket.reference).await.unwrap().running.map(|e| e.id), Some(running.entry_id));
    assert_eq!(stop_timer(&org.db, &org.agent, org.now + Duration::minutes(90)).await.unwrap(), Some((ticket.reference, 90)));
}

#[tokio::test]
async fn time_logged_by_hand_is_totalled_and_changed_by_its_agent_or_a_lead() {
    let org = Org::new().await;
    let (db, agent, other) = (&org.db, &org.agent, &org.other_agent);
    let ticket = org.ticket("Laptop will not boot").await;
    let today = org.now.date_naive();

    let onsite = log_time(db, agent, &ticket.reference, &by_hand(today, "1h 30m", true, " On site "), org.now).await.unwrap();
    assert_eq!((onsite.minutes, onsite.note.as_str(), onsite.can_change), (90, "On site", true));
    log_time(db, other, &ticket.reference, &by_hand(today - Duration::days(1), "45m", false, "Research"), org.now).await.unwrap();
    let log = ticket_log(db, agent, &ticket.reference).await.unwrap();
    assert_eq!(log.totals, TimeTotals { minutes: 135, billable_minutes: 90 });
    assert_eq!(log.entries.iter().map(|e| e.can_change).collect::<Vec<_>>(), vec![true, false], "newest first; only one's own");

    for (bad, why) in [(by_hand(today + Duration::days(1), "1h", true, ""), "future"), (by_hand(today, "25h", true, ""), "day"), (by_hand(today, "later", true, ""), "duration")] {
        assert!(matches!(log_time(db, agent, &ticket.reference, &bad, org.now).await, Err(AppError::Invalid(_))), "{why}");
    }

    let refused = update_entry(db, other, onsite.id, onsite.version, &by_hand(today, "5m", true, ""), org.now).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "not the other agent's entry");
    let corrected = update_entry(db, &org.lead, onsite.id, onsite.version, &by_hand(today, "2h", false, "On site, corrected"), org.now).await.unwrap();
    assert_eq!((corrected.minutes, corrected.billable, corrected.version), (120, false, onsite.version + 1));
    let stale = update_entry(db, agent, onsite.id, onsite.version, &by_hand(today, "1h", true, ""), org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))));
    assert_eq!(ticket_log(db, agent, &ticket.reference).await.unwrap().totals, TimeTotals { minutes: 165, billable_minutes: 0 });

    delete_entry(db, agent, corrected.id, corrected.version).await.unwrap();
    assert_eq!(ticket_log(db, agent, &ticket.reference).await.unwrap().totals, TimeTotals { minutes: 45, billable_minutes: 0 });

    // A running timer is stopped before it is edited; it can be discarded.
    let timer = start_timer(db, agent, &ticket.reference, org.now).await.unwrap().running.entry_id;
    let running = update_entry(db, agent, timer, 1, &by_hand(today, "1h", true, ""), org.now).await;
    assert!(matches!(running, Err(AppError::Invalid(m)) if m.contains("still running")));
    delete_entry(db, agent, timer, 1).await.unwrap();
    assert_eq!(running_timer(db, agent).await.unwrap(), None);
}

#[tokio::test]
async fn time_on_a_hidden_ticket_does_not_exist_for_the_caller_and_customers_log_none() {
    let org = Org::new().await;
    let private = org.private_team("Finance").await;
    let secret = tickets::create(&org.db, &private.insider, &TicketInput::quick(private.id, "Payroll"), org.now).await.unwrap();
    let entry = log_time(&org.db, &private.insider, &secret.reference, &by_hand(org.now.date_naive(), "1h", true, ""), org.now).await.unwrap();

    let hidden = [
        start_timer(&org.db, &org.agent, &secret.reference, org.now).await.map(|_| ()),
        ticket_log(&org.db, &org.agent, &secret.reference).await.map(|_| ()),
        update_entry(&org.db, &org.agent, entry.id, entry.version, &by_hand(org.now.date_naive(), "2h", true, ""), org.now).await.map(|_| ()),
        delete_entry(&org.db, &org.agent, entry.id, entry.version).await,
    ];
    for result in hidden {
        assert!(matches!(result, Err(AppError::NotFound(_))), "{result:?}");
    }
    let missing = delete_entry(&org.db, &org.agent, entry.id + 1000, 1).await;
    let hidden = delete_entry(&org.db, &org.agent, entry.id, entry.version).await;
    assert_eq!(
        format!("{missing:?}").replace(&(entry.id + 1000).to_string(), "#"),
        format!("{hidden:?}").replace(&entry.id.to_string(), "#"),
        "hidden reads like missing"
    );

    let customer = org.customer().await;
    let public = org.ticket("Shared").await;
    org.follow(&public.reference, customer.id).await;
    assert!(matches!(start_timer(&org.db, &customer, &public.reference, org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(running_timer(&org.db, &customer).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn timesheets_total_per_agent_and_per_customer_in_the_range_agents_seeing_their_own() {
    let org = Org::new().await;
    let (db, agent, other) = (&org.db, &org.agent, &org.other_agent);
    let acme = org.account("Acme GmbH").await;
    let acme_ticket =
        tickets::create(db, agent, &TicketInput { account_id: Some(acme), ..TicketInput::quick(org.team_id, "Acme: mail down") }, org.now).await.unwrap();
    let internal = org.ticket("Internal: rack cabling").await;
    let today = org.now.date_naive();
    let week_ago = today - Duration::days(7);
    log_time(db, agent, &acme_ticket.reference, &by_hand(today, "1h", true, ""), org.now).await.unwrap();
    log_time(db, agent, &internal.reference, &by_hand(today, "30m", false, ""), org.now).await.unwrap();
    log_time(db, other, &acme_ticket.reference, &by_hand(today - Duration::days(1), "2h", true, ""), org.now).await.unwrap();
    log_time(db, other, &acme_ticket.reference, &by_hand(week_ago, "4h", true, "Last week"), org.now).await.unwrap();
    // A running timer is not in any timesheet until it stops.
    start_timer(db, other, &internal.reference, org.now).await.unwrap();

    let range = |by| TimesheetQuery { from: today - Duration::days(2), to: today, by };
    let by_agent = timesheet(db, &org.lead, &range(TimesheetBy::Agent)).await.unwrap();
    let rows: Vec<(&str, i64, i64)> = by_agent.rows.iter().map(|r| (r.name.as_str(), r.totals.minutes, r.totals.billable_minutes)).collect();
    assert_eq!(rows, vec![("Alex Agent", 90, 60), ("Bo Agent", 120, 120)]);
    assert_eq!(by_agent.totals, TimeTotals { minutes: 210, billable_minutes: 180 });
    assert!(by_agent.everyone);

    let by_customer = timesheet(db, &org.lead, &range(TimesheetBy::Customer)).await.unwrap();
    let rows: Vec<(&str, i64, i64)> = by_customer.rows.iter().map(|r| (r.name.as_str(), r.entries, r.totals.minutes)).collect();
    assert_eq!(rows, vec![("Acme GmbH", 2, 180), ("No customer account", 1, 30)]);

    let own = timesheet(db, agent, &range(TimesheetBy::Agent)).await.unwrap();
    assert!(!own.everyone);
    assert_eq!(own.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), vec!["Alex Agent"]);
    assert_eq!(own.entries.len(), 2);

    let whole = timesheet(db, &org.admin, &TimesheetQuery { from: week_ago, to: today, by: TimesheetBy::Agent }).await.unwrap();
    assert_eq!(whole.totals.minutes, 450, "last week's entry is in the wider range");
    let backwards = timesheet(db, &org.admin, &TimesheetQuery { from: today, to: week_ago, by: TimesheetBy::Agent }).await;
    assert!(matches!(backwards, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn an_hours_entitlement_is_charged_the_billable_hours_logged_when_the_ticket_is_solved() {
    let org = Org::new().await;
    let (db, agent) = (&org.db, &org.agent);
    let acme = org.account("Acme GmbH").await;
    let today = org.now.date_naive();
    // Decrement "on creation" cannot apply to hours: they are known only once the work is done.
    let block: i64 = sqlx::query_scalar(
        "INSERT INTO entitlements (account_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, decrement_on)
         VALUES (?, 'Hours block', 'hours', 20, 10, ?, ?, 'creation') RETURNING id",
    )
    .bind(acme)
    .bind(today - Duration::days(1))
    .bind(today + Duration::days(100))
    .fetch_one(&db.write)
    .await
    .unwrap();
    let remaining = || async { sqlx::query_scalar::<_, i64>("SELECT remaining_terms FROM entitlements WHERE id = ?").bind(block).fetch_one(&db.read).await.unwrap() };
    let input = TicketInput { account_id: Some(acme), entitlement_id: Some(block), ..TicketInput::quick(org.team_id, "Migrate mailboxes") };
    let ticket = tickets::create(db, agent, &input, org.now).await.unwrap();
    assert_eq!(remaining().await, 10, "nothing used on creation");

    log_time(db, agent, &ticket.reference, &by_hand(today, "1h 30m", true, ""), org.now).await.unwrap();
    log_time(db, agent, &ticket.reference, &by_hand(today, "3h", false, "Not billed"), org.now).await.unwrap();
    let detail = tickets::get(db, agent, &ticket.reference, org.now).await.unwrap();
    tickets::move_to_stage(db, agent, &ticket.reference, detail.version, org.stages.solved.id, None, Some(&org.fixed("Done").await), org.now).await.unwrap();
    assert_eq!(remaining().await, 8, "90 billable minutes use 2 hours");
    let detail = tickets::get(db, agent, &ticket.reference, org.now).await.unwrap();
    assert!(detail.timeline.iter().any(|e| e.summary.contains("2 hours used")), "{:?}", detail.timeline);

    // Reopened and solved again: charged once.
    let reopened = tickets::move_to_stage(db, agent, &ticket.reference, detail.version, org.stages.in_progress.id, None, None, org.now).await.unwrap();
    tickets::move_to_stage(db, agent, &ticket.reference, reopened.card.version, org.stages.solved.id, None, Some(&org.fixed("Done").await), org.now).await.unwrap();
    assert_eq!(remaining().await, 8);
}
