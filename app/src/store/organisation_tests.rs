use super::*;
use crate::model::{NewTeam, StageCategory, StagesFrom, TeamTemplate, Visibility};
use crate::store::fixtures::{temp_db, Org};
use crate::store::lookup::{stages_of, visible_teams};

fn setup(organisation: &str, zone: &str, team: &str) -> SetupInput {
    SetupInput {
        organisation: organisation.into(),
        time_zone: zone.into(),
        team: NewTeam { name: team.into(), visibility: Visibility::Company, stages: StagesFrom::Template(TeamTemplate::FieldService) },
    }
}

#[tokio::test]
async fn a_fresh_installation_asks_for_the_admin_then_the_organisation_then_is_done() {
    let (db, _dir) = temp_db().await;
    let now = Utc::now();
    assert_eq!(setup_step(&db).await.unwrap(), SetupStep::FirstAdmin);
    let admin = users::create_first_admin(&db, "Ada Admin", "ada@example.com", "correct horse", now).await.unwrap();
    assert_eq!(setup_step(&db).await.unwrap(), SetupStep::Organisation);
    assert_eq!(get(&db, &admin).await.unwrap(), None);

    let team = complete_setup(&db, &admin, &setup(" Acme Support ", "Europe/Budapest", "Field crew"), now).await.unwrap();
    assert_eq!(setup_step(&db).await.unwrap(), SetupStep::Done);
    let organisation = get(&db, &admin).await.unwrap().unwrap();
    assert_eq!((organisation.name.as_str(), organisation.time_zone.as_str()), ("Acme Support", "Europe/Budapest"));
    assert_eq!(team.name, "Field crew");
    let mut conn = db.read.acquire().await.unwrap();
    let stages = stages_of(&mut conn, team.id).await.unwrap();
    assert_eq!(stages.len(), crate::domain::templates::stages(TeamTemplate::FieldService).len());
    assert_eq!(stages[0].category, StageCategory::New);
    drop(conn);
    assert_eq!(visible_teams(&db, &admin).await.unwrap().len(), 1, "the admin lands on the new team");
}

#[tokio::test]
async fn setup_happens_once_by_an_admin_and_bad_answers_change_nothing() {
    let org = Org::new().await;
    let teams_before = visible_teams(&org.db, &org.admin).await.unwrap().len();
    let refused = complete_setup(&org.db, &org.lead, &setup("Acme", "Europe/Berlin", "Second"), org.now).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let bad_zone = complete_setup(&org.db, &org.admin, &setup("Acme", "Mars/Olympus", "Second"), org.now).await;
    assert!(matches!(bad_zone, Err(AppError::Invalid(m)) if m.contains("time zone")));
    let bad_name = complete_setup(&org.db, &org.admin, &setup("  ", "Europe/Berlin", "Second"), org.now).await;
    assert!(matches!(bad_name, Err(AppError::Invalid(_))));
    // A taken team name rolls back the organisation written before it.
    let taken = complete_setup(&org.db, &org.admin, &setup("Acme", "Europe/Berlin", "support"), org.now).await;
    assert!(matches!(taken, Err(AppError::Invalid(m)) if m.contains("already exists")));
    assert_eq!(setup_step(&org.db).await.unwrap(), SetupStep::Organisation);

    complete_setup(&org.db, &org.admin, &setup("Acme", "Europe/Berlin", "Second"), org.now).await.unwrap();
    let again = complete_setup(&org.db, &org.admin, &setup("Acme", "Europe/Berlin", "Third"), org.now).await;
    assert!(matches!(again, Err(AppError::Invalid(m)) if m.contains("set up already")));
    assert_eq!(visible_teams(&org.db, &org.admin).await.unwrap().len(), teams_before + 1, "only the setup's team was added");

    let saved = save(&org.db, &org.admin, 1, "Acme Ltd", "Europe/Vienna", org.now).await.unwrap();
    assert_eq!((saved.name.as_str(), saved.version), ("Acme Ltd", 2));
    assert!(matches!(save(&org.db, &org.admin, 1, "Stale", "Europe/Vienna", org.now).await, Err(AppError::Conflict(_))));
    assert!(matches!(save(&org.db, &org.agent, 2, "Mine", "Europe/Vienna", org.now).await, Err(AppError::Forbidden(_))));
}
