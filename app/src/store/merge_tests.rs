//! Store tests of merging: nothing is lost, sets are deduplicated, the merged tickets are closed
//! and point to the survivor, the workflow runs, inputs and rights are checked; duplicates.

use std::collections::BTreeSet;

use super::*;
use crate::store::fixtures::Org;
use crate::store::{automation, tickets};

/// Every (table, column) of the schema that points at a ticket: columns named `ticket_id` and
/// foreign keys to `tickets`.
async fn ticket_links(db: &Db) -> BTreeSet<(String, String)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'ticket_id'
         UNION
         SELECT m.name, f.\"from\" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = 'tickets'",
    )
    .fetch_all(&db.read)
    .await
    .unwrap();
    rows.into_iter().collect()
}

#[tokio::test]
async fn every_table_pointing_at_tickets_is_moved_or_kept_on_purpose() {
    let org = Org::new().await;
    let links = ticket_links(&org.db).await;
    let listed: BTreeSet<(String, String)> = MOVED
        .iter()
        .map(|m| (m.table.to_string(), m.column.to_string()))
        .chain(KEPT.iter().map(|k| (k.table.to_string(), k.column.to_string())))
        .collect();
    let unlisted: Vec<String> = links.difference(&listed).map(|(t, c)| format!("{t}.{c}")).collect();
    assert!(
        unlisted.is_empty(),
        "these point at tickets but merging neither moves them (store::merge::MOVED) nor keeps them on purpose (KEPT, with a reason): {unlisted:?}"
    );
    let stale: Vec<String> = listed.difference(&links).map(|(t, c)| format!("{t}.{c}")).collect();
    assert!(stale.is_empty(), "listed for merging but not in the schema: {stale:?}");
    assert!(KEPT.iter().all(|k| !k.reason.trim().is_empty()));
    assert!(links.len() >= 10, "the schema scan found only {links:?}");
}

/// Rows a ticket has in a moved table: row ids for rows with their own identity, the keys for sets.
async fn rows_of(org: &Org, moved: &Moved, ticket_ids: &[i64]) -> BTreeSet<String> {
    let (table, column) = (moved.table, moved.column);
    let what = match moved.handling {
        Handling::Dedupe { key } => format!("CAST({key} AS TEXT)"),
        Handling::Move | Handling::Labelled { .. } => "CAST(rowid AS TEXT)".to_string(),
    };
    sqlx::query_scalar(&format!("SELECT {what} FROM {table} WHERE {column} IN ({})", id_list(ticket_ids))).fetch_all(&org.db.read).await.unwrap().into_iter().collect()
}

async fn contact(org: &Org, name: &str) -> i64 {
    sqlx::query_scalar("INSERT INTO contacts (name) VALUES (?) RETURNING id").bind(name).fetch_one(&org.db.write).await.unwrap()
}

async fn exec(org: &Org, sql: &str) {
    sqlx::query(sql).execute(&org.db.write).await.unwrap();
}

async fn version(org: &Org, reference: &str) -> i64 {
    tickets::get(&org.db, &org.agent, reference, org.now).await.unwrap().version
}

async fn versions(org: &Org, references: &[String]) -> Vec<i64> {
    let mut found = Vec::new();
    for reference in references {
        found.push(version(org, reference).await);
    }
    found
}

