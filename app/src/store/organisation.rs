//! The installation itself and its first-run setup: after the first admin, the organisation's
//! name and time zone and the first team, answered once.

use chrono::{DateTime, Utc};

use super::audit::record;
use super::{sla, teams, users, Db};
use crate::domain::access::{self, Action};
use crate::domain::validate;
use crate::error::AppError;
use crate::model::{CurrentUser, Organisation, SetupInput, SetupStep, TeamSummary};

const AREA: &str = "organisation";

/// Where a fresh installation stands; anyone may ask (the sign-in page does, before sign-in).
pub async fn setup_step(db: &Db) -> Result<SetupStep, AppError> {
    if users::user_count(db).await? == 0 {
        return Ok(SetupStep::FirstAdmin);
    }
    let set_up: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organisation)").fetch_one(&db.read).await?;
    Ok(if set_up { SetupStep::Done } else { SetupStep::Organisation })
}

/// The organisation, once set up; for internal users.
pub async fn get(db: &Db, user: &CurrentUser) -> Result<Option<Organisation>, AppError> {
    access::require(user, Action::SeeSetup)?;
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT name, time_zone, version FROM organisation WHERE id = 1").fetch_optional(&db.read).await?;
    Ok(row.map(|(name, time_zone, version)| Organisation { name, time_zone, version }))
}

/// A checked IANA time zone name.
fn time_zone(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.len() > 64 || sla::parse_zone(name).is_err() {
        return Err(AppError::Invalid(format!("{} is not a known time zone (e.g. Europe/Berlin).", validate::quoted(name))));
    }
    Ok(name.to_string())
}

/// The first admin's setup, once: the organisation and its first team, in one transaction.
pub async fn complete_setup(db: &Db, admin: &CurrentUser, input: &SetupInput, now: DateTime<Utc>) -> Result<TeamSummary, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let name = validate::organisation_name(&input.organisation)?;
    let zone = time_zone(&input.time_zone)?;
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query("INSERT INTO organisation (id, name, time_zone, set_up_at) VALUES (1, ?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(&name)
        .bind(&zone)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if inserted == 0 {
        return Err(AppError::Invalid("This helpdesk is set up already.".into()));
    }
    record(&mut tx, admin.id, AREA, None, now, &format!("Set up \"{name}\" in the time zone {zone}")).await?;
    let team = teams::insert_team(&mut tx, admin, &input.team, now).await?;
    tx.commit().await?;
    Ok(team)
}

/// Renames the organisation or changes its time zone (admins), if `version` is current.
pub async fn save(db: &Db, admin: &CurrentUser, version: i64, name: &str, zone: &str, now: DateTime<Utc>) -> Result<Organisation, AppError> {
    access::require(admin, Action::ConfigureInstallation)?;
    let name = validate::organisation_name(name)?;
    let zone = time_zone(zone)?;
    let mut tx = db.begin_write().await?;
    let affected = sqlx::query("UPDATE organisation SET name = ?, time_zone = ?, version = version + 1 WHERE id = 1 AND version = ?")
        .bind(&name)
        .bind(&zone)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    super::expect_one_row(affected, "The organisation")?;
    record(&mut tx, admin.id, AREA, None, now, &format!("Organisation is now \"{name}\" in {zone}")).await?;
    tx.commit().await?;
    Ok(Organisation { name, time_zone: zone, version: version + 1 })
}

#[cfg(test)]
#[path = "organisation_tests.rs"]
mod tests;
