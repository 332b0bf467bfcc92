mod board;
mod home;
mod login;
mod settings;
mod ticket;

pub use board::BoardPage;
pub use home::HomePage;
pub use login::LoginPage;
pub use settings::TeamSettingsPage;
pub use ticket::{NewTicketPage, TicketPage};

use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <main>
            <h1>"Page not found"</h1>
            <p><a href="/">"Back to your teams"</a></p>
        </main>
    }
}
