//! Knowledge-base articles on the ticket page: the ones linked to the ticket (link, unlink), and
//! a picker the composer uses to insert an article's link or text into a reply.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::kb::{link_article, linked_articles, load_article, search_articles};
use crate::model::{ArticleInsert, ArticleSummary};
use crate::ui::components::{use_toasts, ErrorAlert};

/// Articles matching what is typed (nothing typed: none), for picking one.
fn article_search(query: RwSignal<String>) -> Resource<Result<Vec<ArticleSummary>, crate::error::AppError>> {
    Resource::new(
        move || query.get().trim().to_string(),
        |text| async move {
            if text.is_empty() {
                return Ok(Vec::new());
            }
            search_articles(text, String::new()).await.map(|list| list.articles)
        },
    )
}

/// The ticket's linked articles, and a search to link more.
#[component]
pub fn KbLinksPanel(reference: String) -> impl IntoView {
    let toasts = use_toasts();
    let linked = Resource::new({
        let reference = reference.clone();
        move || reference.clone()
    }, linked_articles);
    let query = RwSignal::new(String::new());
    let found = article_search(query);
    let change = {
        let reference = reference.clone();
        move |article_id: i64, link: bool| {
            let reference = reference.clone();
            spawn_local(async move {
                match link_article(reference, article_id, link).await {
                    Ok(()) => {
                        if link {
                            query.set(String::new());
                        }
                        linked.refetch();
                    }
                    Err(error) => toasts.error(error.to_string()),
                }
            });
        }
    };
    let unlink = change.clone();
    view! {
        <section class="panel kb-links" aria-labelledby="kb-links-title" data-testid="kb-links">
            <h2 id="kb-links-title">"Knowledge base"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading articles…"</p> }>
                {move || {
                    let unlink = unlink.clone();
                    Suspend::new(async move {
                        match linked.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No articles linked."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul class="article-links">
                                    {list.into_iter().map(|article| {
                                        let unlink = unlink.clone();
                                        let id = article.id;
                                        view! {
                                            <li data-testid="linked-article" data-article-id=id>
                                                <a href=article.url()>{article.title.clone()}</a>
                                                {(!article.published).then(|| view! { <span class="badge">"Draft"</span> })}
                                                <button type="button" class="ghost" on:click=move |_| unlink(id, false)
                                                    aria-label=format!("Unlink {}", article.title)>"Unlink"</button>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorAlert error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
            <div class="field">
                <label for="kb-link-search">"Link an article"</label>
                <input id="kb-link-search" type="search" placeholder="Search articles" autocomplete="off" data-testid="kb-link-search"
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            </div>
            <Transition fallback=|| ()>
                {move || {
                    let change = change.clone();
                    Suspend::new(async move {
                        let results = found.await.unwrap_or_default();
                        view! {
                            <ul class="article-results">
                                {results.into_iter().map(|article| {
                                    let change = change.clone();
                                    let id = article.id;
                                    view! {
                                        <li data-testid="article-result">
                                            <span>{article.title.clone()}</span>
                                            <button type="button" on:click=move |_| change(id, true)>"Link"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

/// "Insert article": search the knowledge base and hand the composer Markdown to insert, either
/// a link to the article or its text.
#[component]
pub fn ArticlePicker(on_insert: Callback<String>) -> impl IntoView {
    let toasts = use_toasts();
    let query = RwSignal::new(String::new());
    let found = article_search(query);
    let insert = move |id: i64, as_text: bool| {
        spawn_local(async move {
            match load_article(id).await {
                Ok(article) => {
                    let chosen = ArticleInsert { id: article.id, title: article.input.title, body: article.input.body };
                    on_insert.run(if as_text { chosen.body } else { chosen.markdown_link() });
                    query.set(String::new());
                }
                Err(error) => toasts.error(error.to_string()),
            }
        });
    };
    view! {
        <div class="article-picker" data-testid="article-picker">
            <label for="article-picker-search">"Insert article"</label>
            <input id="article-picker-search" type="search" placeholder="Search articles" autocomplete="off"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let results = found.await.unwrap_or_default();
                    view! {
                        <ul class="article-results">
                            {results.into_iter().map(|article| {
                                let id = article.id;
                                view! {
                                    <li>
                                        <span>{article.title.clone()}</span>
                                        <button type="button" on:click=move |_| insert(id, false)>"Insert link"</button>
                                        <button type="button" on:click=move |_| insert(id, true)>"Insert text"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </div>
    }
}
