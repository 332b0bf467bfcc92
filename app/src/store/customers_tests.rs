use super::*;
use crate::store::fixtures::Org;
use crate::store::tickets;
use chrono::Duration;

fn account_input(name: &str) -> AccountInput {
    AccountInput { name: name.into(), phone: "+1 555 0000".into(), ..Default::default() }
}

fn contact_input(name: &str, email: &str, account_id: Option<i64>) -> ContactInput {
    ContactInput { name: name.into(), email: email.into(), phone: "+1 555 0100".into(), account_id, ..Default::default() }
}

async fn audit_lines(org: &Org, area: &str, id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT summary FROM audit_entries WHERE area = ? AND object_id = ? ORDER BY id").bind(area).bind(id).fetch_all(&org.db.read).await.unwrap()
}

/// A ticket of this customer in the team, created by `user`.
async fn ticket_for(org: &Org, user: &CurrentUser, team_id: i64, title: &str, contact_id: Option<i64>, account_id: Option<i64>) -> String {
    let input = TicketInput { contact_id, account_id, ..TicketInput::quick(team_id, title) };
    tickets::create(&org.db, user, &input, org.now).await.unwrap().reference
}

#[tokio::test]
async fn staff_create_list_search_and_edit_accounts_and_contacts_with_versions_and_audit() {
    let org = Org::new().await;
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let globex = save_account(db, agent, None, None, &account_input(" Globex "), now).await.unwrap();
    assert_eq!((globex.details.name.as_str(), globex.version), ("Globex", 1));
    let hank = save_contact(db, agent, None, None, &contact_input("Hank Scorpio", "hank@globex.test", Some(globex.id)), now).await.unwrap();
    assert_eq!(hank.account.as_ref().map(|a| a.name.as_str()), Some("Globex"));
    assert_eq!(hank.details.phone, "+1 555 0100");

    let listed = list_contacts(db, agent, "scorp", 0).await.unwrap();
    assert_eq!(listed.rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Hank Scorpio"]);
    assert!(list_contacts(db, agent, "globex", 0).await.unwrap().rows.iter().any(|r| r.id == hank.id), "found by its account's name");
    assert!(list_contacts(db, agent, "nobody", 0).await.unwrap().rows.is_empty());
    let accounts = list_accounts(db, agent, "", 0).await.unwrap();
    assert_eq!(accounts.rows.iter().find(|a| a.id == globex.id).map(|a| a.contacts), Some(1));
    assert!(!accounts.more);
    assert!(matches!(list_accounts(db, agent, &"x".repeat(QUERY_MAX + 1), 0).await, Err(AppError::Invalid(_))));
    assert!(matches!(list_accounts(db, agent, "", -1).await, Err(AppError::Invalid(_))));

    let edited = AccountInput { website: "globex.test".into(), ..globex.details.clone() };
    let saved = save_account(db, agent, Some(globex.id), Some(globex.version), &edited, now).await.unwrap();
    assert_eq!((saved.details.website.as_str(), saved.version), ("globex.test", 2));
    let stale = save_account(db, agent, Some(globex.id), Some(globex.version), &edited, now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    let ghost = save_contact(db, agent, Some(999_999), Some(1), &contact_input("Nobody", "", None), now).await;
    assert_eq!(ghost.unwrap_err(), AppError::NotFound("Contact 999999 does not exist.".into()));

    let mobile = ContactInput { mobile: "+1 555 0199".into(), ..hank.details.clone() };
    assert_eq!(save_contact(db, agent, Some(hank.id), Some(hank.version), &mobile, now).await.unwrap().version, 2);
    assert!(matches!(save_contact(db, agent, Some(hank.id), Some(hank.version), &mobile, now).await, Err(AppError::Conflict(_))));

    assert_eq!(audit_lines(&org, "account", globex.id).await, ["Created account \"Globex\"", "Changed account \"Globex\""]);
    assert_eq!(audit_lines(&org, "contact", hank.id).await, ["Created contact \"Hank Scorpio\"", "Changed contact \"Hank Scorpio\""]);
}

#[tokio::test]
async fn contact_emails_are_unique_whatever_their_case() {
    let org = Org::new().await;
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let hank = save_contact(db, agent, None, None, &contact_input("Hank Scorpio", "hank@globex.test", None), now).await.unwrap();
    let twin = save_contact(db, agent, None, None, &contact_input("H. Scorpio", "HANK@Globex.test", None), now).await;
    assert!(matches!(&twin, Err(AppError::Invalid(m)) if m.contains("\"Hank Scorpio\" already has the email")), "{twin:?}");
    // Saving the contact with its own email, and two contacts without any, is fine.
    save_contact(db, agent, Some(hank.id), Some(hank.version), &hank.details, now).await.unwrap();
    save_contact(db, agent, None, None, &contact_input("No Mail", "", None), now).await.unwrap();
    save_contact(db, agent, None, None, &contact_input("No Mail Either", " ", None), now).await.unwrap();
    let bad = save_contact(db, agent, None, None, &contact_input("Bad", "not-an-address", None), now).await;
    assert!(matches!(bad, Err(AppError::Invalid(m)) if m.contains("not a valid email")));
}

#[tokio::test]
async fn a_parent_account_must_exist_and_must_not_make_a_cycle() {
    let org = Org::new().await;
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let group = save_account(db, agent, None, None, &account_input("Globex Group"), now).await.unwrap();
    let child = save_account(db, agent, None, None, &AccountInput { parent_id: Some(group.id), ..account_input("Globex East") }, now).await.unwrap();
    assert_eq!(child.parent.as_ref().map(|p| p.id), Some(group.id));
    assert_eq!(account(db, agent, group.id, now).await.unwrap().children.iter().map(|c| c.id).collect::<Vec<_>>(), [child.id]);

    let cycle = save_account(db, agent, Some(group.id), Some(group.version), &AccountInput { parent_id: Some(child.id), ..group.details.clone() }, now).await;
    assert!(matches!(&cycle, Err(AppError::Invalid(m)) if m.contains("cannot belong to itself")), "{cycle:?}");
    let itself = save_account(db, agent, Some(group.id), Some(group.version), &AccountInput { parent_id: Some(group.id), ..group.details.clone() }, now).await;
    assert!(matches!(itself, Err(AppError::Invalid(_))));
    let missing = save_account(db, agent, None, None, &AccountInput { parent_id: Some(999_999), ..account_input("Orphan") }, now).await;
    assert_eq!(missing.unwrap_err(), AppError::Invalid("Account 999999 does not exist.".into()));
    let taken = save_account(db, agent, None, None, &account_input("Globex Group"), now).await;
    assert!(matches!(taken, Err(AppError::Invalid(m)) if m.contains("already exists")));
}

#[tokio::test]
async fn customers_are_refused_and_only_leads_and_admins_merge() {
    let org = Org::new().await;
    let (db, now) = (&org.db, org.now);
    let customer = org.customer().await;
    let forbidden = |result: Result<_, AppError>| matches!(result, Err(AppError::Forbidden(_)));
    assert!(forbidden(list_accounts(db, &customer, "", 0).await.map(|_| ())));
    assert!(forbidden(list_contacts(db, &customer, "", 0).await.map(|_| ())));
    assert!(forbidden(save_account(db, &customer, None, None, &account_input("Evil"), now).await.map(|_| ())));
    assert!(forbidden(save_contact(db, &customer, None, None, &contact_input("Evil", "", None), now).await.map(|_| ())));
    let ticket = org.ticket("Anything").await;
    assert!(forbidden(customer_card(db, &customer, &ticket.reference, now).await.map(|_| ())));

    let a = save_contact(db, &org.agent, None, None, &contact_input("Ann", "", None), now).await.unwrap();
    let b = save_contact(db, &org.agent, None, None, &contact_input("Ann B.", "", None), now).await.unwrap();
    assert!(forbidden(merge_contacts(db, &org.agent, (a.id, a.version), (b.id, b.version), now).await.map(|_| ())));
    assert!(forbidden(merge_contacts(db, &customer, (a.id, a.version), (b.id, b.version), now).await.map(|_| ())));
    let itself = merge_contacts(db, &org.lead, (a.id, a.version), (a.id, a.version), now).await;
    assert_eq!(itself.unwrap_err(), AppError::Invalid("A contact cannot be merged into itself.".into()));
    assert!(merge_contacts(db, &org.admin, (a.id, a.version), (b.id, b.version), now).await.is_ok());
}

#[tokio::test]
async fn merging_moves_tickets_entitlements_and_portal_users_and_removes_the_duplicate() {
    let org = Org::new().await;
    let (db, lead, now) = (&org.db, &org.lead, org.now);
    let globex = org.account("Globex").await;
    let hank = save_contact(db, lead, None, None, &contact_input("Hank Scorpio", "", Some(globex)), now).await.unwrap();
    let duplicate = ContactInput { mobile: "+1 555 0199".into(), job_title: "CEO".into(), portal_access: true, ..contact_input("H. Scorpio", "HANK@globex.test", None) };
    let duplicate = save_contact(db, lead, None, None, &duplicate, now).await.unwrap();
    let moved = ticket_for(&org, &org.agent, org.team_id, "Doomsday device jammed", Some(duplicate.id), None).await;
    let kept_ticket = ticket_for(&org, &org.agent, org.team_id, "Volcano lair leaks", Some(hank.id), Some(globex)).await;
    sqlx::query(
        "INSERT INTO entitlements (account_id, contact_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, decrement_on)
         VALUES (?, ?, 'Personal plan', 'cases', 5, 5, ?, ?, 'creation')",
    )
    .bind(globex)
    .bind(duplicate.id)
    .bind(now.date_naive() - Duration::days(1))
    .bind(now.date_naive() + Duration::days(30))
    .execute(&db.write)
    .await
    .unwrap();
    let portal = org.customer().await;
    sqlx::query("UPDATE users SET contact_id = ? WHERE id = ?").bind(duplicate.id).bind(portal.id).execute(&db.write).await.unwrap();

    let stale = merge_contacts(db, lead, (hank.id, hank.version), (duplicate.id, duplicate.version + 1), now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    let (merged, boards) = merge_contacts(db, lead, (hank.id, hank.version), (duplicate.id, duplicate.version), now).await.unwrap();
    assert_eq!(boards, [org.team_id], "the moved tickets' board is told");
    assert_eq!(merged.details.name, "Hank Scorpio", "the kept contact keeps its name");
    assert_eq!(
        (merged.details.email.as_str(), merged.details.mobile.as_str(), merged.details.job_title.as_str(), merged.details.portal_access),
        ("HANK@globex.test", "+1 555 0199", "CEO", true),
        "what the kept contact lacked comes from the duplicate"
    );
    assert_eq!(merged.portal_users, [portal.email.clone()]);
    let mut references: Vec<String> = merged.tickets.iter().map(|t| t.reference.clone()).collect();
    references.sort();
    assert_eq!(references, { let mut both = vec![moved.clone(), kept_ticket]; both.sort(); both });
    assert_eq!(contact(db, lead, duplicate.id).await.unwrap_err(), AppError::NotFound(format!("Contact {} does not exist.", duplicate.id)));

    let plan: Option<i64> = sqlx::query_scalar("SELECT contact_id FROM entitlements WHERE name = 'Personal plan'").fetch_one(&db.read).await.unwrap();
    assert_eq!(plan, Some(hank.id), "the duplicate's own entitlement now belongs to the kept contact");
    let detail = tickets::get(db, lead, &moved, now).await.unwrap();
    assert_eq!((detail.customer.contact_id, detail.customer.account_id), (Some(hank.id), Some(globex)), "the ticket takes the kept contact's account");
    assert!(detail.timeline.iter().any(|e| e.summary.contains("\"H. Scorpio\"") && e.summary.contains("merged into \"Hank Scorpio\"")));
    assert!(audit_lines(&org, "contact", hank.id).await.iter().any(|l| l.starts_with("Merged duplicate contact \"H. Scorpio\"")));
    assert!(audit_lines(&org, "contact", duplicate.id).await.iter().any(|l| l.starts_with("Merged duplicate contact")), "the duplicate's history says where it went");
}

#[tokio::test]
async fn contacts_of_two_different_accounts_are_not_merged() {
    let org = Org::new().await;
    let (db, lead, now) = (&org.db, &org.lead, org.now);
    let (globex, initech) = (org.account("Globex").await, org.account("Initech").await);
    let a = save_contact(db, lead, None, None, &contact_input("Sam", "", Some(globex)), now).await.unwrap();
    let b = save_contact(db, lead, None, None, &contact_input("Sam", "", Some(initech)), now).await.unwrap();
    let refused = merge_contacts(db, lead, (a.id, a.version), (b.id, b.version), now).await;
    assert!(matches!(&refused, Err(AppError::Invalid(m)) if m.contains("move one of them")), "{refused:?}");
    assert!(contact(db, lead, b.id).await.is_ok(), "nothing changed");
}

#[tokio::test]
async fn the_customer_card_shows_details_active_entitlements_units_and_only_visible_tickets() {
    let org = Org::new().await;
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let finance = org.private_team("Finance").await;
    let globex = save_account(db, agent, None, None, &AccountInput { email: "info@globex.test".into(), ..account_input("Globex") }, now).await.unwrap();
    let hank = save_contact(db, agent, None, None, &contact_input("Hank Scorpio", "hank@globex.test", Some(globex.id)), now).await.unwrap();
    let today = now.date_naive();
    for (name, remaining, to) in [("Gold plan", 3, today + Duration::days(30)), ("Used up", 0, today + Duration::days(30)), ("Expired", 5, today - Duration::days(1))] {
        sqlx::query(
            "INSERT INTO entitlements (account_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, decrement_on)
             VALUES (?, ?, 'cases', 5, ?, ?, ?, 'resolution')",
        )
        .bind(globex.id)
        .bind(name)
        .bind(remaining)
        .bind(today - Duration::days(60))
        .bind(to)
        .execute(&db.write)
        .await
        .unwrap();
    }
    sqlx::query("INSERT INTO units (serial, item, account_id, warranty_until) VALUES ('SN-42', 'Laser', ?, ?)")
        .bind(globex.id)
        .bind(today + Duration::days(90))
        .execute(&db.write)
        .await
        .unwrap();
    let older = ticket_for(&org, agent, org.team_id, "Laser misaligned", Some(hank.id), None).await;
    let secret = ticket_for(&org, &finance.insider, finance.id, "Invoice dispute", Some(hank.id), None).await;
    let current = ticket_for(&org, agent, org.team_id, "Laser overheats", Some(hank.id), None).await;

    let card = customer_card(db, agent, &current, now).await.unwrap().expect("the ticket has a customer");
    let contact = card.contact.expect("the contact");
    assert_eq!((contact.name.as_str(), contact.phone.as_str()), ("Hank Scorpio", "+1 555 0100"));
    assert_eq!(card.account.map(|a| (a.name, a.email)), Some(("Globex".to_string(), "info@globex.test".to_string())), "the contact's account");
    assert_eq!(card.entitlements.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["Gold plan"], "only what can be drawn on now");
    assert_eq!(card.units.iter().map(|u| u.serial.as_str()).collect::<Vec<_>>(), ["SN-42"]);
    let listed: Vec<&str> = card.tickets.iter().map(|t| t.reference.as_str()).collect();
    assert_eq!(listed, [older.as_str()], "the private team's ticket is hidden from the agent, the current one left out");
    assert!(card.tickets[0].is_open());

    let insiders = customer_card(db, &finance.insider, &secret, now).await.unwrap().unwrap();
    let mut seen: Vec<&str> = insiders.tickets.iter().map(|t| t.reference.as_str()).collect();
    seen.sort();
    // The insider is no member of Support, but Support is a company team: visible to all staff.
    assert_eq!(seen, { let mut both = vec![older.as_str(), current.as_str()]; both.sort(); both });

    let hidden = customer_card(db, agent, &secret, now).await.unwrap_err();
    assert_eq!(hidden, AppError::NotFound(format!("Ticket {secret} does not exist.")), "a hidden ticket reads as missing");
    let nobody = org.ticket("No customer at all").await;
    assert_eq!(customer_card(db, agent, &nobody.reference, now).await.unwrap(), None);
    let account_only = ticket_for(&org, agent, org.team_id, "Account only", None, Some(globex.id)).await;
    let card = customer_card(db, agent, &account_only, now).await.unwrap().unwrap();
    assert!(card.contact.is_none() && card.tickets.len() == 2, "the account's tickets: {:?}", card.tickets);
}

#[tokio::test]
async fn an_account_page_lists_contacts_units_entitlements_and_visible_tickets() {
    let org = Org::new().await;
    let (db, agent, now) = (&org.db, &org.agent, org.now);
    let finance = org.private_team("Finance").await;
    let globex = save_account(db, agent, None, None, &account_input("Globex"), now).await.unwrap();
    save_contact(db, agent, None, None, &contact_input("Hank Scorpio", "", Some(globex.id)), now).await.unwrap();
    let open = ticket_for(&org, agent, org.team_id, "Visible", None, Some(globex.id)).await;
    ticket_for(&org, &finance.insider, finance.id, "Secret", None, Some(globex.id)).await;
    let page = account(db, agent, globex.id, now).await.unwrap();
    assert_eq!(page.contacts.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Hank Scorpio"]);
    assert_eq!(page.tickets.iter().map(|t| t.reference.as_str()).collect::<Vec<_>>(), [open.as_str()]);
    assert_eq!(account(db, &finance.insider, globex.id, now).await.unwrap().tickets.len(), 2);
    assert_eq!(account(db, agent, 999_999, now).await.unwrap_err(), AppError::NotFound("Account 999999 does not exist.".into()));
}
