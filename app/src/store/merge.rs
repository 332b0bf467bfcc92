//! Merging tickets: the survivor takes over everything that belongs to the others (conversation,
//! followers, tags, timeline, …), which are closed and point to it. Also the side-by-side view
//! of a planned merge and the "possible duplicates" of a ticket.
//!
//! What moves is one table-driven list ([`MOVED`]); what deliberately stays with the merged
//! ticket is another ([`KEPT`]), each with its reason. A store test reads the schema and fails
//! on any table that points at tickets and is in neither list, so a feature that adds such a
//! table decides here what a merge does with it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::lookup::{accessible, parse_reference, stages_of, visible_team_ids, TicketCore};
use super::ticket_flow::{after_change, Change};
use super::ticket_writes::{end_of, set_stage, touch};
use super::timeline::add_timeline;
use super::{decode, dialect, id_list, open_statuses, Conn, Db};
use crate::domain::access::{self, Action, Relation};
use crate::domain::automation::Event;
use crate::domain::reference;
use crate::domain::validate::{MERGE_MAX, MERGE_MIN};
use crate::domain::similarity::{self, Compared};
use crate::error::AppError;
use crate::model::*;

/// Possible duplicates shown for a ticket.
pub const DUPLICATES_SHOWN: usize = 5;
/// The most recent open tickets scored when looking for duplicates.
pub const DUPLICATE_CANDIDATES: i64 = 500;
/// Title words a duplicate search looks for (the longest ones), so that one query stays small.
const SEARCH_WORDS: usize = 8;
/// Characters of a description the side-by-side view shows.
const EXCERPT_CHARS: usize = 240;

/// What happens to a merged ticket's rows of a table when they move to the survivor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handling {
    /// Rows with an id of their own: all of them move.
    Move,
    /// Rows that are a set per ticket (`key` unique per ticket): the ones the survivor has
    /// already stay the survivor's, the others move.
    Dedupe { key: &'static str },
    /// History lines: they move and say which ticket they came from (in column `text`).
    Labelled { text: &'static str },
}

/// A table (and its column naming the ticket) whose rows go to the survivor.
pub(crate) struct Moved {
    pub table: &'static str,
    pub column: &'static str,
    pub handling: Handling,
}

/// A table (and column) whose rows stay with the merged ticket, and why (checked against the
/// schema by the tests; merging itself has nothing to do for them).
#[cfg(test)]
pub(crate) struct Kept {
    pub table: &'static str,
    pub column: &'static str,
    pub reason: &'static str,
}

/// Everything that belongs to a merged ticket and moves to the survivor.
pub(crate) const MOVED: &[Moved] = &[
    Moved { table: "messages", column: "ticket_id", handling: Handling::Move },
    Moved { table: "timeline_entries", column: "ticket_id", handling: Handling::Labelled { text: "summary" } },
    Moved { table: "ticket_tags", column: "ticket_id", handling: Handling::Dedupe { key: "tag" } },
    Moved { table: "ticket_followers", column: "ticket_id", handling: Handling::Dedupe { key: "user_id" } },
    Moved { table: "ticket_contact_followers", column: "ticket_id", handling: Handling::Dedupe { key: "contact_id" } },
    Moved { table: "attachments", column: "ticket_id", handling: Handling::Move },
    Moved { table: "time_entries", column: "ticket_id", handling: Handling::Move },
    Moved { table: "ticket_events", column: "ticket_id", handling: Handling::Move },
    Moved { table: "ticket_articles", column: "ticket_id", handling: Handling::Dedupe { key: "article_id" } },
    // Tickets merged earlier into a ticket now merged point on to the survivor.
    Moved { table: "tickets", column: "merged_into_id", handling: Handling::Move },
    // Child tickets become the survivor's children.
    Moved { table: "tickets", column: "parent_id", handling: Handling::Move },
];

/// What stays with the merged ticket on purpose.
#[cfg(test)]
pub(crate) const KEPT: &[Kept] = &[
    Kept { table: "sla_clocks", column: "ticket_id", reason: "they measure the merged ticket's own service; closing it settles them" },
    Kept { table: "automation_runs", column: "ticket_id", reason: "when a rule last fired on the merged ticket; the survivor's rules keep their own pace" },
    Kept { table: "queue_tickets", column: "ticket_id", reason: "queues route the merged ticket; the survivor keeps its own queues" },
    Kept { table: "ticket_requirements", column: "ticket_id", reason: "the survivor's own required qualifications decide who works it" },
    Kept { table: "notifications", column: "ticket_id", reason: "sent notifications tell what happened then; the merged ticket points on to the survivor" },
    Kept { table: "ticket_mutes", column: "ticket_id", reason: "muting one ticket does not silence the survivor" },
    Kept { table: "leads", column: "ticket_id", reason: "a lead names the ticket it was converted from" },
];

/// One ticket as merging and scoring see it.
#[derive(sqlx::FromRow)]
struct Candidate {
    id: i64,
    number: i64,
    version: i64,
    title: String,
    description: String,
    contact_id: Option<i64>,
    account_id: Option<i64>,
    customer: Option<String>,
    team_id: i64,
    team: String,
    stage_id: i64,
    stage: String,
    status: String,
    assignee: Option<String>,
    created_at: DateTime<Utc>,
    merged_into: Option<i64>,
}

const CANDIDATE_SELECT: &str = "SELECT k.id, k.number, k.version, k.title, k.description, k.contact_id, k.account_id,
        COALESCE(c.name, a.name) AS customer, k.team_id, t.name AS team, k.stage_id, s.name AS stage, k.status,
        u.name AS assignee, k.created_at, m.number AS merged_into
    FROM tickets k
    JOIN teams t ON t.id = k.team_id
    JOIN stages s ON s.id = k.stage_id
    LEFT JOIN users u ON u.id = k.assignee_id
    LEFT JOIN contacts c ON c.id = k.contact_id
    LEFT JOIN accounts a ON a.id = k.account_id
    LEFT JOIN tickets m ON m.id = k.merged_into_id";

impl Candidate {
    fn reference(&self) -> String {
        reference::format(self.number)
    }

    fn compared(&self) -> Compared<'_> {
        Compared { title: &self.title, description: &self.description, contact_id: self.contact_id, account_id: self.account_id }
    }

    fn into_view(self) -> Result<MergeCandidate, AppError> {
        let mut excerpt: String = self.description.chars().take(EXCERPT_CHARS).collect();
        if excerpt.len() < self.description.len() {
            excerpt.push('…');
        }
        Ok(MergeCandidate {
            reference: reference::format(self.number),
            status: decode(TicketStatus::parse, &self.status)?,
            version: self.version,
            title: self.title,
            customer: self.customer,
            team: self.team,
            stage: self.stage,
            assignee: self.assignee,
            created_at: self.created_at,
            excerpt,
        })
    }
}

