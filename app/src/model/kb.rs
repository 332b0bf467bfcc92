//! Knowledge-base articles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::UserRef;

/// What an author edits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleInput {
    pub title: String,
    /// Markdown.
    pub body: String,
    pub category: String,
    pub published: bool,
}

/// An article as shown: its Markdown for editing and the sanitized HTML for reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub id: i64,
    #[serde(flatten)]
    pub input: ArticleInput,
    pub body_html: String,
    pub author: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
    /// The caller may edit it.
    pub can_edit: bool,
}

/// One row of the article list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub published: bool,
    pub updated_at: DateTime<Utc>,
    /// The start of the body as plain text.
    pub excerpt: String,
}

impl ArticleSummary {
    pub fn url(&self) -> String {
        format!("/kb/{}", self.id)
    }
}

/// The list page: the matching articles, the categories to filter by, and what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleList {
    pub articles: Vec<ArticleSummary>,
    pub categories: Vec<String>,
    pub can_write: bool,
}

/// An article as the composer inserts it: a link, or its text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleInsert {
    pub id: i64,
    pub title: String,
    /// The article's Markdown body.
    pub body: String,
}

impl ArticleInsert {
    /// A Markdown link to the article, for a reply.
    pub fn markdown_link(&self) -> String {
        format!("[{}](/kb/{})", self.title.replace(['[', ']'], ""), self.id)
    }
}
