//! Helpdesk: the Leptos application shared by the browser (hydrate) and the server (ssr).
#![recursion_limit = "256"]

pub mod api;
pub mod domain;
pub mod error;
pub mod model;
#[cfg(feature = "ssr")]
pub mod presence;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod store;
mod ui;

pub use ui::{shell, App};