/// Three Support tickets with conversation, followers (overlapping), tags (overlapping) and
/// an older merge pointing at one of them.
async fn busy_tickets(org: &Org) -> Vec<String> {
    let mut references = Vec::new();
    for title in ["VPN drops every hour", "VPN disconnects hourly", "VPN keeps dropping"] {
        references.push(org.ticket(title).await.reference);
    }
    let ids = [org.ticket_id(&references[0]).await, org.ticket_id(&references[1]).await, org.ticket_id(&references[2]).await];
    let (ann, bob) = (contact(org, "Ann Contact").await, contact(org, "Bob Contact").await);
    for (index, id) in ids.iter().enumerate() {
        exec(org, &format!("INSERT INTO messages (ticket_id, kind, author_id, body, body_html, created_at) VALUES ({id}, 'reply', {}, 'Reply {index}', '<p>Reply {index}</p>', '2026-01-01T10:00:00Z')", org.agent.id)).await;
        exec(org, &format!("INSERT INTO messages (ticket_id, kind, author_id, body, body_html, created_at) VALUES ({id}, 'note', {}, 'Note {index}', '<p>Note {index}</p>', '2026-01-01T10:05:00Z')", org.agent.id)).await;
        exec(org, &format!("INSERT INTO ticket_tags (ticket_id, tag) VALUES ({id}, 'vpn'), ({id}, 'tag-{index}')")).await;
        exec(org, &format!("INSERT INTO ticket_followers (ticket_id, user_id) VALUES ({id}, {}) ON CONFLICT DO NOTHING", org.other_agent.id)).await;
        exec(org, &format!("INSERT INTO ticket_contact_followers (ticket_id, contact_id) VALUES ({id}, {ann})")).await;
    }
    exec(org, &format!("INSERT INTO ticket_contact_followers (ticket_id, contact_id) VALUES ({}, {bob})", ids[2])).await;
    // A ticket merged into the third one earlier.
    let older = org.ticket("VPN old report").await;
    exec(org, &format!("UPDATE tickets SET merged_into_id = {} WHERE id = {}", ids[2], org.ticket_id(&older.reference).await)).await;
    references
}

#[tokio::test]
async fn merge_moves_every_related_row_and_loses_nothing() {
    let org = Org::new().await;
    let references = busy_tickets(&org).await;
    let ids: Vec<i64> = [org.ticket_id(&references[0]).await, org.ticket_id(&references[1]).await, org.ticket_id(&references[2]).await].into();
    let (survivor, gone) = (ids[0], &ids[1..]);
    let mut before = Vec::new();
    for moved in MOVED {
        before.push(rows_of(&org, moved, &ids).await);
    }

    let merged = merge(&org.db, &org.agent, &references[0], &references, &versions(&org, &references).await, org.now).await.unwrap();
    assert_eq!(merged.outcome, MergeOutcome { survivor: references[0].clone(), merged: references[1..].to_vec() });
    assert_eq!(merged.team_ids, vec![org.team_id]);

    for (moved, before) in MOVED.iter().zip(before) {
        let on_survivor = rows_of(&org, moved, &[survivor]).await;
        assert!(before.is_subset(&on_survivor), "{}.{}: {before:?} not all on the survivor, which has {on_survivor:?}", moved.table, moved.column);
        if !matches!(moved.handling, Handling::Labelled { .. }) {
            assert!(rows_of(&org, moved, gone).await.is_empty(), "{} rows were left on the merged tickets", moved.table);
        }
    }
    // Sets have no duplicates: one row per follower and tag.
    let followers: Vec<i64> = sqlx::query_scalar("SELECT user_id FROM ticket_followers WHERE ticket_id = ? ORDER BY user_id").bind(survivor).fetch_all(&org.db.read).await.unwrap();
    assert_eq!(followers, vec![org.agent.id, org.other_agent.id]);
    let contact_followers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ticket_contact_followers WHERE ticket_id = ?").bind(survivor).fetch_one(&org.db.read).await.unwrap();
    assert_eq!(contact_followers, 2);
    let messages: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE ticket_id = ?").bind(survivor).fetch_one(&org.db.read).await.unwrap();
    assert_eq!(messages, 6);

    let kept = tickets::get(&org.db, &org.agent, &references[0], org.now).await.unwrap();
    assert_eq!(kept.tags, vec!["tag-0", "tag-1", "tag-2", "vpn"]);
    assert_eq!(kept.merged_into, None);
    for reference in &references[1..] {
        let line = format!("Merged {reference} (\u{201c}");
        assert!(kept.timeline.iter().any(|e| e.kind == TimelineKind::Merged && e.summary.starts_with(&line)), "{:?}", kept.timeline);
        assert!(kept.timeline.iter().any(|e| e.kind == TimelineKind::Created && e.summary.starts_with(&format!("{reference}: Created"))), "history says where it came from");

        let closed = tickets::get(&org.db, &org.agent, reference, org.now).await.unwrap();
        assert_eq!(closed.merged_into.as_deref(), Some(references[0].as_str()));
        assert_eq!(closed.status, TicketStatus::Cancelled);
        assert_eq!(closed.stage.id, org.stages.cancelled.id);
        assert!(closed.closed_at.is_some());
        assert!(closed.timeline.iter().any(|e| e.kind == TimelineKind::Merged && e.summary == format!("Merged into {}", references[0])));
    }
    let older_points_to: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM tickets WHERE merged_into_id = ?").bind(survivor).fetch_one(&org.db.read).await.unwrap();
    assert_eq!(older_points_to, 3, "the two merged now and the one merged into the third before");
}

