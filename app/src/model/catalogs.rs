//! Catalogs (issue 11): the values tickets are classified with, as admins keep them.

use serde::{Deserialize, Serialize};

use super::*;

impl Catalog {
    /// One value of the catalog, for messages: "Subject", "Reason code".
    pub fn singular(self) -> &'static str {
        match self {
            Catalog::Subjects => "Subject",
            Catalog::Products => "Product",
            Catalog::ReasonCodes => "Reason code",
            Catalog::Units => "Unit",
            Catalog::UnitTypes => "Unit type",
            Catalog::Regions => "Region",
            Catalog::ServiceTypes => "Service type",
            Catalog::EventTypes => "Event type",
            Catalog::ResolutionCodes => "Resolution code",
        }
    }

    /// Subjects, reason and resolution codes are trees (general › specific); the rest are flat lists.
    pub fn is_tree(self) -> bool {
        matches!(self, Catalog::Subjects | Catalog::ReasonCodes | Catalog::ResolutionCodes)
    }
}

/// What a unit records besides its serial number (which is its name in the catalog).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitDetails {
    pub item: String,
    pub unit_type_id: Option<i64>,
    /// The customer account that owns the unit.
    pub account_id: Option<i64>,
    pub warranty_until: Option<chrono::NaiveDate>,
    /// The service contract, e.g. "Gold support".
    pub contract: String,
}

/// One value as admins see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogValue {
    pub id: i64,
    /// The name; a unit's serial number.
    pub name: String,
    /// Trees only: the value this one is more specific than.
    pub parent_id: Option<i64>,
    /// Trees only: how many levels below the top ("Hardware" 0, "Hardware › Printer" 1).
    pub depth: usize,
    /// Deactivated values are no longer offered but stay on the tickets that carry them.
    pub active: bool,
    /// Offered for new tickets: active, and in a tree every value above it active too.
    pub offered: bool,
    /// How many tickets carry it (for unit types: how many units have the type; for event
    /// types: how many events were logged with it).
    pub uses: i64,
    /// Units only.
    pub unit: Option<UnitDetails>,
    pub version: i64,
}

/// A catalog with its values, trees in depth-first order (each parent before its children).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogListing {
    pub catalog: Catalog,
    pub values: Vec<CatalogValue>,
    /// Units only: what a unit may be typed as and owned by.
    pub unit_types: Vec<Named>,
    pub accounts: Vec<Named>,
}

/// A new or changed value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogValueInput {
    /// The name; a unit's serial number.
    pub name: String,
    /// Trees only; `None` puts the value at the top level.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Units only.
    #[serde(default)]
    pub unit: Option<UnitDetails>,
}

/// A deactivated value a ticket still carries: shown and kept on that ticket, offered to no other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptChoice {
    pub catalog: Catalog,
    pub choice: Named,
}

impl TicketFormOptions {
    /// Adds a value the ticket carries to the choices of its field, so that the form shows and
    /// keeps it although it is no longer offered.
    pub fn keep(&mut self, kept: &KeptChoice) {
        let list = match kept.catalog {
            Catalog::Subjects => &mut self.subjects,
            Catalog::Products => &mut self.products,
            Catalog::ReasonCodes => &mut self.reasons,
            Catalog::Units => &mut self.units,
            Catalog::Regions => &mut self.regions,
            Catalog::ServiceTypes => &mut self.service_types,
            // Resolution codes are chosen when resolving, not in the ticket form.
            Catalog::UnitTypes | Catalog::EventTypes | Catalog::ResolutionCodes => return,
        };
        if list.iter().all(|c| c.id != kept.choice.id) {
            list.push(kept.choice.clone());
        }
    }
}
