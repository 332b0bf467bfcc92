//! Customers: accounts (companies) and contacts (people), their pages, and the customer card a
//! ticket shows.

use chrono::{DateTime, NaiveDate, Utc};

use serde::{Deserialize, Serialize};

use super::*;

/// An account's editable details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AccountInput {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub website: String,
    pub notes: String,
    /// The parent company, if this account is part of one.
    pub parent_id: Option<i64>,
}

/// A contact's editable details.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ContactInput {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub job_title: String,
    pub account_id: Option<i64>,
    /// May sign in to the customer portal.
    pub portal_access: bool,
}

/// One row of the accounts list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub parent: Option<Named>,
    pub contacts: i64,
}

/// One row of the contacts list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRow {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub job_title: String,
    pub account: Option<Named>,
    pub portal_access: bool,
}

/// Rows per page of the accounts and contacts lists.
pub const CUSTOMER_PAGE_ROWS: i64 = 50;

/// One page of a customer list; `more` when further rows follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerPage<T> {
    pub rows: Vec<T>,
    pub more: bool,
}

/// A ticket of a customer, as their pages and the customer card list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerTicket {
    pub reference: String,
    pub title: String,
    pub status: TicketStatus,
    pub created_at: DateTime<Utc>,
}

impl CustomerTicket {
    pub fn is_open(&self) -> bool {
        TicketStatus::OPEN.contains(&self.status)
    }
}

/// A customer's device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    pub id: i64,
    pub serial: String,
    pub item: String,
    pub warranty_until: Option<NaiveDate>,
}

/// An account with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountDetail {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub details: AccountInput,
    pub parent: Option<Named>,
    pub children: Vec<Named>,
    pub contacts: Vec<ContactRow>,
    pub units: Vec<UnitSummary>,
    /// Entitlements that can be drawn on now.
    pub entitlements: Vec<EntitlementChoice>,
    /// Its tickets the caller may see, newest first.
    pub tickets: Vec<CustomerTicket>,
}

/// A contact with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactDetail {
    pub id: i64,
    pub version: i64,
    #[serde(flatten)]
    pub details: ContactInput,
    pub account: Option<Named>,
    /// Portal users signing in as this contact.
    pub portal_users: Vec<String>,
    /// Their tickets the caller may see, newest first.
    pub tickets: Vec<CustomerTicket>,
    /// Whether the caller may merge duplicates into this contact.
    pub can_merge: bool,
}

/// The account as the customer card shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardAccount {
    pub id: i64,
    pub name: String,
    pub phone: String,
    pub email: String,
}

/// The contact as the customer card shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardContact {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub mobile: String,
    pub job_title: String,
}

/// Who the ticket is for, at a glance (D365's customer card): contact, account, what they are
/// entitled to, their units, and their recent and open tickets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerCard {
    pub contact: Option<CardContact>,
    pub account: Option<CardAccount>,
    pub entitlements: Vec<EntitlementChoice>,
    pub units: Vec<UnitSummary>,
    /// The customer's other tickets the caller may see: the most recent ones and every open
    /// one, newest first.
    pub tickets: Vec<CustomerTicket>,
}
