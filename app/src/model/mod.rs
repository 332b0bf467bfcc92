//! Typed values that travel between browser and server, by area. Everything is re-exported
//! here, so `crate::model::Ticket…` names stay short; nothing here depends on `domain`.

mod catalogs;
mod customers;
mod enums;
mod merge;
mod rules;
mod sla;
mod teams;
mod tickets;
mod users;
mod work;

pub use catalogs::*;
pub use customers::*;
pub use enums::*;
pub use merge::*;
pub use rules::*;
pub use sla::*;
pub use teams::*;
pub use tickets::*;
pub use users::*;
pub use work::*;
