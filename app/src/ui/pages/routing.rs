//! Routing rules: tried in order on every new ticket, by "Save & route" and on selections; the
//! first enabled rule whose conditions all hold routes the ticket.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::routing::{delete_routing_rule, reorder_routing_rule, load_routing_rules, save_routing_rule};
use crate::error::AppError;
use crate::model::*;
use crate::ui::components::{describe_ticket_conditions, names, use_toasts, ConditionState, IdSelect, LoadedPage, TicketConditionFields};

#[component]
pub fn RoutingPage() -> impl IntoView {
    view! { <LoadedPage title="Routing rules" load=load_routing_rules render=|setup, reload| view! { <RoutingScreen setup reload/> }/> }
}

fn describe_actions(a: &RoutingActions, choices: &RuleChoices) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(team) = a.team_id {
        lines.push(format!("Route to team {}", names(&[team], &choices.teams)));
    }
    if let Some(queue) = a.queue_id {
        lines.push(format!("Put into queue {}", names(&[queue], &choices.queues)));
    }
    if let Some(user) = a.assignee_id {
        lines.push(format!("Assign to {}", names(&[user], &choices.agents)));
    }
    if let Some(priority) = a.priority {
        lines.push(format!("Set priority to {}", priority.label()));
    }
    lines
}

#[component]
fn RoutingScreen(setup: RoutingSetup, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(None::<RoutingRule>);
    let setup = StoredValue::new(setup);
    let count = setup.with_value(|s| s.rules.len()) as i64;
    let can_edit = setup.with_value(|s| s.can_edit);
    let finish = move |result: Result<(), AppError>| {
        if let Err(e) = result {
            toasts.error(e.to_string());
        }
        reload.run(());
    };
    let rows = setup.with_value(|s| s.rules.clone()).into_iter().enumerate().map(|(index, rule)| {
        let index = index as i64;
        let (id, version, name) = (rule.id, rule.version, rule.rule.name.clone());
        let when = setup.with_value(|s| describe_ticket_conditions(&rule.rule.conditions, &s.choices));
        let then = setup.with_value(|s| describe_actions(&rule.rule.actions, &s.choices));
        let toggled = RoutingRuleInput { enabled: !rule.rule.enabled, ..rule.rule.clone() };
        let for_edit = rule.clone();
        let changeable = setup.with_value(|s| s.changeable.contains(&id));
        view! {
            <li class="rule" class:disabled=!rule.rule.enabled data-testid="routing-rule">
                <div class="rule-head">
                    <span class="rule-order">{index + 1}</span>
                    <strong>{name.clone()}</strong>
                    {(!rule.rule.enabled).then(|| view! { <span class="badge">"Disabled"</span> })}
                    {rule.owner_id.is_none().then(|| view! { <span class="badge" title="Acts on every team; only admins change it">"All teams"</span> })}
                </div>
                <div class="rule-body">
                    <div><span class="muted">"When "</span>{when.join("; and ")}</div>
                    <div><span class="muted">"Then "</span>{then.join("; ")}</div>
                </div>
                {(can_edit && changeable).then(|| view! {
                    <div class="rule-actions">
                        <button class="small" disabled=index == 0 aria-label=format!("Move {name} up")
                            on:click=move |_| spawn_local(async move { finish(reorder_routing_rule(id, version, index - 1).await.map(|_| ())) })>"↑"</button>
                        <button class="small" disabled=index + 1 == count aria-label=format!("Move {name} down")
                            on:click=move |_| spawn_local(async move { finish(reorder_routing_rule(id, version, index + 1).await.map(|_| ())) })>"↓"</button>
                        <button class="small" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                        <button class="small" on:click=move |_| {
                            let toggled = toggled.clone();
                            spawn_local(async move { finish(save_routing_rule(Some(id), Some(version), toggled).await.map(|_| ())) })
                        }>{if rule.rule.enabled { "Disable" } else { "Enable" }}</button>
                        <button class="small danger" on:click=move |_| spawn_local(async move { finish(delete_routing_rule(id, version).await) })>"Delete"</button>
                    </div>
                })}
            </li>
        }
    }).collect_view();
    view! {
        <div class="routing-layout">
            <section class="panel">
                <h2>"In order"</h2>
                <p class="hint muted">"Rules are tried top to bottom on every new ticket, on \"Save & route\" and on \"Apply routing rules\"; the first enabled rule whose conditions all hold wins."</p>
                {if count == 0 {
                    view! { <p class="muted">"No routing rules yet."</p> }.into_any()
                } else {
                    view! { <ol class="rules">{rows}</ol> }.into_any()
                }}
            </section>
            {can_edit.then(|| view! {
                {move || {
                    // Reading `editing` here builds a fresh form whenever another rule is picked for editing.
                    let rule = editing.get();
                    view! { <RuleForm rule setup=setup.get_value() saved=Callback::new(move |_: ()| { editing.set(None); reload.run(()) })
                        cancel=Callback::new(move |_: ()| editing.set(None))/> }
                }}
            })}
        </div>
    }
}

