use super::*;
use crate::store::fixtures::Org;
use crate::store::tickets;

fn named(name: &str) -> CatalogValueInput {
    CatalogValueInput { name: name.into(), ..Default::default() }
}

fn under(name: &str, parent_id: i64) -> CatalogValueInput {
    CatalogValueInput { name: name.into(), parent_id: Some(parent_id), unit: None }
}

async fn add(org: &Org, catalog: Catalog, input: CatalogValueInput) -> CatalogValue {
    save(&org.db, &org.admin, catalog, None, None, &input, org.now).await.unwrap()
}

async fn listed(org: &Org, catalog: Catalog) -> Vec<CatalogValue> {
    listing(&org.db, &org.admin, catalog).await.unwrap().values
}

async fn audit_summaries(org: &Org, catalog: Catalog) -> Vec<String> {
    sqlx::query_scalar("SELECT summary FROM audit_entries WHERE area = ? ORDER BY id")
        .bind(format!("catalog:{}", catalog.as_str()))
        .fetch_all(&org.db.read)
        .await
        .unwrap()
}

fn invalid(result: Result<impl std::fmt::Debug, AppError>) -> String {
    match result {
        Err(AppError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A ticket of the agent's in Support, classified by `classify`.
async fn ticket_with(org: &Org, title: &str, classify: impl FnOnce(&mut TicketInput)) -> Result<TicketCard, AppError> {
    let mut input = TicketInput::quick(org.team_id, title);
    classify(&mut input);
    tickets::create(&org.db, &org.agent, &input, org.now).await
}

#[tokio::test]
async fn admins_keep_a_subject_tree() {
    let org = Org::new().await;
    let (db, admin) = (&org.db, &org.admin);
    let hardware = add(&org, Catalog::Subjects, named(" Hardware ")).await;
    let printers = add(&org, Catalog::Subjects, under("Printers", hardware.id)).await;
    let jams = add(&org, Catalog::Subjects, under("Printer jams", printers.id)).await;
    let software = add(&org, Catalog::Subjects, named("Software")).await;
    assert_eq!(hardware.name, "Hardware", "names are trimmed");

    // Names are unique among siblings, ignoring case; the same name elsewhere in the tree is fine.
    let twin = save(db, admin, Catalog::Subjects, None, None, &under("PRINTERS", hardware.id), org.now).await;
    assert_eq!(invalid(twin), "Subject \"PRINTERS\" already exists under \"Hardware\".");
    add(&org, Catalog::Subjects, under("Printers", software.id)).await;

    // Depth-first, siblings by name, with their depth.
    let shown: Vec<(String, usize)> = listed(&org, Catalog::Subjects).await.into_iter().map(|v| (v.name, v.depth)).collect();
    let expected = [("Hardware", 0), ("Printers", 1), ("Printer jams", 2), ("Software", 0), ("Printers", 1)];
    assert_eq!(shown, expected.map(|(n, d)| (n.to_string(), d)));

    // Rename with the current version; a stale version is a conflict.
    let renamed = save(db, admin, Catalog::Subjects, Some(printers.id), Some(printers.version), &under("Printers & scanners", hardware.id), org.now).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.version), ("Printers & scanners", printers.version + 1));
    let stale = save(db, admin, Catalog::Subjects, Some(printers.id), Some(printers.version), &under("Too late", hardware.id), org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");

    // Move: under another value, never under itself or below itself.
    let moved = save(db, admin, Catalog::Subjects, Some(jams.id), Some(jams.version), &under("Printer jams", hardware.id), org.now).await.unwrap();
    assert_eq!((moved.parent_id, moved.depth), (Some(hardware.id), 1));
    let itself = save(db, admin, Catalog::Subjects, Some(hardware.id), Some(hardware.version), &under("Hardware", hardware.id), org.now).await;
    assert_eq!(invalid(itself), "\"Hardware\" cannot move under itself.");
    let cycle = save(db, admin, Catalog::Subjects, Some(hardware.id), Some(hardware.version), &under("Hardware", renamed.id), org.now).await;
    assert_eq!(invalid(cycle), "\"Hardware\" cannot move under \"Printers & scanners\", which is below it.");
    let to_top = save(db, admin, Catalog::Subjects, Some(moved.id), Some(moved.version), &named("Printer jams"), org.now).await.unwrap();
    assert_eq!((to_top.parent_id, to_top.depth), (None, 0));

    let summaries = audit_summaries(&org, Catalog::Subjects).await;
    assert_eq!(summaries.len(), 8, "one entry per change, none for refusals: {summaries:?}");
    assert_eq!(summaries[2], "Added subject \"Printer jams\" under \"Hardware › Printers\"");
    assert!(summaries.contains(&"Subject \"Printers\": renamed \"Printers\" to \"Printers & scanners\"".to_string()), "{summaries:?}");
    assert!(summaries.contains(&"Subject \"Printer jams\": moved to the top level".to_string()), "{summaries:?}");
}

#[tokio::test]
async fn trees_stay_within_their_depth() {
    let org = Org::new().await;
    let mut parent = add(&org, Catalog::ReasonCodes, named("Level 1")).await;
    for level in 2..=DEPTH_MAX {
        parent = add(&org, Catalog::ReasonCodes, under(&format!("Level {level}"), parent.id)).await;
    }
    let too_deep = save(&org.db, &org.admin, Catalog::ReasonCodes, None, None, &under("One more", parent.id), org.now).await;
    assert_eq!(invalid(too_deep), format!("The reason codes tree is at most {DEPTH_MAX} levels deep."));
}

#[tokio::test]
async fn a_catalog_value_in_use_cannot_be_deleted() {
    let org = Org::new().await;
    let (db, admin) = (&org.db, &org.admin);
    let printers = add(&org, Catalog::Products, named("Printers")).await;
    let spare = add(&org, Catalog::Products, named("Spare parts")).await;
    for n in 0..3 {
        ticket_with(&org, &format!("Paper jam {n}"), |t| t.product_id = Some(printers.id)).await.unwrap();
    }
    let before = listed(&org, Catalog::Products).await;
    let audit_before = audit_summaries(&org, Catalog::Products).await;
    assert_eq!(before.iter().find(|v| v.id == printers.id).map(|v| v.uses), Some(3));

    let refused = delete(db, admin, Catalog::Products, printers.id, printers.version, org.now).await;
    assert_eq!(invalid(refused), "\"Printers\" is used on 3 tickets; deactivate it instead.");
    assert_eq!(listed(&org, Catalog::Products).await, before, "nothing changed");
    assert_eq!(audit_summaries(&org, Catalog::Products).await, audit_before);

    // Deactivated, it is still not deleted: old tickets keep it.
    let deactivated = set_active(db, admin, Catalog::Products, printers.id, printers.version, false, org.now).await.unwrap();
    assert!(!deactivated.active && !deactivated.offered);
    assert!(delete(db, admin, Catalog::Products, printers.id, deactivated.version, org.now).await.is_err());

    // A value nothing uses goes; a stale version is a conflict first.
    let stale = delete(db, admin, Catalog::Products, spare.id, spare.version + 1, org.now).await;
    assert!(matches!(stale, Err(AppError::Conflict(_))), "{stale:?}");
    delete(db, admin, Catalog::Products, spare.id, spare.version, org.now).await.unwrap();
    let names: Vec<String> = listed(&org, Catalog::Products).await.into_iter().map(|v| v.name).collect();
    assert_eq!(names, ["Printers"]);
    assert_eq!(audit_summaries(&org, Catalog::Products).await.last().map(String::as_str), Some("Deleted product \"Spare parts\""));

    // A parent with values below it, and a unit type that units have, stay too.
    let hardware = add(&org, Catalog::Subjects, named("Hardware")).await;
    add(&org, Catalog::Subjects, under("Laptops", hardware.id)).await;
    let parent = delete(db, admin, Catalog::Subjects, hardware.id, hardware.version, org.now).await;
    assert_eq!(invalid(parent), "\"Hardware\" has 1 value below it; move or delete them first.");
    let router = add(&org, Catalog::UnitTypes, named("Router")).await;
    let unit = UnitDetails { item: "Router X200".into(), unit_type_id: Some(router.id), ..Default::default() };
    add(&org, Catalog::Units, CatalogValueInput { name: "RX-1".into(), parent_id: None, unit: Some(unit) }).await;
    let typed = delete(db, admin, Catalog::UnitTypes, router.id, router.version, org.now).await;
    assert_eq!(invalid(typed), "\"Router\" is the type of 1 unit; deactivate it instead.");
}

#[tokio::test]
async fn a_value_a_rule_names_is_deactivated_not_deleted() {
    let org = Org::new().await;
    let on_site = add(&org, Catalog::ServiceTypes, named("On-site")).await;
    let rule = RoutingRuleInput {
        name: "On-site work".into(),
        enabled: true,
        conditions: RoutingConditions { service_type_ids: vec![on_site.id], ..Default::default() },
        actions: RoutingActions { team_id: Some(org.team_id), ..Default::default() },
    };
    crate::store::routing::save(&org.db, &org.admin, None, None, &rule).await.unwrap();
    let refused = delete(&org.db, &org.admin, Catalog::ServiceTypes, on_site.id, on_site.version, org.now).await;
    assert_eq!(invalid(refused), "\"On-site\" is named by 1 rule; deactivate it instead.");

    // Deactivated, the rule pickers still show it (marked) because a rule names it.
    set_active(&org.db, &org.admin, Catalog::ServiceTypes, on_site.id, on_site.version, false, org.now).await.unwrap();
    let remote = add(&org, Catalog::ServiceTypes, named("Remote")).await;
    let mut conn = org.db.read.acquire().await.unwrap();
    let choices = rule_choices(&mut conn, Catalog::ServiceTypes).await.unwrap();
    assert_eq!(choices, [Named { id: on_site.id, name: "On-site (deactivated)".into() }, Named { id: remote.id, name: "Remote".into() }]);
}

#[tokio::test]
async fn deactivated_values_are_not_offered_but_stay_on_the_tickets_that_carry_them() {
    let org = Org::new().await;
    let (db, admin, agent) = (&org.db, &org.admin, &org.agent);
    let hardware = add(&org, Catalog::Subjects, named("Hardware")).await;
    let printers = add(&org, Catalog::Subjects, under("Printers", hardware.id)).await;
    let berlin = add(&org, Catalog::Regions, named("Berlin")).await;
    let old = ticket_with(&org, "Old printer", |t| {
        t.subject_id = Some(printers.id);
        t.region_id = Some(berlin.id);
    })
    .await
    .unwrap();

    set_active(db, admin, Catalog::Regions, berlin.id, berlin.version, false, org.now).await.unwrap();
    // Deactivating a parent takes the values below it out of the offer as well.
    set_active(db, admin, Catalog::Subjects, hardware.id, hardware.version, false, org.now).await.unwrap();
    let subjects = listed(&org, Catalog::Subjects).await;
    assert!(subjects.iter().all(|v| !v.offered));
    assert!(subjects.iter().find(|v| v.id == printers.id).is_some_and(|v| v.active), "the child itself stays active");

    let options = tickets::form_options(db, agent, org.now).await.unwrap();
    assert!(options.subjects.is_empty() && options.regions.is_empty(), "{options:?}");

    // A new ticket cannot take them.
    let refused = ticket_with(&org, "New printer", |t| t.subject_id = Some(printers.id)).await;
    assert_eq!(invalid(refused), "Subject \"Hardware › Printers\" is deactivated; choose another.");
    let refused = ticket_with(&org, "In Berlin", |t| t.region_id = Some(berlin.id)).await;
    assert_eq!(invalid(refused), "Region \"Berlin\" is deactivated; choose another.");

    // The old ticket shows them, and keeps them when saved.
    let detail = tickets::get(db, agent, &old.reference, org.now).await.unwrap();
    assert_eq!(detail.kept_choices, [
        KeptChoice { catalog: Catalog::Subjects, choice: Named { id: printers.id, name: "Hardware › Printers (deactivated)".into() } },
        KeptChoice { catalog: Catalog::Regions, choice: Named { id: berlin.id, name: "Berlin (deactivated)".into() } },
    ]);
    let mut input = TicketInput::quick(org.team_id, "Old printer, still jammed");
    input.subject_id = detail.subject_id;
    input.region_id = detail.region_id;
    let saved = tickets::update(db, agent, &old.reference, detail.version, &input, false, org.now).await.unwrap().detail;
    assert_eq!((saved.subject_id, saved.region_id), (Some(printers.id), Some(berlin.id)));

    // ... but cannot switch to another deactivated value.
    let other = add(&org, Catalog::Regions, named("Munich")).await;
    set_active(db, admin, Catalog::Regions, other.id, other.version, false, org.now).await.unwrap();
    input.region_id = Some(other.id);
    let refused = tickets::update(db, agent, &old.reference, saved.version, &input, false, org.now).await;
    assert_eq!(invalid(refused.map(|u| u.detail.reference)), "Region \"Munich\" is deactivated; choose another.");

    // Reactivated, they are offered again.
    let hardware = listed(&org, Catalog::Subjects).await.into_iter().find(|v| v.id == hardware.id).unwrap();
    set_active(db, admin, Catalog::Subjects, hardware.id, hardware.version, true, org.now).await.unwrap();
    let offered: Vec<String> = tickets::form_options(db, agent, org.now).await.unwrap().subjects.into_iter().map(|s| s.name).collect();
    assert_eq!(offered, ["Hardware", "Hardware › Printers"]);
    assert_eq!(
        audit_summaries(&org, Catalog::Subjects).await[2..],
        ["Deactivated subject \"Hardware\"".to_string(), "Reactivated subject \"Hardware\"".to_string()]
    );
}

#[tokio::test]
async fn units_record_item_owner_warranty_and_contract() {
    let org = Org::new().await;
    let acme = org.account("Acme GmbH").await;
    let router = add(&org, Catalog::UnitTypes, named("Router")).await;
    let details = UnitDetails {
        item: " Router X200 ".into(),
        unit_type_id: Some(router.id),
        account_id: Some(acme),
        warranty_until: chrono::NaiveDate::from_ymd_opt(2027, 6, 30),
        contract: "Gold support".into(),
    };
    let unit = add(&org, Catalog::Units, CatalogValueInput { name: "RX2-1001".into(), parent_id: None, unit: Some(details.clone()) }).await;
    assert_eq!(unit.unit, Some(UnitDetails { item: "Router X200".into(), ..details.clone() }));

    let twin = save(&org.db, &org.admin, Catalog::Units, None, None, &CatalogValueInput { name: "rx2-1001".into(), parent_id: None, unit: Some(details.clone()) }, org.now).await;
    assert_eq!(invalid(twin), "A unit with serial number \"rx2-1001\" already exists.");
    let ghost_owner = UnitDetails { account_id: Some(999_999), ..details.clone() };
    let refused = save(&org.db, &org.admin, Catalog::Units, None, None, &CatalogValueInput { name: "RX2-1002".into(), parent_id: None, unit: Some(ghost_owner) }, org.now).await;
    assert_eq!(invalid(refused), "Account 999999 does not exist.");

    let changed = UnitDetails { contract: String::new(), warranty_until: None, ..details };
    let saved = save(&org.db, &org.admin, Catalog::Units, Some(unit.id), Some(unit.version), &CatalogValueInput { name: "RX2-1001".into(), parent_id: None, unit: Some(changed.clone()) }, org.now)
        .await
        .unwrap();
    assert_eq!(saved.unit.map(|u| (u.contract, u.warranty_until)), Some((String::new(), None)));
    let offered = tickets::form_options(&org.db, &org.agent, org.now).await.unwrap().units;
    assert_eq!(offered, [Named { id: unit.id, name: "RX2-1001 · Router X200 · Acme GmbH".into() }]);
}

#[tokio::test]
async fn names_are_bounded_and_shaped_by_their_catalog() {
    let org = Org::new().await;
    let (db, admin) = (&org.db, &org.admin);
    let try_save = |catalog, input: CatalogValueInput| async move { save(db, admin, catalog, None, None, &input, org.now).await };
    assert_eq!(invalid(try_save(Catalog::Products, named("   ")).await), "Name is required.");
    assert_eq!(invalid(try_save(Catalog::Products, named(&"x".repeat(NAME_MAX + 1))).await), format!("Name is longer than {NAME_MAX} characters."));
    assert!(try_save(Catalog::Products, named(&"ü".repeat(NAME_MAX))).await.is_ok(), "characters, not bytes");
    assert_eq!(invalid(try_save(Catalog::Regions, under("Mitte", 1)).await), "Regions are a flat list: their values have no parent.");
    assert_eq!(invalid(try_save(Catalog::Subjects, under("Orphan", 999_999)).await), "Subject 999999 does not exist.");
    assert_eq!(invalid(try_save(Catalog::Units, named("SN-1")).await), "A unit needs its item.");
    let half = save(db, admin, Catalog::Products, Some(1), None, &named("Half"), org.now).await;
    assert!(invalid(half).starts_with("Give both the id and the version"));
    add(&org, Catalog::Products, named("Router")).await;
    assert_eq!(invalid(try_save(Catalog::Products, named("ROUTER")).await), "Product \"ROUTER\" already exists.");
    let missing = set_active(db, admin, Catalog::Products, 999_999, 1, false, org.now).await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
}

#[tokio::test]
async fn only_admins_keep_catalogs() {
    let org = Org::new().await;
    let value = add(&org, Catalog::Products, named("Router")).await;
    let customer = org.customer().await;
    for user in [&org.lead, &org.agent, &customer] {
        assert!(matches!(listing(&org.db, user, Catalog::Products).await, Err(AppError::Forbidden(_))));
        assert!(matches!(save(&org.db, user, Catalog::Products, None, None, &named("Mine"), org.now).await, Err(AppError::Forbidden(_))));
        let renamed = save(&org.db, user, Catalog::Products, Some(value.id), Some(value.version), &named("Mine"), org.now).await;
        assert!(matches!(renamed, Err(AppError::Forbidden(_))));
        assert!(matches!(set_active(&org.db, user, Catalog::Products, value.id, value.version, false, org.now).await, Err(AppError::Forbidden(_))));
        assert!(matches!(delete(&org.db, user, Catalog::Products, value.id, value.version, org.now).await, Err(AppError::Forbidden(_))));
    }
    assert_eq!(listed(&org, Catalog::Products).await, [value]);
}
