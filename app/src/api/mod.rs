//! Server functions: each authorizes the caller, makes one store call and publishes the change.
//! They are public HTTP endpoints under `/api/…` with JSON bodies. Files are named by noun, as
//! in `store/` and `ui/`.

pub mod attachments;
pub mod auth;
pub mod automation;
pub mod catalogs;
pub mod conversation;
pub mod customers;
#[cfg(feature = "ssr")]
pub mod defences;
pub mod entitlements;
pub mod kb;
pub mod leads;
pub mod merge;
pub mod notifications;
pub mod organisation;
pub mod portal;
pub mod qualifications;
pub mod queues;
pub mod routing;
#[cfg(feature = "ssr")]
pub mod server;
pub mod sla;
pub mod teams;
pub mod ticket_events;
pub mod tickets;
pub mod time_off;
pub mod users;
pub mod work_log;
