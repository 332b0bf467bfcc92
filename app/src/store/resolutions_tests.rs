//! Store tests of resolving: a person's move into solved needs a code and a note and stores
//! them; reopening keeps the last one; a parent with open children is solved only on purpose.

use crate::store::fixtures::Org;
use crate::store::tickets::{create_child, get, move_to_stage};

use super::*;

async fn ticket_row(org: &Org, reference: &str) -> (i64, String, Option<i64>, String, i64) {
    let id = org.ticket_id(reference).await;
    sqlx::query_as("SELECT stage_id, status, resolution_code_id, resolution_note, version FROM tickets WHERE id = ?").bind(id).fetch_one(&org.db.read).await.unwrap()
}

#[tokio::test]
async fn solving_needs_a_resolution_and_stores_it() {
    let org = Org::new().await;
    let (db, agent, solved) = (&org.db, &org.agent, org.stages.solved.id);
    let card = org.ticket("Printer offline").await;
    let before = ticket_row(&org, &card.reference).await;

    let refused = move_to_stage(db, agent, &card.reference, card.version, solved, None, None, org.now).await;
    assert!(matches!(&refused, Err(AppError::Invalid(m)) if m == &format!("Solving {} needs a resolution code and a resolution note.", card.reference)), "{:?}", refused.as_ref().err());
    let blank = ResolutionInput { note: "  ".into(), ..org.fixed("").await };
    assert!(matches!(move_to_stage(db, agent, &card.reference, card.version, solved, None, Some(&blank), org.now).await, Err(AppError::Invalid(_))));
    let general: i64 = sqlx::query_scalar("SELECT id FROM resolution_codes WHERE name = 'Solved' AND parent_id IS NULL").fetch_one(&db.read).await.unwrap();
    let too_general = ResolutionInput { code_id: general, ..org.fixed("Done").await };
    assert!(matches!(move_to_stage(db, agent, &card.reference, card.version, solved, None, Some(&too_general), org.now).await, Err(AppError::Invalid(_))));
    assert_eq!(ticket_row(&org, &card.reference).await, before, "a refused move changes nothing");

    let fixed = org.fixed("  Replaced the toner.  ").await;
    let moved = move_to_stage(db, agent, &card.reference, card.version, solved, None, Some(&fixed), org.now).await.unwrap();
    let (stage_id, status, code, note, _) = ticket_row(&org, &card.reference).await;
    assert_eq!((stage_id, status.as_str(), code, note.as_str()), (solved, TicketStatus::Resolved.as_str(), Some(fixed.code_id), "Replaced the toner."));
    let shown = get(db, agent, &card.reference, org.now).await.unwrap();
    assert_eq!(shown.resolution, Some(TicketResolution { code: "Solved › Fixed".into(), note: "Replaced the toner.".into(), current: true }));
    assert!(shown.timeline.iter().any(|e| e.kind == TimelineKind::Resolved && e.summary == "Resolved: Solved › Fixed\nReplaced the toner."));

    // Reopening keeps the last resolution (marked as such) and the timeline line.
    let reopened = move_to_stage(db, agent, &card.reference, moved.card.version, org.stages.in_progress.id, None, None, org.now).await.unwrap();
    let shown = get(db, agent, &card.reference, org.now).await.unwrap();
    assert_eq!(shown.resolution.as_ref().map(|r| (r.code.as_str(), r.current)), Some(("Solved › Fixed", false)));
    assert_eq!(shown.timeline.iter().filter(|e| e.kind == TimelineKind::Resolved).count(), 1);
    // A move that does not solve takes no resolution.
    let stray = move_to_stage(db, agent, &card.reference, reopened.card.version, org.stages.waiting.id, None, Some(&fixed), org.now).await;
    assert!(matches!(stray, Err(AppError::Invalid(_))));
}

#[tokio::test]
async fn deactivated_codes_are_not_offered() {
    let org = Org::new().await;
    let card = org.ticket("Old code").await;
    let fixed = org.fixed("Done").await;
    let prompt = prompt(&org.db, &org.agent, &card.reference).await.unwrap();
    assert!(prompt.codes.iter().any(|c| c.id == fixed.code_id && c.general == "Solved" && c.name == "Fixed"));
    assert!(prompt.codes.iter().all(|c| c.name != "Solved" && c.name != "Not solved"), "only specific codes: {:?}", prompt.codes);
    sqlx::query("UPDATE resolution_codes SET deactivated_at = ? WHERE id = ?").bind(org.now).bind(fixed.code_id).execute(&org.db.write).await.unwrap();
    let refused = move_to_stage(&org.db, &org.agent, &card.reference, card.version, org.stages.solved.id, None, Some(&fixed), org.now).await;
    assert!(matches!(refused, Err(AppError::Invalid(_))));
    assert!(prompt_codes(&org, &card.reference).await.iter().all(|c| c.id != fixed.code_id));
}

async fn prompt_codes(org: &Org, reference: &str) -> Vec<ResolutionChoice> {
    prompt(&org.db, &org.agent, reference).await.unwrap().codes
}

#[tokio::test]
async fn a_parent_with_open_children_is_solved_only_when_confirmed() {
    let org = Org::new().await;
    let (db, agent, solved) = (&org.db, &org.agent, org.stages.solved.id);
    let parent = org.ticket("Office move").await;
    let open = create_child(db, agent, &parent.reference, "Patch the ports", org.now).await.unwrap();
    let done = create_child(db, agent, &parent.reference, "Move the printer", org.now).await.unwrap();
    move_to_stage(db, agent, &done.reference, done.version, solved, None, Some(&org.fixed("Moved").await), org.now).await.unwrap();
    assert_eq!(prompt(db, agent, &parent.reference).await.unwrap().open_children, 1);

    let parent_now = get(db, agent, &parent.reference, org.now).await.unwrap();
    let fixed = org.fixed("All set up").await;
    let refused = move_to_stage(db, agent, &parent.reference, parent_now.version, solved, None, Some(&fixed), org.now).await;
    assert!(matches!(&refused, Err(AppError::Invalid(m)) if m.starts_with("1 child ticket is still open")), "{:?}", refused.as_ref().err());
    assert_eq!(get(db, agent, &parent.reference, org.now).await.unwrap().stage.id, parent_now.stage.id, "nothing changed");

    let confirmed = ResolutionInput { close_with_open_children: true, ..fixed };
    move_to_stage(db, agent, &parent.reference, parent_now.version, solved, None, Some(&confirmed), org.now).await.unwrap();
    let child = get(db, agent, &open.reference, org.now).await.unwrap();
    assert_eq!(child.stage.category, StageCategory::New, "the open child stays open");
}
