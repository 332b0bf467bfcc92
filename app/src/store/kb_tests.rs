use super::*;
use crate::model::TicketInput;
use crate::store::fixtures::Org;
use crate::store::tickets;

fn input(title: &str, body: &str, category: &str, published: bool) -> ArticleInput {
    ArticleInput { title: title.into(), body: body.into(), category: category.into(), published }
}

#[tokio::test]
async fn leads_write_articles_and_customers_read_the_published_ones() {
    let org = Org::new().await;
    let customer = org.customer().await;
    assert!(matches!(create(&org.db, &org.agent, &input("Reset", "", "", true), org.now).await, Err(AppError::Forbidden(_))));
    assert!(matches!(create(&org.db, &customer, &input("Reset", "", "", true), org.now).await, Err(AppError::Forbidden(_))));
    let reset = create(&org.db, &org.lead, &input("Reset your password", "Open **Settings**.\n<script>alert(1)</script>", "Accounts", true), org.now).await.unwrap();
    assert!(reset.body_html.contains("<strong>Settings</strong>") && !reset.body_html.contains("<script"), "{}", reset.body_html);
    let draft = create(&org.db, &org.admin, &input("VPN on Linux", "Use the `openconnect` client.", "Network", false), org.now).await.unwrap();

    let titles = |list: ArticleList| list.articles.into_iter().map(|a| a.title).collect::<Vec<_>>();
    assert_eq!(titles(search(&org.db, &org.agent, "", "").await.unwrap()), ["Reset your password", "VPN on Linux"], "published first");
    assert_eq!(titles(search(&org.db, &customer, "", "").await.unwrap()), ["Reset your password"]);
    assert_eq!(search(&org.db, &customer, "", "").await.unwrap().categories, ["Accounts"], "a draft's category is not shown");
    assert!(matches!(get(&org.db, &customer, draft.id).await, Err(AppError::NotFound(_))), "a draft does not exist for customers");
    assert_eq!(get(&org.db, &customer, reset.id).await.unwrap().input.title, "Reset your password");

    assert_eq!(titles(search(&org.db, &org.agent, "OPENCONNECT", "").await.unwrap()), ["VPN on Linux"], "body text, any case");
    assert_eq!(titles(search(&org.db, &org.agent, "", "Accounts").await.unwrap()), ["Reset your password"]);
    assert!(search(&org.db, &org.agent, "100%", "").await.unwrap().articles.is_empty(), "wildcards are literal");
    assert!(matches!(search(&org.db, &org.agent, &"x".repeat(SEARCH_MAX + 1), "").await, Err(AppError::Invalid(_))));

    let published = update(&org.db, &org.lead, draft.id, draft.version, &input("VPN on Linux", "Use openconnect.", "Network", true), org.now).await.unwrap();
    assert_eq!((published.version, published.input.published), (draft.version + 1, true));
    assert!(matches!(update(&org.db, &org.lead, draft.id, draft.version, &input("Stale", "", "", true), org.now).await, Err(AppError::Conflict(_))));
    assert_eq!(titles(search(&org.db, &customer, "vpn", "").await.unwrap()), ["VPN on Linux"]);
}

#[tokio::test]
async fn articles_are_linked_to_tickets_by_staff() {
    let org = Org::new().await;
    let article = create(&org.db, &org.lead, &input("Printer jams", "Open tray 2.", "Hardware", false), org.now).await.unwrap();
    let ticket = org.ticket("Printer").await;
    set_link(&org.db, &org.agent, &ticket.reference, article.id, true, org.now).await.unwrap();
    set_link(&org.db, &org.agent, &ticket.reference, article.id, true, org.now).await.unwrap();
    let linked_titles = |list: Vec<ArticleSummary>| list.into_iter().map(|a| a.title).collect::<Vec<_>>();
    assert_eq!(linked_titles(linked(&org.db, &org.agent, &ticket.reference).await.unwrap()), ["Printer jams"]);
    let detail = tickets::get(&org.db, &org.agent, &ticket.reference, org.now).await.unwrap();
    assert_eq!(detail.timeline.iter().filter(|e| e.summary.contains("Linked article")).count(), 1, "linking twice is one change");
    assert!(matches!(set_link(&org.db, &org.agent, &ticket.reference, 999_999, true, org.now).await, Err(AppError::NotFound(_))));

    let finance = org.private_team("Finance").await;
    let hidden = tickets::create(&org.db, &finance.insider, &TicketInput::quick(finance.id, "Refund"), org.now).await.unwrap();
    assert!(matches!(set_link(&org.db, &org.agent, &hidden.reference, article.id, true, org.now).await, Err(AppError::NotFound(_))));
    let customer = org.customer().await;
    org.follow(&ticket.reference, customer.id).await;
    assert!(matches!(linked(&org.db, &customer, &ticket.reference).await, Err(AppError::Forbidden(_))));
    assert!(matches!(set_link(&org.db, &customer, &ticket.reference, article.id, false, org.now).await, Err(AppError::Forbidden(_))));

    set_link(&org.db, &org.agent, &ticket.reference, article.id, false, org.now).await.unwrap();
    assert!(linked(&org.db, &org.agent, &ticket.reference).await.unwrap().is_empty());
}
