//! Customers: accounts (companies) and contacts (people): searched and created inline from the
//! ticket form, listed, edited and merged on their own pages, and summed up on a ticket's
//! customer card.

use chrono::{DateTime, Utc};

use super::audit;
use super::entitlements;
use super::lookup::{self, check_exists};
use super::timeline::add_timeline;
use super::{decode, dialect, expect_one_row, name_taken, Conn, Db};
use crate::domain::access::{self, Action};
use crate::domain::{reference, validate};
use crate::error::AppError;
use crate::model::*;

pub const SEARCH_LIMIT: i64 = 10;
pub const QUERY_MAX: usize = 200;
/// How far a list may be paged: beyond this, searching is the way.
pub const OFFSET_MAX: i64 = 100_000;
/// Tickets an account's or contact's page lists.
pub const TICKETS_SHOWN: i64 = 50;
/// The customer card's most recent tickets, and at most this many open ones besides.
pub const CARD_RECENT: i64 = 10;
pub const CARD_OPEN: i64 = 25;
/// Accounts offered when choosing a contact's account or an account's parent.
pub const CHOICES_MAX: i64 = 1_000;
/// How deep a chain of parent accounts may be followed when looking for a cycle.
const PARENT_DEPTH_MAX: usize = 64;

/// The search text trimmed, or a refusal when it is too long to be a search.
fn search_text(query: &str) -> Result<&str, AppError> {
    let query = query.trim();
    if query.chars().count() > QUERY_MAX {
        return Err(AppError::Invalid(format!("Search for at most {QUERY_MAX} characters.")));
    }
    Ok(query)
}

fn page_offset(offset: i64) -> Result<i64, AppError> {
    if (0..=OFFSET_MAX).contains(&offset) {
        Ok(offset)
    } else {
        Err(AppError::Invalid(format!("Page from row 0 to {OFFSET_MAX}; search to find others.")))
    }
}

/// Contacts and accounts whose name (or contact email) contains `query`.
pub async fn search(db: &Db, user: &CurrentUser, query: &str) -> Result<Vec<CustomerHit>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let query = search_text(query)?;
    if query.is_empty() {
        return Ok(Vec::new());
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

// ---------------------------------------------------------------------------------------------
// Lists

/// Accounts whose name, email or phone contains `query` (all when it is blank), by name.
pub async fn list_accounts(db: &Db, user: &CurrentUser, query: &str, offset: i64) -> Result<CustomerPage<AccountRow>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let (query, offset) = (search_text(query)?, page_offset(offset)?);
    let like = dialect::LIKE;
    let rows: Vec<(i64, String, String, String, Option<i64>, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT a.id, a.name, a.phone, a.email, p.id, p.name, (SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.id)
           FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id
          WHERE ?1 = '' OR a.name {like} ?2 ESCAPE '\\' OR a.email {like} ?2 ESCAPE '\\' OR a.phone {like} ?2 ESCAPE '\\'
          ORDER BY a.name, a.id LIMIT ?3 OFFSET ?4"
    ))
    .bind(query)
    .bind(dialect::contains_pattern(query))
    .bind(CUSTOMER_PAGE_ROWS + 1)
    .bind(offset)
    .fetch_all(&db.read)
    .await?;
    let rows = rows
        .into_iter()
        .map(|(id, name, phone, email, parent_id, parent_name, contacts)| AccountRow {
            id,
            name,
            phone,
            email,
            parent: parent_id.zip(parent_name).map(|(id, name)| Named { id, name }),
            contacts,
        })
        .collect();
    Ok(one_page(rows))
}

/// Contacts whose name, email, phone, mobile or account contains `query` (all when it is
/// blank), by name.
pub async fn list_contacts(db: &Db, user: &CurrentUser, query: &str, offset: i64) -> Result<CustomerPage<ContactRow>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let (query, offset) = (search_text(query)?, page_offset(offset)?);
    let like = dialect::LIKE;
    let rows: Vec<ContactRecord> = sqlx::query_as(&format!(
        "{CONTACT_SELECT}
          WHERE ?1 = '' OR c.name {like} ?2 ESCAPE '\\' OR c.email {like} ?2 ESCAPE '\\' OR c.phone {like} ?2 ESCAPE '\\'
             OR c.mobile {like} ?2 ESCAPE '\\' OR a.name {like} ?2 ESCAPE '\\'
          ORDER BY c.name, c.id LIMIT ?3 OFFSET ?4"
    ))
    .bind(query)
    .bind(dialect::contains_pattern(query))
    .bind(CUSTOMER_PAGE_ROWS + 1)
    .bind(offset)
    .fetch_all(&db.read)
    .await?;
    Ok(one_page(rows.into_iter().map(ContactRecord::into_row).collect()))
}

