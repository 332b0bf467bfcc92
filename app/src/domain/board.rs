//! The browser's optimistic view of a move: the card jumps at once, the server confirms later.

use crate::model::{BoardColumn, TicketCard};

/// Takes the card out of its column and inserts it into `to_stage` before `before` (or last),
/// adjusting column totals. Returns the card's version as the browser knew it, or `None`
/// (nothing changed) when the card or stage is not on this board or the drop is a no-op.
pub fn apply_move(columns: &mut [BoardColumn], reference: &str, to_stage: i64, before: Option<&str>) -> Option<i64> {
    if before == Some(reference) {
        return None;
    }
    let target = columns.iter().position(|c| c.stage.id == to_stage)?;
    let source = columns.iter().position(|c| c.cards.iter().any(|card| card.reference == reference))?;
    let index = columns[source].cards.iter().position(|card| card.reference == reference)?;
    let mut card = columns[source].cards.remove(index);
    let version = card.version;
    card.stage_id = to_stage;
    if source != target {
        columns[source].total -= 1;
        columns[target].total += 1;
    }
    let cards = &mut columns[target].cards;
    let at = before.and_then(|b| cards.iter().position(|c| c.reference == b)).unwrap_or(cards.len());
    cards.insert(at, card);
    Some(version)
}

/// Replaces the optimistic card with the server's confirmed one (new version and position).
pub fn confirm(columns: &mut [BoardColumn], confirmed: TicketCard) {
    let slot = columns
        .iter_mut()
        .flat_map(|column| column.cards.iter_mut())
        .find(|card| card.reference == confirmed.reference);
    if let Some(card) = slot {
        *card = confirmed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::Utc;

    fn column(stage_id: i64, refs: &[&str]) -> BoardColumn {
        BoardColumn {
            stage: Stage { id: stage_id, team_id: 1, name: format!("S{stage_id}"), category: StageCategory::New, position: stage_id, pauses_sla: false, folded: false, version: 1 },
            total: refs.len() as i64,
            cards: refs
                .iter()
                .enumerate()
                .map(|(i, r)| TicketCard {
                    reference: r.to_string(),
                    team_id: 1,
                    title: r.to_string(),
                    priority: Priority::Normal,
                    assignee: None,
                    customer: None,
                    created_at: Utc::now(),
                    stage_id,
                    position: i as f64,
                    version: 3,
                    sla: None,
                })
                .collect(),
        }
    }

    fn refs(column: &BoardColumn) -> Vec<&str> {
        column.cards.iter().map(|c| c.reference.as_str()).collect()
    }

    #[test]
    fn moves_between_columns_and_keeps_totals() {
        let mut board = vec![column(1, &["HD-1", "HD-2"]), column(2, &["HD-3"])];
        assert_eq!(apply_move(&mut board, "HD-1", 2, Some("HD-3")), Some(3));
        assert_eq!(refs(&board[0]), ["HD-2"]);
        assert_eq!(refs(&board[1]), ["HD-1", "HD-3"]);
        assert_eq!((board[0].total, board[1].total), (1, 2));
        assert_eq!(board[1].cards[0].stage_id, 2);

        let mut confirmed = board[1].cards[0].clone();
        confirmed.version = 4;
        confirm(&mut board, confirmed);
        assert_eq!(board[1].cards[0].version, 4);
    }

    #[test]
    fn reorders_within_a_column_and_appends_without_anchor() {
        let mut board = vec![column(1, &["HD-1", "HD-2", "HD-3"])];
        apply_move(&mut board, "HD-3", 1, Some("HD-1"));
        assert_eq!(refs(&board[0]), ["HD-3", "HD-1", "HD-2"]);
        apply_move(&mut board, "HD-3", 1, None);
        assert_eq!(refs(&board[0]), ["HD-1", "HD-2", "HD-3"]);
        assert_eq!(board[0].total, 3);
    }

    #[test]
    fn unknown_cards_stages_and_self_drops_change_nothing() {
        let mut board = vec![column(1, &["HD-1"]), column(2, &[])];
        let before = board.clone();
        assert_eq!(apply_move(&mut board, "HD-9", 2, None), None);
        assert_eq!(apply_move(&mut board, "HD-1", 7, None), None);
        assert_eq!(apply_move(&mut board, "HD-1", 1, Some("HD-1")), None);
        assert_eq!(board, before);
    }
}