async fn candidate(conn: &mut Conn, ticket_id: i64) -> Result<Candidate, AppError> {
    Ok(sqlx::query_as(&format!("{CANDIDATE_SELECT} WHERE k.id = ?")).bind(ticket_id).fetch_one(conn).await?)
}

/// The references of a merge, bounded and checked before any lookup: 2 to 10 distinct tickets.
fn checked_references(references: &[String]) -> Result<Vec<String>, AppError> {
    if references.len() < MERGE_MIN {
        return Err(AppError::Invalid("Select at least two tickets to merge.".into()));
    }
    if references.len() > MERGE_MAX {
        return Err(AppError::Invalid(format!("Merge at most {MERGE_MAX} tickets at once.")));
    }
    let mut seen = HashSet::new();
    let mut normalised = Vec::new();
    for text in references {
        let number = parse_reference(text)?;
        if !seen.insert(number) {
            return Err(AppError::Invalid(format!("{} is listed twice.", reference::format(number))));
        }
        normalised.push(reference::format(number));
    }
    Ok(normalised)
}

/// A ticket the caller may merge: visible (else 404), of a team they work (a ticket they only
/// follow is refused), and not merged already.
async fn mergeable(conn: &mut Conn, user: &CurrentUser, text: &str) -> Result<(TicketCore, Candidate), AppError> {
    let core = accessible(conn, user, text, true).await?;
    let relation = Relation { role: user.role, visibility: decode(Visibility::parse, &core.visibility)?, in_team: core.in_team, follows_ticket: false };
    if !access::can_merge_ticket(relation) {
        return Err(AppError::Forbidden(format!("{text} belongs to a team you do not work in: only its team can merge it.")));
    }
    let found = candidate(conn, core.id).await?;
    if let Some(into) = found.merged_into {
        return Err(AppError::Invalid(format!("{text} was merged into {} already.", reference::format(into))));
    }
    Ok((core, found))
}