/// One page of rows read with one extra row, which only tells that more follow.
fn one_page<T>(mut rows: Vec<T>) -> CustomerPage<T> {
    let more = rows.len() as i64 > CUSTOMER_PAGE_ROWS;
    rows.truncate(CUSTOMER_PAGE_ROWS as usize);
    CustomerPage { rows, more }
}

/// Accounts to choose from (a contact's account, an account's parent), by name.
pub async fn account_choices(db: &Db, user: &CurrentUser) -> Result<Vec<Named>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    super::named_list(&mut conn, &format!("SELECT id, name FROM accounts ORDER BY name LIMIT {CHOICES_MAX}")).await
}

// ---------------------------------------------------------------------------------------------
// One account, one contact

#[derive(sqlx::FromRow)]
struct ContactRecord {
    id: i64,
    version: i64,
    name: String,
    email: String,
    phone: String,
    mobile: String,
    job_title: String,
    account_id: Option<i64>,
    account_name: Option<String>,
    portal_access: bool,
}

const CONTACT_SELECT: &str = "SELECT c.id, c.version, c.name, COALESCE(c.email, '') AS email, COALESCE(c.phone, '') AS phone, c.mobile,
        c.job_title, c.account_id, a.name AS account_name, c.portal_access
    FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id";

impl ContactRecord {
    fn account(&self) -> Option<Named> {
        self.account_id.zip(self.account_name.clone()).map(|(id, name)| Named { id, name })
    }

    fn into_row(self) -> ContactRow {
        ContactRow {
            account: self.account(),
            id: self.id,
            version: self.version,
            name: self.name,
            email: self.email,
            phone: self.phone,
            job_title: self.job_title,
            portal_access: self.portal_access,
        }
    }

    fn into_input(self) -> ContactInput {
        ContactInput {
            name: self.name,
            email: self.email,
            phone: self.phone,
            mobile: self.mobile,
            job_title: self.job_title,
            account_id: self.account_id,
            portal_access: self.portal_access,
        }
    }
}