#[component]
fn RuleForm(rule: Option<RoutingRule>, setup: RoutingSetup, saved: Callback<()>, cancel: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let draft = rule.as_ref().map(|r| r.rule.clone()).unwrap_or(RoutingRuleInput {
        name: String::new(),
        enabled: true,
        conditions: RoutingConditions::default(),
        actions: RoutingActions::default(),
    });
    let (id, version) = (rule.as_ref().map(|r| r.id), rule.as_ref().map(|r| r.version));
    let name = RwSignal::new(draft.name.clone());
    let enabled = RwSignal::new(draft.enabled);
    let conditions = ConditionState::new(&draft.conditions);
    let team = RwSignal::new(draft.actions.team_id);
    let queue = RwSignal::new(draft.actions.queue_id);
    let assignee = RwSignal::new(draft.actions.assignee_id);
    let set_priority = RwSignal::new(draft.actions.priority);
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let rule = RoutingRuleInput {
            name: name.get_untracked(),
            enabled: enabled.get_untracked(),
            conditions: conditions.get(),
            actions: RoutingActions { team_id: team.get_untracked(), queue_id: queue.get_untracked(), assignee_id: assignee.get_untracked(), priority: set_priority.get_untracked() },
        };
        spawn_local(async move {
            match save_routing_rule(id, version, rule).await {
                Ok(rule) => {
                    toasts.info(format!("Rule \"{}\" saved.", rule.rule.name));
                    saved.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let current_priority = set_priority.get_untracked();
    view! {
        <form class="panel rule-form" on:submit=submit novalidate>
            <h2>{if id.is_some() { "Edit rule" } else { "New rule" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="rule-name">"Name"</label>
                <input id="rule-name" maxlength="80" placeholder="e.g. On-site repairs to Field Service" bind:value=name/>
            </div>
            <h3>"When all of these hold"</h3>
            <TicketConditionFields state=conditions choices=setup.choices.clone()/>
            <h3>"Then"</h3>
            <div class="field-row">
                <IdSelect id="rule-team" label="Route to team" empty="Keep the team" choices=setup.choices.teams.clone() value=team/>
                <IdSelect id="rule-queue" label="Put into queue" empty="No queue" choices=setup.choices.queues.clone() value=queue/>
                <IdSelect id="rule-assignee" label="Assign to" empty="Nobody in particular" choices=setup.choices.agents.clone() value=assignee/>
                <div class="field">
                    <label for="rule-set-priority">"Set priority"</label>
                    <select id="rule-set-priority" on:change=move |ev| set_priority.set(Priority::parse(&event_target_value(&ev)))>
                        <option value="" selected=current_priority.is_none()>"Keep the priority"</option>
                        {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=current_priority == Some(*p)>{p.label()}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <label class="check" for="rule-enabled">
                <input type="checkbox" id="rule-enabled" prop:checked=move || enabled.get() on:change=move |ev| enabled.set(event_target_checked(&ev))/>
                "Enabled"
            </label>
            <div class="form-actions">
                {id.is_some().then(|| view! { <button type="button" on:click=move |_| cancel.run(())>"Cancel"</button> })}
                <button class="primary" type="submit">"Save rule"</button>
            </div>
        </form>
    }
}
