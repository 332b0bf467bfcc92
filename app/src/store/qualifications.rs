//! Qualifications (SPEC S3): what admins define, how well people hold them, what tickets need.


use super::{decode, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::validate;
use crate::error::AppError;
use crate::model::*;

pub(crate) async fn all(conn: &mut Conn) -> Result<Vec<Qualification>, AppError> {
    sqlx::query_as::<_, (i64, String, String, i64)>("SELECT id, name, kind, scale_max FROM qualifications ORDER BY name")
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|(id, name, kind, scale_max)| Ok(Qualification { id, name, kind: decode(QualificationKind::parse, &kind)?, scale_max }))
        .collect()
}

/// The definitions, every internal user, and their ratings.
pub async fn matrix(db: &Db, user: &CurrentUser) -> Result<QualificationMatrix, AppError> {
    access::require(user, Action::SeeSetup)?;
    let mut conn = db.read.acquire().await?;
    let qualifications = all(&mut conn).await?;
    let people = super::named_list(&mut conn, &super::staff_sql()).await?;
    let ratings = sqlx::query_as::<_, (i64, i64, i64)>("SELECT user_id, qualification_id, rating FROM user_qualifications")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(user_id, qualification_id, rating)| HeldRating { user_id, qualification_id, rating })
        .collect();
    Ok(QualificationMatrix {
        qualifications,
        people,
        ratings,
        can_define: access::may(user.role, Action::ConfigureInstallation),
        can_rate: access::may(user.role, Action::RateQualifications),
    })
}

/// Defines a new qualification (admins only).
pub async fn create(db: &Db, user: &CurrentUser, name: &str, kind: QualificationKind, scale_max: i64) -> Result<Qualification, AppError> {
    access::require(user, Action::ConfigureInstallation)?;
    let name = validate::qualification_name(name)?;
    let scale_max = validate::scale_max(scale_max)?;
    let id = sqlx::query_scalar::<_, i64>("INSERT INTO qualifications (name, kind, scale_max) VALUES (?, ?, ?) RETURNING id")
        .bind(&name)
        .bind(kind.as_str())
        .bind(scale_max)
        .fetch_one(&db.write).await
        .map_err(super::name_taken("A qualification", &name))?;
    Ok(Qualification { id, name, kind, scale_max })
}

/// Sets how well a staff member holds a qualification; `None` removes it (admins and leads).
pub async fn rate(db: &Db, user: &CurrentUser, user_id: i64, qualification_id: i64, rating: Option<i64>) -> Result<(), AppError> {
    access::require(user, Action::RateQualifications)?;
    if user_id == user.id {
        return Err(AppError::Forbidden("Nobody rates their own qualifications; ask an admin or another lead.".into()));
    }
    let mut tx = db.begin_write().await?;
    let qualification = all(&mut tx)
        .await?
        .into_iter()
        .find(|q| q.id == qualification_id)
        .ok_or_else(|| AppError::NotFound(format!("Qualification {qualification_id} does not exist.")))?;
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(user_id).fetch_optional(&mut *tx).await?;
    match role.as_deref().map(|code| decode(Role::parse, code)).transpose()? {
        Some(role) if role.is_internal() => {}
        Some(_) => return Err(AppError::Invalid("Customers do not hold qualifications.".into())),
        None => return Err(AppError::NotFound(format!("User {user_id} does not exist."))),
    }
    match rating {
        Some(rating) => {
            let rating = validate::rating(&qualification, rating)?;
            sqlx::query(
                "INSERT INTO user_qualifications (user_id, qualification_id, rating) VALUES (?, ?, ?)
                 ON CONFLICT (user_id, qualification_id) DO UPDATE SET rating = excluded.rating",
            )
            .bind(user_id)
            .bind(qualification_id)
            .bind(rating)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM user_qualifications WHERE user_id = ? AND qualification_id = ?")
                .bind(user_id)
                .bind(qualification_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn requirements_of(conn: &mut Conn, ticket_id: i64) -> Result<Vec<Requirement>, AppError> {
    Ok(sqlx::query_as::<_, (i64, i64)>(
        "SELECT r.qualification_id, r.min_rating FROM ticket_requirements r JOIN qualifications q ON q.id = r.qualification_id
          WHERE r.ticket_id = ? ORDER BY q.name",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|(qualification_id, min_rating)| Requirement { qualification_id, min_rating })
    .collect())
}

/// Checks the requirements against the defined qualifications and stores them for the ticket.
pub(crate) async fn replace_requirements(conn: &mut Conn, ticket_id: i64, given: &[Requirement]) -> Result<(), AppError> {
    let checked = validate::requirements(given, &all(conn).await?)?;
    sqlx::query("DELETE FROM ticket_requirements WHERE ticket_id = ?").bind(ticket_id).execute(&mut *conn).await?;
    for need in checked {
        sqlx::query("INSERT INTO ticket_requirements (ticket_id, qualification_id, min_rating) VALUES (?, ?, ?)")
            .bind(ticket_id)
            .bind(need.qualification_id)
            .bind(need.min_rating)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// "Networking ≥ 7, German ≥ 5", for the timeline.
pub(crate) fn describe(known: &[Qualification], requirements: &[Requirement]) -> String {
    requirements
        .iter()
        .filter_map(|need| known.iter().find(|q| q.id == need.qualification_id).map(|q| format!("{} ≥ {}", q.name, need.min_rating)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "qualifications_tests.rs"]
mod tests;
