//! Typed values that travel between browser and server, by area. Everything is re-exported
//! here, so `crate::model::Ticket…` names stay short; nothing here depends on `domain`.

mod attachments;
mod catalogs;
mod conversation;
mod customers;
mod enums;
mod kb;
mod resolution;
mod merge;
mod rules;
mod sla;
mod teams;
mod tickets;
mod users;
mod work;
mod work_log;

pub use attachments::*;
pub use catalogs::*;
pub use conversation::*;
pub use customers::*;
pub use enums::*;
pub use kb::*;
pub use resolution::*;
pub use merge::*;
pub use rules::*;
pub use sla::*;
pub use teams::*;
pub use tickets::*;
pub use users::*;
pub use work::*;
pub use work_log::*;