async fn contact_record(conn: &mut Conn, id: i64) -> Result<ContactRecord, AppError> {
    sqlx::query_as(&format!("{CONTACT_SELECT} WHERE c.id = ?"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| access::missing("Contact", id))
}

#[derive(sqlx::FromRow)]
struct AccountRecord {
    version: i64,
    name: String,
    address: String,
    phone: String,
    email: String,
    website: String,
    notes: String,
    parent_id: Option<i64>,
    parent_name: Option<String>,
}

async fn account_record(conn: &mut Conn, id: i64) -> Result<AccountRecord, AppError> {
    sqlx::query_as(
        "SELECT a.version, a.name, a.address, a.phone, a.email, a.website, a.notes, a.parent_id, p.name AS parent_name
           FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id WHERE a.id = ?",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| access::missing("Account", id))
}

/// Which of a customer's tickets a query lists.
#[derive(Clone, Copy)]
enum Whose {
    Contact(i64),
    Account(i64),
}

/// The customer's tickets the caller may see (with its team, or as a follower), newest first;
/// `open_only` narrows to those still being worked on, `except` leaves one ticket out.
async fn tickets_of(
    conn: &mut Conn,
    user: &CurrentUser,
    whose: Whose,
    open_only: bool,
    except: Option<i64>,
    limit: i64,
) -> Result<Vec<CustomerTicket>, AppError> {
    let visible = super::id_list(&lookup::visible_team_ids(&mut *conn, user).await?);
    let (column, id) = match whose {
        Whose::Contact(id) => ("contact_id", id),
        Whose::Account(id) => ("account_id", id),
    };
    let open = if open_only { format!("AND k.status IN ({})", super::open_statuses()) } else { String::new() };
    let rows: Vec<(i64, String, String, DateTime<Utc>)> = sqlx::query_as(&format!(
        "SELECT k.number, k.title, k.status, k.created_at FROM tickets k
          WHERE k.{column} = ?1 AND k.id <> ?2 {open}
            AND (k.team_id IN ({visible}) OR EXISTS (SELECT 1 FROM ticket_followers f WHERE f.ticket_id = k.id AND f.user_id = ?3))
          ORDER BY k.created_at DESC, k.id DESC LIMIT ?4"
    ))
    .bind(id)
    .bind(except.unwrap_or(0))
    .bind(user.id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(number, title, status, created_at)| {
            Ok(CustomerTicket { reference: reference::format(number), title, status: decode(TicketStatus::parse, &status)?, created_at })
        })
        .collect()
}

async fn units_of(conn: &mut Conn, account_id: i64) -> Result<Vec<UnitSummary>, AppError> {
    let rows: Vec<(i64, String, String, Option<chrono::NaiveDate>)> =
        sqlx::query_as("SELECT id, serial, item, warranty_until FROM units WHERE account_id = ? ORDER BY serial LIMIT 200")
            .bind(account_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|(id, serial, item, warranty_until)| UnitSummary { id, serial, item, warranty_until }).collect())
}

async fn account_detail(conn: &mut Conn, user: &CurrentUser, id: i64, now: DateTime<Utc>) -> Result<AccountDetail, AppError> {
    let record = account_record(&mut *conn, id).await?;
    let children = super::named_list(&mut *conn, &format!("SELECT id, name FROM accounts WHERE parent_id = {id} ORDER BY name LIMIT {CHOICES_MAX}")).await?;
    let contacts: Vec<ContactRecord> =
        sqlx::query_as(&format!("{CONTACT_SELECT} WHERE c.account_id = ? ORDER BY c.name LIMIT {CHOICES_MAX}")).bind(id).fetch_all(&mut *conn).await?;
    Ok(AccountDetail {
        id,
        version: record.version,
        parent: record.parent_id.zip(record.parent_name).map(|(id, name)| Named { id, name }),
        details: AccountInput {
            name: record.name,
            address: record.address,
            phone: record.phone,
            email: record.email,
            website: record.website,
            notes: record.notes,
            parent_id: record.parent_id,
        },
        children,
        contacts: contacts.into_iter().map(ContactRecord::into_row).collect(),
        units: units_of(&mut *conn, id).await?,
        entitlements: entitlements::available_to(&mut *conn, user, id, None, now).await?,
        tickets: tickets_of(conn, user, Whose::Account(id), false, None, TICKETS_SHOWN).await?,
    })
}

async fn contact_detail(conn: &mut Conn, user: &CurrentUser, id: i64) -> Result<ContactDetail, AppError> {
    let record = contact_record(&mut *conn, id).await?;
    let portal_users: Vec<String> =
        sqlx::query_scalar("SELECT email FROM users WHERE contact_id = ? ORDER BY email").bind(id).fetch_all(&mut *conn).await?;
    Ok(ContactDetail {
        id,
        version: record.version,
        account: record.account(),
        details: record.into_input(),
        portal_users,
        tickets: tickets_of(conn, user, Whose::Contact(id), false, None, TICKETS_SHOWN).await?,
        can_merge: access::may(user.role, Action::MergeCustomers),
    })
}

pub async fn account(db: &Db, user: &CurrentUser, id: i64, now: DateTime<Utc>) -> Result<AccountDetail, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    account_detail(&mut conn, user, id, now).await
}

pub async fn contact(db: &Db, user: &CurrentUser, id: i64) -> Result<ContactDetail, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    contact_detail(&mut conn, user, id).await
}

// ---------------------------------------------------------------------------------------------
// Changes

/// `Some(id)` to change an existing record (with its version), `None` to create one.
fn existing(what: &str, id: Option<i64>, version: Option<i64>) -> Result<Option<(i64, i64)>, AppError> {
    match (id, version) {
        (Some(id), Some(version)) => Ok(Some((id, version))),
        (None, None) => Ok(None),
        _ => Err(AppError::Invalid(format!("Give both the id and the version of the {what} to change it."))),
    }
}

