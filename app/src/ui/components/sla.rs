//! Live SLA countdowns: one clock ticks every second in the browser and every timer on the
//! page recomputes from it with the same domain code the server uses.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::domain::sla::format_left;
use crate::model::{Countdown, KpiKind, SlaState};

/// The page's "now", advanced every second in the browser.
#[derive(Clone, Copy)]
pub struct Clock(RwSignal<DateTime<Utc>>);

pub fn provide_clock() {
    let now = RwSignal::new(Utc::now());
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        now.set(Utc::now());
        gloo_timers::callback::Interval::new(1_000, move || now.set(Utc::now())).forget();
    });
    provide_context(Clock(now));
}

/// The page's clock (a fixed `now` outside a page that provides one).
pub fn use_now() -> RwSignal<DateTime<Utc>> {
    use_context::<Clock>().map(|c| c.0).unwrap_or_else(|| RwSignal::new(Utc::now()))
}

pub fn state_code(state: SlaState) -> &'static str {
    match state {
        SlaState::Running => "running",
        SlaState::Warning => "warning",
        SlaState::Breached => "breached",
        SlaState::Paused => "paused",
        SlaState::Met => "met",
        SlaState::Cancelled => "cancelled",
    }
}

fn short(kind: KpiKind) -> &'static str {
    match kind {
        KpiKind::FirstResponse => "Response",
        KpiKind::NextResponse => "Next reply",
        KpiKind::Resolution => "Resolve",
        KpiKind::Escalation => "Escalation",
    }
}

/// Time left on one KPI: amber at warning, red and counting up after breach, "paused" while
/// paused. `testid` marks the timer tests look for (one per card and ticket page).
#[component]
pub fn SlaTimer(countdown: Countdown, #[prop(optional)] testid: Option<&'static str>, #[prop(optional)] long: bool) -> impl IntoView {
    let now = use_now();
    let kind = countdown.kind;
    let due = countdown.due.map(|d| d.to_rfc3339()).unwrap_or_default();
    let title = match countdown.due {
        Some(due) => format!("{} due {} UTC (business time)", kind.label(), due.format("%d %b %H:%M:%S")),
        None => format!("{} has no deadline: its calendar never opens", kind.label()),
    };
    let countdown = StoredValue::new(countdown);
    let state = Memo::new(move |_| countdown.with_value(|c| c.state(now.get())));
    let text = move || {
        let left = countdown.with_value(|c| c.left(now.get()));
        match state.get() {
            SlaState::Paused => format!("paused · {}", format_left(left)),
            SlaState::Met => "met".into(),
            SlaState::Cancelled => "cancelled".into(),
            SlaState::Breached => format!("late {}", format_left(left)),
            _ => format_left(left),
        }
    };
    let label = if long { kind.label() } else { short(kind) };
    view! {
        <span class=move || format!("sla-timer {}", state_code(state.get())) data-testid=testid data-sla-state=move || state_code(state.get())
            data-due=due title=title role="timer" aria-label=move || format!("{}: {}", kind.label(), text())>
            <span class="sla-kind">{label}</span>
            <span class="sla-left">{text}</span>
        </span>
    }
}