#[tokio::test]
async fn merge_runs_the_ticket_workflow_for_every_ticket() {
    let org = Org::new().await;
    org.support_sla().await;
    let tag = |name: &str| vec![AutomationAction::AddTag { tag: name.into() }];
    for (name, trigger, action) in [("Closed by a stage change", Trigger::StageChanged, "stage-changed"), ("Updated", Trigger::Updated, "updated")] {
        let rule = AutomationRuleInput { name: name.into(), enabled: true, trigger, conditions: AutomationConditions::default(), actions: tag(action) };
        automation::save(&org.db, &org.lead, None, None, &rule).await.unwrap();
    }
    let (a, b) = (org.ticket("Printer offline").await.reference, org.ticket("Printer is offline").await.reference);
    let references = vec![a.clone(), b.clone()];
    merge(&org.db, &org.agent, &a, &references, &versions(&org, &references).await, org.now).await.unwrap();

    let kept = tickets::get(&org.db, &org.agent, &a, org.now).await.unwrap();
    assert!(kept.tags.contains(&"updated".to_string()), "the survivor's change ran the automation: {:?}", kept.tags);
    let closed = tickets::get(&org.db, &org.agent, &b, org.now).await.unwrap();
    assert!(closed.tags.contains(&"stage-changed".to_string()), "the stage change ran the automation: {:?}", closed.tags);
    let b_id = org.ticket_id(&b).await;
    let running: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_clocks WHERE ticket_id = ? AND met_at IS NULL AND cancelled_at IS NULL")
        .bind(b_id)
        .fetch_one(&org.db.read)
        .await
        .unwrap();
    let clocks: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sla_clocks WHERE ticket_id = ?").bind(b_id).fetch_one(&org.db.read).await.unwrap();
    assert!(clocks > 0 && running == 0, "closing settled the merged ticket's SLA clocks ({running} of {clocks} still running)");
}

#[tokio::test]
async fn bad_merges_are_refused_and_change_nothing() {
    let org = Org::new().await;
    let finance = org.private_team("Finance").await;
    let (a, b) = (org.ticket("One").await.reference, org.ticket("Two").await.reference);
    let secret = tickets::create(&org.db, &finance.insider, &TicketInput::quick(finance.id, "Secret"), org.now).await.unwrap().reference;
    let (va, vb) = (version(&org, &a).await, version(&org, &b).await);
    let eleven: Vec<String> = (0..11).map(|i| format!("HD-{}", 5000 + i)).collect();
    let customer = org.customer().await;

    let cases: Vec<(&CurrentUser, String, Vec<String>, Vec<i64>, &str)> = vec![
        (&org.agent, a.clone(), vec![a.clone()], vec![va], "400"),
        (&org.agent, a.clone(), eleven.clone(), vec![1; 11], "400"),
        (&org.agent, a.clone(), vec![a.clone(), a.to_lowercase()], vec![va, va], "400"),
        (&org.agent, a.clone(), vec![a.clone(), "nonsense".into()], vec![va, 1], "400"),
        (&org.agent, "HD-9999".into(), vec![a.clone(), b.clone()], vec![va, vb], "400"),
        (&org.agent, a.clone(), vec![a.clone(), b.clone()], vec![va], "400"),
        (&org.agent, a.clone(), vec![a.clone(), b.clone()], vec![va, vb + 1], "409"),
        (&org.agent, a.clone(), vec![a.clone(), "HD-9999".into()], vec![va, 1], "404"),
        (&org.agent, a.clone(), vec![a.clone(), secret.clone()], vec![va, 1], "404"),
        (&customer, a.clone(), vec![a.clone(), b.clone()], vec![va, vb], "403"),
    ];
    for (user, survivor, references, versions, expected) in cases {
        let result = merge(&org.db, user, &survivor, &references, &versions, org.now).await;
        let status = match &result {
            Err(AppError::Invalid(_)) => "400",
            Err(AppError::Forbidden(_)) => "403",
            Err(AppError::NotFound(_)) => "404",
            Err(AppError::Conflict(_)) => "409",
            _ => "other",
        };
        assert_eq!(status, expected, "{survivor} ← {references:?}: {result:?}");
    }
    assert_eq!((version(&org, &a).await, version(&org, &b).await), (va, vb), "nothing changed");

    // Following a ticket of a team one does not work in is not enough to merge it.
    org.follow(&secret, org.agent.id).await;
    let refused = merge(&org.db, &org.agent, &a, &[a.clone(), secret.clone()], &[va, 1], org.now).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");

    // A merged ticket is not merged again.
    merge(&org.db, &org.agent, &a, &[a.clone(), b.clone()], &[va, vb], org.now).await.unwrap();
    let c = org.ticket("Three").await.reference;
    let again = merge(&org.db, &org.agent, &c, &[c.clone(), b.clone()], &[version(&org, &c).await, version(&org, &b).await], org.now).await;
    assert!(matches!(again, Err(AppError::Invalid(ref m)) if m.contains("merged into")), "{again:?}");
}