/// The parent must exist, and must not be the account itself or one of the accounts below it.
async fn check_parent(conn: &mut Conn, account_id: Option<i64>, parent_id: Option<i64>) -> Result<(), AppError> {
    let Some(parent_id) = parent_id else { return Ok(()) };
    check_exists(&mut *conn, "accounts", "Account", Some(parent_id)).await?;
    let Some(account_id) = account_id else { return Ok(()) };
    let mut cursor = Some(parent_id);
    for _ in 0..PARENT_DEPTH_MAX {
        let Some(current) = cursor else { return Ok(()) };
        if current == account_id {
            return Err(AppError::Invalid("An account cannot belong to itself or to an account that belongs to it.".into()));
        }
        cursor = sqlx::query_scalar::<_, Option<i64>>("SELECT parent_id FROM accounts WHERE id = ?").bind(current).fetch_one(&mut *conn).await?;
    }
    Err(AppError::Invalid("The chain of parent accounts is too deep.".into()))
}

/// Creates an account, or changes it if `version` is still current.
pub async fn save_account(
    db: &Db,
    user: &CurrentUser,
    id: Option<i64>,
    version: Option<i64>,
    input: &AccountInput,
    now: DateTime<Utc>,
) -> Result<AccountDetail, AppError> {
    access::require(user, Action::WorkTickets)?;
    let input = validate::account(input)?;
    let target = existing("account", id, version)?;
    let mut tx = db.begin_write().await?;
    if let Some((id, _)) = target {
        account_record(&mut tx, id).await?;
    }
    check_parent(&mut tx, id, input.parent_id).await?;
    let statement = match target {
        Some(_) => {
            "UPDATE accounts SET name = ?, address = ?, phone = ?, email = ?, website = ?, notes = ?, parent_id = ?, version = version + 1
              WHERE id = ? AND version = ? RETURNING id"
        }
        None => "INSERT INTO accounts (name, address, phone, email, website, notes, parent_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    };
    let query = sqlx::query_scalar::<_, i64>(statement)
        .bind(&input.name)
        .bind(&input.address)
        .bind(&input.phone)
        .bind(&input.email)
        .bind(&input.website)
        .bind(&input.notes)
        .bind(input.parent_id);
    let query = match target {
        Some((id, version)) => query.bind(id).bind(version),
        None => query.bind(now),
    };
    let saved = query.fetch_optional(&mut *tx).await.map_err(name_taken("An account", &input.name))?;
    expect_one_row(saved.iter().count() as u64, &format!("The account \"{}\"", input.name))?;
    let saved_id = saved.unwrap_or_default();
    let summary = match target {
        Some(_) => format!("Changed account \"{}\"", input.name),
        None => format!("Created account \"{}\"", input.name),
    };
    audit::record(&mut tx, user.id, "account", Some(saved_id), now, &summary).await?;
    let detail = account_detail(&mut tx, user, saved_id, now).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Another contact's name if it has this email already (compared without regard to case).
async fn email_holder(conn: &mut Conn, email: &str, except: Option<i64>) -> Result<Option<String>, AppError> {
    if email.is_empty() {
        return Ok(None);
    }
    Ok(sqlx::query_scalar("SELECT name FROM contacts WHERE LOWER(email) = LOWER(?) AND id <> ? LIMIT 1")
        .bind(email)
        .bind(except.unwrap_or(0))
        .fetch_optional(conn)
        .await?)
}

/// Creates a contact, or changes it if `version` is still current. Emails are unique whatever
/// their case.
pub async fn save_contact(
    db: &Db,
    user: &CurrentUser,
    id: Option<i64>,
    version: Option<i64>,
    input: &ContactInput,
    now: DateTime<Utc>,
) -> Result<ContactDetail, AppError> {
    access::require(user, Action::WorkTickets)?;
    let input = validate::contact(input)?;
    let target = existing("contact", id, version)?;
    let mut tx = db.begin_write().await?;
    if let Some((id, _)) = target {
        contact_record(&mut tx, id).await?;
    }
    check_exists(&mut tx, "accounts", "Account", input.account_id).await?;
    if let Some(holder) = email_holder(&mut tx, &input.email, id).await? {
        return Err(AppError::Invalid(format!(
            "The contact {} already has the email {}: open that contact, or merge the two.",
            validate::quoted(&holder),
            input.email
        )));
    }
    let statement = match target {
        Some(_) => {
            "UPDATE contacts SET name = ?, email = ?, phone = ?, mobile = ?, job_title = ?, account_id = ?, portal_access = ?, version = version + 1
              WHERE id = ? AND version = ? RETURNING id"
        }
        None => "INSERT INTO contacts (name, email, phone, mobile, job_title, account_id, portal_access) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    };
    let query = sqlx::query_scalar::<_, i64>(statement)
        .bind(&input.name)
        .bind((!input.email.is_empty()).then_some(&input.email))
        .bind(&input.phone)
        .bind(&input.mobile)
        .bind(&input.job_title)
        .bind(input.account_id)
        .bind(input.portal_access);
    let query = match target {
        Some((id, version)) => query.bind(id).bind(version),
        None => query,
    };
    let saved = query.fetch_optional(&mut *tx).await?;
    expect_one_row(saved.iter().count() as u64, &format!("The contact \"{}\"", input.name))?;
    let saved_id = saved.unwrap_or_default();
    let summary = match target {
        Some(_) => format!("Changed contact \"{}\"", input.name),
        None => format!("Created contact \"{}\"", input.name),
    };
    audit::record(&mut tx, user.id, "contact", Some(saved_id), now, &summary).await?;
    let detail = contact_detail(&mut tx, user, saved_id).await?;
    tx.commit().await?;
    Ok(detail)
}

/// Merges the duplicate contact into the one kept: the duplicate's tickets (each noting it on its
/// timeline), entitlements and portal users move over, details the kept contact lacks are taken
/// from the duplicate, and the duplicate is deleted. Also returns the teams whose boards show a
/// moved ticket. Contacts of two different accounts are not
/// merged: which account is right is a decision for a person.
pub async fn merge_contacts(
    db: &Db,
    user: &CurrentUser,
    keep: (i64, i64),
    duplicate: (i64, i64),
    now: DateTime<Utc>,
) -> Result<(ContactDetail, Vec<i64>), AppError> {
    access::require(user, Action::MergeCustomers)?;
    let ((keep_id, keep_version), (duplicate_id, duplicate_version)) = (keep, duplicate);
    if keep_id == duplicate_id {
        return Err(AppError::Invalid("A contact cannot be merged into itself.".into()));
    }
    let mut tx = db.begin_write().await?;
    let kept = contact_record(&mut tx, keep_id).await?;
    let gone = contact_record(&mut tx, duplicate_id).await?;
    for (record, version) in [(&kept, keep_version), (&gone, duplicate_version)] {
        if record.version != version {
            expect_one_row(0, &format!("The contact \"{}\"", record.name))?;
        }
    }
    if let (Some(a), Some(b)) = (&kept.account_name, &gone.account_name) {
        if kept.account_id != gone.account_id {
            return Err(AppError::Invalid(format!(
                "{} belongs to {} and {} to {}: move one of them to the other's account first.",
                validate::quoted(&kept.name),
                validate::quoted(a),
                validate::quoted(&gone.name),
                validate::quoted(b)
            )));
        }
    }
    let account_id = kept.account_id.or(gone.account_id);

    let moved: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets WHERE contact_id = ? ORDER BY id").bind(duplicate_id).fetch_all(&mut *tx).await?;
    let boards: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT team_id FROM tickets WHERE contact_id = ? ORDER BY team_id").bind(duplicate_id).fetch_all(&mut *tx).await?;
    sqlx::query(
        "UPDATE tickets SET contact_id = ?, account_id = COALESCE(account_id, ?), version = version + 1, updated_at = ? WHERE contact_id = ?",
    )
    .bind(keep_id)
    .bind(account_id)
    .bind(now)
    .bind(duplicate_id)
    .execute(&mut *tx)
    .await?;
    let line = format!("Customer: duplicate contact \"{}\" (#{duplicate_id}) merged into \"{}\"", gone.name, kept.name);
    for ticket_id in &moved {
        add_timeline(&mut tx, *ticket_id, TimelineKind::Edited, Some(user.id), now, &line).await?;
    }
    sqlx::query("UPDATE entitlements SET contact_id = ?, version = version + 1 WHERE contact_id = ?").bind(keep_id).bind(duplicate_id).execute(&mut *tx).await?;
    sqlx::query("UPDATE users SET contact_id = ? WHERE contact_id = ?").bind(keep_id).bind(duplicate_id).execute(&mut *tx).await?;
    sqlx::query("UPDATE leads SET contact_id = ?, version = version + 1 WHERE contact_id = ?").bind(keep_id).bind(duplicate_id).execute(&mut *tx).await?;
    // Team follows carry over; the duplicate's own rows go with it (ON DELETE CASCADE).
    sqlx::query("INSERT INTO team_contact_followers (team_id, contact_id) SELECT team_id, ? FROM team_contact_followers WHERE contact_id = ? ON CONFLICT DO NOTHING")
        .bind(keep_id)
        .bind(duplicate_id)
        .execute(&mut *tx)
        .await?;
    // The duplicate's email may be the one the kept contact takes over: free it first.
    sqlx::query("DELETE FROM contacts WHERE id = ?").bind(duplicate_id).execute(&mut *tx).await?;
    let take = |kept: &str, gone: &str| if kept.is_empty() { gone.to_string() } else { kept.to_string() };
    let email = take(&kept.email, &gone.email);
    sqlx::query(
        "UPDATE contacts SET email = ?, phone = ?, mobile = ?, job_title = ?, account_id = ?, portal_access = ?, version = version + 1 WHERE id = ?",
    )
    .bind((!email.is_empty()).then_some(&email))
    .bind(take(&kept.phone, &gone.phone))
    .bind(take(&kept.mobile, &gone.mobile))
    .bind(take(&kept.job_title, &gone.job_title))
    .bind(account_id)
    .bind(kept.portal_access || gone.portal_access)
    .bind(keep_id)
    .execute(&mut *tx)
    .await?;
    let summary = format!("Merged duplicate contact \"{}\" (#{duplicate_id}) into \"{}\"; {} tickets moved", gone.name, kept.name, moved.len());
    audit::record(&mut tx, user.id, "contact", Some(keep_id), now, &summary).await?;
    audit::record(&mut tx, user.id, "contact", Some(duplicate_id), now, &summary).await?;
    let detail = contact_detail(&mut tx, user, keep_id).await?;
    tx.commit().await?;
    Ok((detail, boards))
}

// ---------------------------------------------------------------------------------------------
// The customer card

/// The ticket's customer at a glance, or `None` when the ticket has neither contact nor account.
/// Lists only tickets the caller may see.
pub async fn customer_card(db: &Db, user: &CurrentUser, ticket_reference: &str, now: DateTime<Utc>) -> Result<Option<CustomerCard>, AppError> {
    access::require(user, Action::WorkTickets)?;
    let mut conn = db.read.acquire().await?;
    let ticket = lookup::accessible(&mut conn, user, ticket_reference, false).await?;
    let (contact_id, account_id): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT contact_id, account_id FROM tickets WHERE id = ?").bind(ticket.id).fetch_one(&mut *conn).await?;
    let whose = match (contact_id, account_id) {
        (Some(id), _) => Whose::Contact(id),
        (None, Some(id)) => Whose::Account(id),
        (None, None) => return Ok(None),
    };
    let contact = match contact_id {
        Some(id) => Some(contact_record(&mut conn, id).await?),
        None => None,
    };
    let account_id = account_id.or(contact.as_ref().and_then(|c| c.account_id));
    let account = match account_id {
        Some(id) => {
            let record = account_record(&mut conn, id).await?;
            Some(CardAccount { id, name: record.name, phone: record.phone, email: record.email })
        }
        None => None,
    };
    let mut tickets = tickets_of(&mut conn, user, whose, true, Some(ticket.id), CARD_OPEN).await?;
    for recent in tickets_of(&mut conn, user, whose, false, Some(ticket.id), CARD_RECENT).await? {
        if tickets.iter().all(|t| t.reference != recent.reference) {
            tickets.push(recent);
        }
    }
    tickets.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.reference.cmp(&a.reference)));
    let (entitlements, units) = match account_id {
        Some(id) => (entitlements::available_to(&mut conn, user, id, contact_id, now).await?, units_of(&mut conn, id).await?),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Some(CustomerCard {
        contact: contact.map(|c| CardContact { id: c.id, name: c.name, email: c.email, phone: c.phone, mobile: c.mobile, job_title: c.job_title }),
        account,
        entitlements,
        units,
        tickets,
    }))
}

#[cfg(test)]
#[path = "customers_tests.rs"]
mod tests;
