//! Customers: accounts (companies) and contacts (people), searched and created inline.


use super::{dialect, Conn, Db};
use crate::domain::access::{self, Action};
use crate::error::AppError;
use crate::model::{CurrentUser, CustomerHit, NewCustomer};

pub const SEARCH_LIMIT: i64 = 10;
pub const QUERY_MAX: usize = 200;

/// Contacts and accounts whose name (or contact email) contains `query`.
pub async fn search(db: &Db, user: &CurrentUser, query: &str) -> Result<Vec<CustomerHit>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(Vec::new());
    }
    if query.chars().count() > QUERY_MAX {
        return Err(AppError::Invalid(format!("Search for at most {QUERY_MAX} characters.")));
    }
    let like = dialect::LIKE;
    let rows: Vec<(Option<i64>, Option<i64>, String)> = sqlx::query_as(&format!(
        "SELECT c.id, c.account_id, c.name || COALESCE(' · ' || a.name, '') || COALESCE(' <' || c.email || '>', '')
           FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id
          WHERE c.name {like} ?1 ESCAPE '\\' OR c.email {like} ?1 ESCAPE '\\' OR a.name {like} ?1 ESCAPE '\\'
         UNION ALL
         SELECT NULL, a.id, a.name || ' (account)' FROM accounts a WHERE a.name {like} ?1 ESCAPE '\\'
         ORDER BY 3 LIMIT ?2",
    ))
    .bind(dialect::contains_pattern(query))
    .bind(SEARCH_LIMIT)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(contact_id, account_id, label)| CustomerHit { contact_id, account_id, label })
        .collect())
}

/// Checks the chosen customer (or creates the new one) and returns `(contact_id, account_id)`;
/// a contact brings its own account when none is given.
pub async fn resolve(
    conn: &mut Conn,
    contact_id: Option<i64>,
    account_id: Option<i64>,
    new_customer: Option<&NewCustomer>,
) -> Result<(Option<i64>, Option<i64>), AppError> {
    if let Some(new) = new_customer {
        return create(conn, new).await.map(|(c, a)| (Some(c), a));
    }
    let contact_account = match contact_id {
        Some(id) => Some(
            sqlx::query_scalar::<_, Option<i64>>("SELECT account_id FROM contacts WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| AppError::Invalid(format!("Contact {id} does not exist.")))?,
        ),
        None => None,
    };
    if let Some(id) = account_id {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
        if exists.is_none() {
            return Err(AppError::Invalid(format!("Account {id} does not exist.")));
        }
    }
    Ok((contact_id, account_id.or(contact_account.flatten())))
}

async fn create(conn: &mut Conn, new: &NewCustomer) -> Result<(i64, Option<i64>), AppError> {
    let account_id = if new.account_name.is_empty() {
        None
    } else {
        sqlx::query("INSERT INTO accounts (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
            .bind(&new.account_name)
            .execute(&mut *conn)
            .await?;
        Some(sqlx::query_scalar("SELECT id FROM accounts WHERE name = ?").bind(&new.account_name).fetch_one(&mut *conn).await?)
    };
    let email = (!new.email.is_empty()).then_some(new.email.as_str());
    let contact_id: i64 = sqlx::query_scalar("INSERT INTO contacts (account_id, name, email) VALUES (?, ?, ?) RETURNING id")
        .bind(account_id)
        .bind(&new.name)
        .bind(email)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => AppError::Invalid(format!(
                "A contact with the email {} exists already: pick it in the customer search.",
                new.email
            )),
            other => other,
        })?;
    Ok((contact_id, account_id))
}