#[tokio::test]
async fn preview_shows_the_tickets_side_by_side_with_pair_scores() {
    let org = Org::new().await;
    let references: Vec<String> =
        vec![org.ticket("VPN drops every hour").await.reference, org.ticket("VPN drops every hour").await.reference, org.ticket("Invoice address").await.reference];
    let shown = preview(&org.db, &org.agent, &references).await.unwrap();
    assert_eq!(shown.tickets.iter().map(|t| t.reference.clone()).collect::<Vec<_>>(), references);
    assert_eq!(shown.tickets[0].stage, "New");
    assert_eq!(shown.scores.len(), 3);
    let score = |x: &str, y: &str| shown.scores.iter().find(|s| s.first == x && s.second == y).unwrap().score;
    assert_eq!(score(&references[0], &references[1]), 1.0);
    assert!(score(&references[0], &references[2]) < score(&references[0], &references[1]));
    assert!(matches!(preview(&org.db, &org.agent, &references[..1]).await, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn possible_duplicates_are_open_look_alikes_of_visible_teams_best_first() {
    let org = Org::new().await;
    let acme = org.account("Acme").await;
    let with_customer = |title: &str| TicketInput { account_id: Some(acme), ..TicketInput::quick(org.team_id, title) };
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let create = |input: TicketInput| async move { tickets::create(db, agent, &input, now).await.unwrap().reference };
    let original = create(with_customer("VPN drops every hour")).await;
    let twin = create(with_customer("VPN drops every hour")).await;
    let close = create(TicketInput::quick(org.team_id, "VPN drops every morning")).await;
    let unrelated = create(TicketInput::quick(org.team_id, "Printer jam in tray 2")).await;
    let solved = create(with_customer("VPN drops every hour")).await;
    let solved_version = version(&org, &solved).await;
    tickets::move_to_stage(&org.db, &org.agent, &solved, solved_version, org.stages.solved.id, None, Some(&org.fixed("Done").await), org.now).await.unwrap();
    let finance = org.private_team("Finance").await;
    let private = tickets::create(&org.db, &finance.insider, &TicketInput::quick(finance.id, "VPN drops every hour"), org.now).await.unwrap().reference;

    let found = possible_duplicates(&org.db, &org.agent, &original).await.unwrap();
    let references: Vec<&str> = found.iter().map(|d| d.reference.as_str()).collect();
    assert_eq!(references, vec![twin.as_str(), close.as_str()], "{found:?}");
    assert!(found[0].score > found[1].score && found[1].score >= similarity::DUPLICATE_THRESHOLD);
    assert!(!references.contains(&unrelated.as_str()));

    // Finance's insider also sees Finance's look-alike.
    let insider: Vec<String> = possible_duplicates(&org.db, &finance.insider, &original).await.unwrap().into_iter().map(|d| d.reference).collect();
    assert!(insider.contains(&private) && insider.contains(&twin), "{insider:?}");
    let customer = org.customer().await;
    assert!(matches!(possible_duplicates(&org.db, &customer, &original).await, Err(AppError::Forbidden(_))));

    // A merged ticket is nobody's duplicate any more.
    merge(&org.db, &org.agent, &original, &[original.clone(), twin.clone()], &versions(&org, &[original.clone(), twin.clone()]).await, org.now).await.unwrap();
    let after: Vec<String> = possible_duplicates(&org.db, &org.agent, &original).await.unwrap().into_iter().map(|d| d.reference).collect();
    assert_eq!(after, vec![close]);
}