/// Every pair's score, in the order the tickets were given.
fn pair_scores(tickets: &[Candidate]) -> Vec<PairScore> {
    let mut scores = Vec::new();
    for (index, first) in tickets.iter().enumerate() {
        for second in &tickets[index + 1..] {
            scores.push(PairScore { first: first.reference(), second: second.reference(), score: similarity::score(&first.compared(), &second.compared()) });
        }
    }
    scores
}

/// The tickets of a planned merge side by side, with every pair's similarity.
pub async fn preview(db: &Db, user: &CurrentUser, references: &[String]) -> Result<MergePreview, AppError> {
    access::require(user, Action::WorkTickets)?;
    let references = checked_references(references)?;
    let mut conn = db.read.acquire().await?;
    let mut tickets = Vec::new();
    for text in &references {
        tickets.push(mergeable(&mut conn, user, text).await?.1);
    }
    let scores = pair_scores(&tickets);
    Ok(MergePreview { tickets: tickets.into_iter().map(Candidate::into_view).collect::<Result<_, _>>()?, scores })
}

/// A merge done, and the teams whose boards must refresh.
#[derive(Debug)]
pub struct Merged {
    pub outcome: MergeOutcome,
    pub team_ids: Vec<i64>,
}

/// Merges `references` (each at the `versions` given, in the same order) into `survivor`, one of
/// them, in one transaction: the others' rows move (see [`MOVED`]), they are closed in their
/// team's cancelled stage (else its solved stage) and point to the survivor; every ticket goes
/// through the ticket workflow.
pub async fn merge(db: &Db, user: &CurrentUser, survivor: &str, references: &[String], versions: &[i64], now: DateTime<Utc>) -> Result<Merged, AppError> {
    access::require(user, Action::WorkTickets)?;
    let references = checked_references(references)?;
    if versions.len() != references.len() {
        return Err(AppError::Invalid("Give one version for each ticket to merge.".into()));
    }
    let survivor = reference::format(parse_reference(survivor)?);
    if !references.contains(&survivor) {
        return Err(AppError::Invalid(format!("{survivor} is not one of the tickets to merge.")));
    }
    let mut tx = db.begin_write().await?;
    let mut kept = None;
    let mut merged = Vec::new();
    for (text, version) in references.iter().zip(versions) {
        let (_, ticket) = mergeable(&mut tx, user, text).await?;
        if ticket.version != *version {
            return Err(AppError::Conflict(format!("{text} was changed by someone else in the meantime. The latest version has been loaded.")));
        }
        if *text == survivor {
            kept = Some(ticket);
        } else {
            merged.push(ticket);
        }
    }
    let kept = kept.ok_or_else(|| AppError::Internal("The survivor was not loaded.".into()))?;
    let mut team_ids = vec![kept.team_id];
    for ticket in &merged {
        move_rows(&mut tx, ticket, kept.id).await?;
        close_as_merged(&mut tx, user, ticket, &kept, now).await?;
        team_ids.push(ticket.team_id);
    }
    touch(&mut tx, kept.id, now).await?;
    for ticket in &merged {
        let line = format!("Merged {} (\u{201c}{}\u{201d}) into this ticket", ticket.reference(), ticket.title);
        add_timeline(&mut tx, kept.id, TimelineKind::Merged, Some(user.id), now, &line).await?;
    }
    after_change(&mut tx, Change { actor_id: Some(user.id), ticket_id: kept.id, events: vec![Event::Updated], route: false }, now).await?;
    tx.commit().await?;
    team_ids.sort_unstable();
    team_ids.dedup();
    Ok(Merged { outcome: MergeOutcome { survivor, merged: merged.iter().map(Candidate::reference).collect() }, team_ids })
}

