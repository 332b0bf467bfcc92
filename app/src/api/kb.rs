//! The knowledge base: articles (customers read the published ones) and their links to tickets.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::{Article, ArticleInput, ArticleList, ArticleSummary};

/// Articles containing `search` in title or text (empty: all), in `category` (empty: any).
#[server(prefix = "/api", endpoint = "search_articles", input = Json)]
pub async fn search_articles(search: String, category: String) -> Result<ArticleList, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::search(&state.db, &user, &search, &category).await
}

#[server(prefix = "/api", endpoint = "load_article", input = Json)]
pub async fn load_article(id: i64) -> Result<Article, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::get(&state.db, &user, id).await
}

#[server(prefix = "/api", endpoint = "create_article", input = Json)]
pub async fn create_article(input: ArticleInput) -> Result<Article, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::create(&state.db, &user, &input, chrono::Utc::now()).await
}

#[server(prefix = "/api", endpoint = "update_article", input = Json)]
pub async fn update_article(id: i64, version: i64, input: ArticleInput) -> Result<Article, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::update(&state.db, &user, id, version, &input, chrono::Utc::now()).await
}

/// The articles linked to a ticket (staff).
#[server(prefix = "/api", endpoint = "linked_articles", input = Json)]
pub async fn linked_articles(reference: String) -> Result<Vec<ArticleSummary>, AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::linked(&state.db, &user, &reference).await
}

/// Links (`link = true`) or unlinks an article and a ticket.
#[server(prefix = "/api", endpoint = "link_article", input = Json)]
pub async fn link_article(reference: String, article_id: i64, link: bool) -> Result<(), AppError> {
    let (state, user) = crate::api::server::caller().await?;
    crate::store::kb::set_link(&state.db, &user, &reference, article_id, link, chrono::Utc::now()).await
}
