//! The knowledge base: the searchable list (`/kb`), one article (`/kb/:id`), and writing one
//! (`/kb/new`, `/kb/:id/edit`, for leads and admins). Customers read published articles.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::api::kb::{create_article, load_article, search_articles, update_article};
use crate::domain::age;
use crate::error::AppError;
use crate::model::{Article, ArticleInput};
use crate::ui::components::{use_toasts, ErrorAlert};

#[component]
pub fn KbListPage() -> impl IntoView {
    let query = use_query_map();
    let search = RwSignal::new(query.read_untracked().get("q").unwrap_or_default());
    let category = RwSignal::new(query.read_untracked().get("category").unwrap_or_default());
    let list = Resource::new(move || (search.get(), category.get()), |(search, category)| search_articles(search, category));
    view! {
        <main>
            <div class="page-head">
                <h1>"Knowledge base"</h1>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        list.await.ok().filter(|l| l.can_write).map(|_| view! { <a class="button primary" href="/kb/new" data-testid="new-article">"New article"</a> })
                    })}
                </Suspense>
            </div>
            <form class="panel kb-filters" role="search" on:submit=|ev: SubmitEvent| ev.prevent_default()>
                <div class="field">
                    <label for="kb-search">"Search"</label>
                    <input id="kb-search" name="q" type="search" placeholder="Title or text" data-testid="kb-search"
                        prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
                </div>
                <div class="field">
                    <label for="kb-category">"Category"</label>
                    <select id="kb-category" name="category" on:change=move |ev| category.set(event_target_value(&ev))>
                        <option value="" selected=move || category.get().is_empty()>"All categories"</option>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                list.await.map(|l| l.categories).unwrap_or_default().into_iter().map(|name| {
                                    let selected = name == category.get_untracked();
                                    view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                                }).collect_view()
                            })}
                        </Suspense>
                    </select>
                </div>
            </form>
            <Transition fallback=|| view! { <p class="muted">"Loading articles…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) if list.articles.is_empty() => view! { <p class="muted">"No articles match."</p> }.into_any(),
                        Ok(list) => {
                            let now = chrono::Utc::now();
                            view! {
                                <ul class="kb-list">
                                    {list.articles.into_iter().map(|article| view! {
                                        <li class="panel" data-testid="kb-article" data-article-id=article.id>
                                            <a class="kb-title" href=article.url()>{article.title.clone()}</a>
                                            {(!article.published).then(|| view! { <span class="badge" data-testid="draft-badge">"Draft"</span> })}
                                            {(!article.category.is_empty()).then(|| view! { <span class="badge">{article.category.clone()}</span> })}
                                            <p class="muted">{article.excerpt.clone()}</p>
                                            <span class="muted">"Updated " {age::compact(article.updated_at, now)} " ago"</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

fn article_id() -> Memo<i64> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()).unwrap_or(0))
}

#[component]
pub fn KbArticlePage() -> impl IntoView {
    let id = article_id();
    let article = Resource::new(move || id.get(), load_article);
    view! {
        <main>
            <Transition fallback=|| view! { <p class="muted">"Loading article…"</p> }>
                {move || Suspend::new(async move {
                    match article.await {
                        Ok(article) => view! {
                            <div class="page-head">
                                <div>
                                    {(!article.input.category.is_empty()).then(|| view! { <span class="card-ref">{article.input.category.clone()}</span> })}
                                    <h1 data-testid="article-title">{article.input.title.clone()}</h1>
                                </div>
                                <div class="form-actions">
                                    {(!article.input.published).then(|| view! { <span class="badge" data-testid="draft-badge">"Draft"</span> })}
                                    <a class="button" href="/kb">"All articles"</a>
                                    {article.can_edit.then(|| view! { <a class="button primary" href=format!("/kb/{}/edit", article.id) data-testid="edit-article">"Edit"</a> })}
                                </div>
                            </div>
                            <article class="panel kb-body" data-testid="article-body" inner_html=article.body_html.clone()></article>
                            <p class="muted">
                                {article.author.as_ref().map(|a| format!("Written by {}. ", a.name))}
                                "Last updated " {article.updated_at.format("%d %b %Y").to_string()} "."
                            </p>
                        }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

#[component]
pub fn KbNewPage() -> impl IntoView {
    view! {
        <main>
            <div class="page-head"><h1>"New article"</h1></div>
            <ArticleForm article=None/>
        </main>
    }
}

#[component]
pub fn KbEditPage() -> impl IntoView {
    let id = article_id();
    let article = Resource::new(move || id.get(), load_article);
    view! {
        <main>
            <div class="page-head"><h1>"Edit article"</h1></div>
            <Transition fallback=|| view! { <p class="muted">"Loading article…"</p> }>
                {move || Suspend::new(async move {
                    match article.await {
                        Ok(article) => view! { <ArticleForm article=Some(article)/> }.into_any(),
                        Err(error) => view! { <ErrorAlert error/> }.into_any(),
                    }
                })}
            </Transition>
        </main>
    }
}

/// Title, category, Markdown body and "published"; saving opens the article.
#[component]
fn ArticleForm(article: Option<Article>) -> impl IntoView {
    let toasts = use_toasts();
    let navigate = use_navigate();
    let start = article.as_ref().map(|a| a.input.clone()).unwrap_or_default();
    let (title, category, body, published) = (RwSignal::new(start.title), RwSignal::new(start.category), RwSignal::new(start.body), RwSignal::new(start.published));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let existing = article.as_ref().map(|a| (a.id, a.version));
    let cancel = existing.map(|(id, _)| format!("/kb/{id}")).unwrap_or_else(|| "/kb".into());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let input = ArticleInput { title: title.get_untracked(), body: body.get_untracked(), category: category.get_untracked(), published: published.get_untracked() };
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let saved = match existing {
                Some((id, version)) => update_article(id, version, input).await,
                None => create_article(input).await,
            };
            match saved {
                Ok(article) => {
                    toasts.info("Article saved.");
                    navigate(&format!("/kb/{}", article.id), Default::default());
                }
                Err(e @ AppError::Conflict(_)) => {
                    toasts.error(e.to_string());
                    busy.set(false);
                }
                Err(e) => {
                    error.set(Some(e.to_string()));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <form class="panel article-form" on:submit=submit novalidate data-testid="article-form">
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="article-title">"Title"</label>
                <input id="article-title" name="title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="article-category">"Category"</label>
                <input id="article-category" name="category" maxlength="60" placeholder="e.g. Accounts" prop:value=move || category.get()
                    on:input=move |ev| category.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="article-body">"Text (Markdown)"</label>
                <textarea id="article-body" name="body" rows="16" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            </div>
            <label class="checkbox">
                <input type="checkbox" name="published" prop:checked=move || published.get() on:change=move |ev| published.set(event_target_checked(&ev))/>
                " Published (customers can read it)"
            </label>
            <div class="form-actions">
                <a class="button" href=cancel>"Cancel"</a>
                <button class="primary" type="submit" disabled=move || busy.get() data-testid="save-article">"Save article"</button>
            </div>
        </form>
    }
}
