//! The knowledge base: articles in Markdown (kept with their sanitized HTML), drafts for staff
//! only, and the articles linked to a ticket.

use chrono::{DateTime, Utc};

use super::lookup::accessible;
use super::timeline::add_timeline;
use super::{dialect, expect_one_row, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::kb::{self, LIST_MAX};
use crate::domain::markdown;
use crate::domain::validate::SEARCH_MAX;
use crate::error::AppError;
use crate::model::{Article, ArticleInput, ArticleList, ArticleSummary, CurrentUser, TimelineKind, UserRef};

/// Customers read published articles only; drafts do not exist for them.
fn reader_filter(user: &CurrentUser) -> &'static str {
    if user.role.is_internal() {
        ""
    } else {
        " AND a.published = 1"
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: i64,
    title: String,
    category: String,
    published: bool,
    updated_at: DateTime<Utc>,
    body_start: String,
}

impl SummaryRow {
    fn into_summary(self) -> ArticleSummary {
        ArticleSummary { excerpt: kb::excerpt(&self.body_start), id: self.id, title: self.title, category: self.category, published: self.published, updated_at: self.updated_at }
    }
}

const SUMMARY_SELECT: &str = "SELECT a.id, a.title, a.category, a.published, a.updated_at, substr(a.body, 1, 400) AS body_start FROM kb_articles a";

/// Articles whose title or text contains `search` (empty: all), in `category` (empty: any),
/// published ones first, by title; at most [`LIST_MAX`].
pub async fn search(db: &Db, user: &CurrentUser, search: &str, category: &str) -> Result<ArticleList, AppError> {
    if search.chars().count() > SEARCH_MAX {
        return Err(AppError::Invalid(format!("Search for at most {SEARCH_MAX} characters.")));
    }
    let category = kb::category(category)?;
    let search = search.trim();
    let like = dialect::LIKE;
    let mut conn = db.read.acquire().await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT}
          WHERE (?1 = '' OR a.title {like} ?2 ESCAPE '\\' OR a.body {like} ?2 ESCAPE '\\')
            AND (?3 = '' OR a.category = ?3){filter}
          ORDER BY a.published DESC, LOWER(a.title), a.id
          LIMIT {LIST_MAX}",
        filter = reader_filter(user)
    ))
    .bind(search)
    .bind(dialect::contains_pattern(search))
    .bind(&category)
    .fetch_all(&mut *conn)
    .await?;
    let categories: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT DISTINCT a.category FROM kb_articles a WHERE a.category <> ''{} ORDER BY a.category",
        reader_filter(user)
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(ArticleList { articles: rows.into_iter().map(SummaryRow::into_summary).collect(), categories, can_write: access::may(user.role, Action::WriteArticles) })
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    title: String,
    body: String,
    body_html: String,
    category: String,
    published: bool,
    author_id: Option<i64>,
    author_name: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

async fn article(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<Article, AppError> {
    let row: ArticleRow = sqlx::query_as(&format!(
        "SELECT a.id, a.title, a.body, a.body_html, a.category, a.published, a.author_id, u.name AS author_name, a.created_at, a.updated_at, a.version
           FROM kb_articles a LEFT JOIN users u ON u.id = a.author_id
          WHERE a.id = ?{}",
        reader_filter(user)
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| access::missing("Article", id))?;
    Ok(Article {
        input: ArticleInput { title: row.title, body: row.body, category: row.category, published: row.published },
        author: row.author_id.zip(row.author_name).map(|(id, name)| UserRef { id, name }),
        body_html: row.body_html,
        id: row.id,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        can_edit: access::may(user.role, Action::WriteArticles),
    })
}

/// One article: any for staff, a published one for customers.
pub async fn get(db: &Db, user: &CurrentUser, id: i64) -> Result<Article, AppError> {
    let mut conn = db.read.acquire().await?;
    article(&mut conn, user, id).await
}

pub async fn create(db: &Db, user: &CurrentUser, input: &ArticleInput, now: DateTime<Utc>) -> Result<Article, AppError> {
    access::require(user, Action::WriteArticles)?;
    let input = kb::article(input)?;
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO kb_articles (title, body, body_html, category, published, author_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(&input.title)
    .bind(&input.body)
    .bind(markdown::render(&input.body))
    .bind(&input.category)
    .bind(input.published)
    .bind(user.id)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let created = article(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(created)
}

/// Saves an article, refusing a stale `version`.
pub async fn update(db: &Db, user: &CurrentUser, id: i64, version: i64, input: &ArticleInput, now: DateTime<Utc>) -> Result<Article, AppError> {
    access::require(user, Action::WriteArticles)?;
    let input = kb::article(input)?;
    let mut tx = db.begin_write().await?;
    article(&mut tx, user, id).await?;
    let changed = sqlx::query(
        "UPDATE kb_articles SET title = ?, body = ?, body_html = ?, category = ?, published = ?, updated_at = ?, version = version + 1
          WHERE id = ? AND version = ?",
    )
    .bind(&input.title)
    .bind(&input.body)
    .bind(markdown::render(&input.body))
    .bind(&input.category)
    .bind(input.published)
    .bind(now)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    expect_one_row(changed, "This article")?;
    let saved = article(&mut tx, user, id).await?;
    tx.commit().await?;
    Ok(saved)
}

/// The articles linked to a ticket (a staff view).
pub async fn linked(db: &Db, user: &CurrentUser, reference: &str) -> Result<Vec<ArticleSummary>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let ticket = accessible(&mut conn, user, reference, false).await?;
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} JOIN ticket_articles l ON l.article_id = a.id WHERE l.ticket_id = ? ORDER BY l.linked_at, a.id"
    ))
    .bind(ticket.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(SummaryRow::into_summary).collect())
}

/// Links (`link = true`) or unlinks an article and a ticket; doing it twice changes nothing.
pub async fn set_link(db: &Db, user: &CurrentUser, reference: &str, article_id: i64, link: bool, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    let ticket = accessible(&mut tx, user, reference, true).await?;
    let title = article(&mut tx, user, article_id).await?.input.title;
    let changed = if link {
        sqlx::query("INSERT INTO ticket_articles (ticket_id, article_id, linked_by, linked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")
            .bind(ticket.id)
            .bind(article_id)
            .bind(user.id)
            .bind(now)
            .execute(&mut *tx)
            .await?
    } else {
        sqlx::query("DELETE FROM ticket_articles WHERE ticket_id = ? AND article_id = ?").bind(ticket.id).bind(article_id).execute(&mut *tx).await?
    }
    .rows_affected();
    if changed > 0 {
        let summary = if link { format!("Linked article \"{title}\"") } else { format!("Unlinked article \"{title}\"") };
        add_timeline(&mut tx, ticket.id, TimelineKind::Edited, Some(user.id), now, &summary).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
#[path = "kb_tests.rs"]
mod tests;
