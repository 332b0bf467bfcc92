use super::*;
use crate::store::fixtures::{temp_db, waiting_team};

#[tokio::test]
async fn admins_define_leads_rate_and_bad_ratings_change_nothing() {
    let (db, _dir) = temp_db().await;
    let now = chrono::Utc::now();
    let (_, agents) = waiting_team(&db, 3, 0, now).await;
    let agent = &agents[0];
    let admin = CurrentUser { role: Role::Admin, ..agents[1].clone() };
    let lead = CurrentUser { role: Role::Lead, ..agents[2].clone() };

    assert!(matches!(create(&db, &lead, "Networking", QualificationKind::Technical, 10).await, Err(AppError::Forbidden(_))));
    let networking = create(&db, &admin, " Networking ", QualificationKind::Technical, 10).await.unwrap();
    assert_eq!(networking.name, "Networking");
    assert!(matches!(create(&db, &admin, "Networking", QualificationKind::Soft, 5).await, Err(AppError::Invalid(m)) if m.contains("already exists")));
    assert!(matches!(create(&db, &admin, "", QualificationKind::Soft, 5).await, Err(AppError::Invalid(_))));
    assert!(matches!(create(&db, &admin, "Huge", QualificationKind::Soft, 1_000).await, Err(AppError::Invalid(_))));

    assert!(matches!(rate(&db, agent, agent.id, networking.id, Some(9)).await, Err(AppError::Forbidden(_))), "agents cannot rate themselves");
    assert!(matches!(rate(&db, &lead, lead.id, networking.id, Some(9)).await, Err(AppError::Forbidden(_))), "nor do leads");
    rate(&db, &lead, agent.id, networking.id, Some(7)).await.unwrap();
    rate(&db, &lead, agent.id, networking.id, Some(8)).await.unwrap();
    assert!(matches!(rate(&db, &lead, agent.id, networking.id, Some(11)).await, Err(AppError::Invalid(_))));
    assert!(matches!(rate(&db, &lead, agent.id + 99, networking.id, Some(5)).await, Err(AppError::NotFound(_))));
    let seen = matrix(&db, agent).await.unwrap();
    assert_eq!(seen.ratings, vec![HeldRating { user_id: agent.id, qualification_id: networking.id, rating: 8 }]);
    assert!(!seen.can_define && !seen.can_rate);

    rate(&db, &lead, agent.id, networking.id, None).await.unwrap();
    assert!(matrix(&db, &lead).await.unwrap().ratings.is_empty());
}