/// Moves a merged ticket's rows to the survivor, table by table as [`MOVED`] says.
async fn move_rows(conn: &mut Conn, merged: &Candidate, survivor_id: i64) -> Result<(), AppError> {
    for Moved { table, column, handling } in MOVED {
        match handling {
            Handling::Move => {}
            Handling::Dedupe { key } => {
                sqlx::query(&format!("DELETE FROM {table} WHERE {column} = ?1 AND {key} IN (SELECT {key} FROM {table} WHERE {column} = ?2)"))
                    .bind(merged.id)
                    .bind(survivor_id)
                    .execute(&mut *conn)
                    .await?;
            }
            Handling::Labelled { text } => {
                sqlx::query(&format!("UPDATE {table} SET {text} = ? || {text} WHERE {column} = ?"))
                    .bind(format!("{}: ", merged.reference()))
                    .bind(merged.id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        sqlx::query(&format!("UPDATE {table} SET {column} = ? WHERE {column} = ?")).bind(survivor_id).bind(merged.id).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Closes a merged ticket (unless it is closed already) and points it to the survivor.
async fn close_as_merged(conn: &mut Conn, user: &CurrentUser, ticket: &Candidate, survivor: &Candidate, now: DateTime<Utc>) -> Result<(), AppError> {
    let stages = stages_of(conn, ticket.team_id).await?;
    let current = stages.iter().find(|s| s.id == ticket.stage_id).ok_or_else(|| AppError::Internal("The ticket's stage is missing.".into()))?;
    let mut events = vec![Event::Updated];
    if !current.category.is_closing() {
        let closing = [StageCategory::Cancelled, StageCategory::Solved]
            .iter()
            .find_map(|category| stages.iter().find(|s| s.category == *category))
            .ok_or_else(|| AppError::Invalid(format!("The team \"{}\" has no closing stage to put {} in.", ticket.team, ticket.reference())))?;
        let position = end_of(conn, closing.id, ticket.id).await?;
        if !set_stage(conn, ticket.id, closing, position, Some(ticket.version), now).await? {
            return Err(AppError::Conflict(format!("{} was changed by someone else in the meantime.", ticket.reference())));
        }
        add_timeline(conn, ticket.id, TimelineKind::Moved, Some(user.id), now, &format!("Stage: {} → {}", current.name, closing.name)).await?;
        events.push(Event::StageChanged);
    }
    sqlx::query("UPDATE tickets SET merged_into_id = ?, updated_at = ?, version = version + 1 WHERE id = ?")
        .bind(survivor.id)
        .bind(now)
        .bind(ticket.id)
        .execute(&mut *conn)
        .await?;
    add_timeline(conn, ticket.id, TimelineKind::Merged, Some(user.id), now, &format!("Merged into {}", survivor.reference())).await?;
    after_change(conn, Change { actor_id: Some(user.id), ticket_id: ticket.id, events, route: false }, now).await?;
    Ok(())
}

/// Up to [`DUPLICATES_SHOWN`] open tickets of teams the caller sees that look like this one,
/// best first, scoring at least [`similarity::DUPLICATE_THRESHOLD`]. Only a bounded set is
/// scored: the [`DUPLICATE_CANDIDATES`] most recent open, unmerged tickets of those teams that
/// have the same contact or account, or whose title contains one of the ticket's
/// [`SEARCH_WORDS`] longest title words.
pub async fn possible_duplicates(db: &Db, user: &CurrentUser, text: &str) -> Result<Vec<PossibleDuplicate>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let core = accessible(&mut conn, user, text, false).await?;
    let ticket = candidate(&mut conn, core.id).await?;
    if ticket.merged_into.is_some() {
        return Ok(Vec::new());
    }
    let teams = visible_team_ids(&mut conn, user).await?;
    let mut title_words: Vec<String> = similarity::words(&ticket.title).into_iter().collect();
    title_words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    title_words.truncate(SEARCH_WORDS);
    let like = dialect::LIKE;
    let mut matches = vec!["k.contact_id = ?".to_string(), "k.account_id = ?".to_string()];
    matches.extend(title_words.iter().map(|_| format!("k.title {like} ? ESCAPE '\\'")));
    let sql = format!(
        "{CANDIDATE_SELECT}
          WHERE k.team_id IN ({}) AND k.status IN ({}) AND k.merged_into_id IS NULL AND k.id <> ?
            AND ({})
          ORDER BY k.created_at DESC, k.id DESC LIMIT ?",
        id_list(&teams),
        open_statuses(),
        matches.join(" OR ")
    );
    let mut query = sqlx::query_as::<_, Candidate>(&sql).bind(ticket.id).bind(ticket.contact_id).bind(ticket.account_id);
    for word in &title_words {
        query = query.bind(dialect::contains_pattern(word));
    }
    let found = query.bind(DUPLICATE_CANDIDATES).fetch_all(&mut *conn).await?;
    let mut scored: Vec<(f64, Candidate)> = found
        .into_iter()
        .map(|other| (similarity::score(&ticket.compared(), &other.compared()), other))
        .filter(|(score, _)| *score >= similarity::DUPLICATE_THRESHOLD)
        .collect();
    // Best first; among equals the newer ticket.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.created_at.cmp(&a.1.created_at)));
    Ok(scored
        .into_iter()
        .take(DUPLICATES_SHOWN)
        .map(|(score, other)| PossibleDuplicate { reference: other.reference(), title: other.title, customer: other.customer, stage: other.stage, score })
        .collect())
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
