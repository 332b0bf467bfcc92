//! Automation rules: when something happens to a ticket (or nothing has for a while), and the
//! ticket meets the conditions, the actions run. Each rule fires at most once per chain.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::automation::{delete_automation_rule, load_automation_rules, save_automation_rule};
use crate::error::AppError;
use crate::model::{self, *};
use model::Trigger;
use crate::ui::components::{
    describe_ticket_conditions, names, use_toasts, with_codes, with_ids, CheckList, ConditionState, LoadedPage, TicketConditionFields,
};

#[component]
pub fn AutomationPage() -> impl IntoView {
    view! { <LoadedPage title="Automation rules" load=load_automation_rules render=|setup, reload| view! { <AutomationScreen setup reload/> }/> }
}

fn describe_action(action: &AutomationAction, choices: &RuleChoices) -> String {
    match action {
        AutomationAction::Assign { user_id } => format!("Assign to {}", names(&[*user_id], &choices.agents)),
        AutomationAction::RoundRobin => "Assign to the next team member in turn".into(),
        AutomationAction::SetStage { category } => format!("Move to the team's {} stage", category.label()),
        AutomationAction::SetPriority { priority } => format!("Set priority to {}", priority.label()),
        AutomationAction::AddFollower { user_id } => format!("Add {} as follower", names(&[*user_id], &choices.agents)),
        AutomationAction::AddTag { tag } => format!("Add tag \"{tag}\""),
        AutomationAction::Notify { user_id, message } => {
            let who = user_id.map(|id| names(&[id], &choices.agents)).unwrap_or_else(|| "the assignee (or the team's leads)".into());
            format!("Notify {who}: \"{message}\"")
        }
    }
}

fn describe_conditions(c: &AutomationConditions, choices: &RuleChoices) -> Vec<String> {
    let mut lines = Vec::new();
    if !c.team_ids.is_empty() {
        lines.push(format!("Team is {}", names(&c.team_ids, &choices.teams)));
    }
    if !c.stages.is_empty() {
        lines.push(format!("Stage is {}", c.stages.iter().map(|s| s.label()).collect::<Vec<_>>().join(" or ")));
    }
    if c.unassigned_only {
        lines.push("Nobody is assigned".into());
    }
    lines.extend(describe_ticket_conditions(&c.ticket, choices));
    if lines.is_empty() {
        lines.push("any ticket".into());
    }
    lines
}

#[component]
fn AutomationScreen(setup: AutomationSetup, reload: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let editing = RwSignal::new(None::<AutomationRule>);
    let setup = StoredValue::new(setup);
    let can_edit = setup.with_value(|s| s.can_edit);
    let finish = move |result: Result<(), AppError>| {
        if let Err(e) = result {
            toasts.error(e.to_string());
        }
        reload.run(());
    };
    let rows = setup.with_value(|s| s.rules.clone()).into_iter().map(|rule| {
        let (id, version) = (rule.id, rule.version);
        let when = setup.with_value(|s| describe_conditions(&rule.rule.conditions, &s.choices));
        let then = setup.with_value(|s| rule.rule.actions.iter().map(|a| describe_action(a, &s.choices)).collect::<Vec<_>>());
        let toggled = AutomationRuleInput { enabled: !rule.rule.enabled, ..rule.rule.clone() };
        let for_edit = rule.clone();
        let changeable = setup.with_value(|s| s.changeable.contains(&id));
        view! {
            <li class="rule" class:disabled=!rule.rule.enabled data-testid="automation-rule">
                <div class="rule-head">
                    <strong>{rule.rule.name.clone()}</strong>
                    {(!rule.rule.enabled).then(|| view! { <span class="badge">"Disabled"</span> })}
                    {rule.owner_id.is_none().then(|| view! { <span class="badge" title="Acts on every team; only admins change it">"All teams"</span> })}
                </div>
                <div class="rule-body">
                    <div><span class="muted">"On "</span>{rule.rule.trigger.label()}</div>
                    <div><span class="muted">"If "</span>{when.join("; and ")}</div>
                    <div><span class="muted">"Then "</span>{then.join("; ")}</div>
                </div>
                {(can_edit && changeable).then(|| view! {
                    <div class="rule-actions">
                        <button class="small" on:click=move |_| editing.set(Some(for_edit.clone()))>"Edit"</button>
                        <button class="small" on:click=move |_| {
                            let toggled = toggled.clone();
                            spawn_local(async move { finish(save_automation_rule(Some(id), Some(version), toggled).await.map(|_| ())) })
                        }>{if rule.rule.enabled { "Disable" } else { "Enable" }}</button>
                        <button class="small danger" on:click=move |_| spawn_local(async move { finish(delete_automation_rule(id, version).await) })>"Delete"</button>
                    </div>
                })}
            </li>
        }
    }).collect_view();
    view! {
        <div class="routing-layout">
            <section class="panel">
                <h2>"Rules"</h2>
                <p class="hint muted">"Rules run in this order. A rule's changes can trigger other rules, but each rule fires at most once per change, so rules never keep triggering each other."</p>
                <ol class="rules">{rows}</ol>
            </section>
            {can_edit.then(|| view! {
                {move || {
                    // Reading `editing` here builds a fresh form whenever another rule is picked for editing.
                    let rule = editing.get();
                    view! { <AutomationForm rule choices=setup.with_value(|s| s.choices.clone())
                        saved=Callback::new(move |_: ()| { editing.set(None); reload.run(()) })
                        cancel=Callback::new(move |_: ()| editing.set(None))/> }
                }}
            })}
        </div>
    }
}

/// The trigger as the select names it; the hours of a time-based trigger are edited beside it.
fn trigger_code(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Created => "created",
        Trigger::Updated => "updated",
        Trigger::StageChanged => "stage_changed",
        Trigger::CustomerReplied => "customer_replied",
        Trigger::AgentReplied => "agent_replied",
        Trigger::NoUpdateFor { .. } => "no_update_for",
    }
}

const TRIGGER_CHOICES: &[(&str, &str)] = &[
    ("created", "A ticket is created"),
    ("updated", "A ticket is updated"),
    ("stage_changed", "A ticket changes stage"),
    ("customer_replied", "The customer replies"),
    ("agent_replied", "An agent replies to the customer"),
    ("no_update_for", "An open ticket has had no update for a while"),
];

/// The kinds of action offered by "Add an action", each with its starting values.
fn new_action(kind: &str) -> Option<AutomationAction> {
    Some(match kind {
        "assign" => AutomationAction::Assign { user_id: 0 },
        "round_robin" => AutomationAction::RoundRobin,
        "set_stage" => AutomationAction::SetStage { category: StageCategory::InProgress },
        "set_priority" => AutomationAction::SetPriority { priority: Priority::High },
        "add_follower" => AutomationAction::AddFollower { user_id: 0 },
        "add_tag" => AutomationAction::AddTag { tag: String::new() },
        "notify" => AutomationAction::Notify { user_id: None, message: String::new() },
        _ => return None,
    })
}

const ACTION_CHOICES: &[(&str, &str)] = &[
    ("assign", "Assign to a person"),
    ("round_robin", "Assign round-robin within the team"),
    ("set_stage", "Move to a stage (sets the status)"),
    ("set_priority", "Set the priority"),
    ("add_follower", "Add a follower"),
    ("add_tag", "Add a tag"),
    ("notify", "Send a notification"),
];

#[component]
fn AutomationForm(rule: Option<AutomationRule>, choices: RuleChoices, saved: Callback<()>, cancel: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let draft = rule.as_ref().map(|r| r.rule.clone()).unwrap_or(AutomationRuleInput {
        name: String::new(),
        enabled: true,
        trigger: Trigger::Created,
        conditions: AutomationConditions::default(),
        actions: Vec::new(),
    });
    let (id, version) = (rule.as_ref().map(|r| r.id), rule.as_ref().map(|r| r.version));
    let name = RwSignal::new(draft.name.clone());
    let enabled = RwSignal::new(draft.enabled);
    let trigger = RwSignal::new(trigger_code(draft.trigger));
    let hours = RwSignal::new(match draft.trigger {
        Trigger::NoUpdateFor { hours } => hours.to_string(),
        _ => "48".to_string(),
    });
    let teams = RwSignal::new(draft.conditions.team_ids.clone());
    let stages = RwSignal::new(draft.conditions.stages.clone());
    let unassigned_only = RwSignal::new(draft.conditions.unassigned_only);
    let conditions = ConditionState::new(&draft.conditions.ticket);
    let actions = RwSignal::new(draft.actions.clone());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let trigger = match trigger.get_untracked() {
            "created" => Trigger::Created,
            "updated" => Trigger::Updated,
            "stage_changed" => Trigger::StageChanged,
            "customer_replied" => Trigger::CustomerReplied,
            "agent_replied" => Trigger::AgentReplied,
            _ => match hours.get_untracked().trim().parse::<i64>() {
                Ok(hours) => Trigger::NoUpdateFor { hours },
                Err(_) => return error.set(Some("Enter the number of hours without an update.".into())),
            },
        };
        if actions.with_untracked(|list| list.iter().any(|a| matches!(a, AutomationAction::Assign { user_id: 0 } | AutomationAction::AddFollower { user_id: 0 }))) {
            return error.set(Some("Choose the person for each action.".into()));
        }
        let rule = AutomationRuleInput {
            name: name.get_untracked(),
            enabled: enabled.get_untracked(),
            trigger,
            conditions: AutomationConditions {
                ticket: conditions.get(),
                team_ids: teams.get_untracked(),
                stages: stages.get_untracked(),
                unassigned_only: unassigned_only.get_untracked(),
            },
            actions: actions.get_untracked(),
        };
        spawn_local(async move {
            match save_automation_rule(id, version, rule).await {
                Ok(rule) => {
                    toasts.info(format!("Rule \"{}\" saved.", rule.rule.name));
                    saved.run(());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let agents = StoredValue::new(choices.agents.clone());
    view! {
        <form class="panel rule-form" on:submit=submit novalidate>
            <h2>{if id.is_some() { "Edit rule" } else { "New rule" }}</h2>
            {move || error.get().map(|message| view! { <div class="alert error" role="alert">{message}</div> })}
            <div class="field">
                <label for="rule-name">"Name"</label>
                <input id="rule-name" maxlength="80" placeholder="e.g. Urgent tickets: tell the leads" bind:value=name/>
            </div>
            <h3>"When"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="rule-trigger">"Trigger"</label>
                    <select id="rule-trigger" on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if let Some((known, _)) = TRIGGER_CHOICES.iter().find(|(c, _)| *c == code) {
                            trigger.set(known);
                        }
                    }>
                        {TRIGGER_CHOICES.iter().map(|(code, label)| view! { <option value=*code selected=trigger.get_untracked() == *code>{*label}</option> }).collect_view()}
                    </select>
                </div>
                <Show when=move || trigger.get() == "no_update_for">
                    <div class="field">
                        <label for="rule-hours">"Hours without an update"</label>
                        <input id="rule-hours" type="number" min="1" bind:value=hours/>
                    </div>
                </Show>
            </div>
            <h3>"If all of these hold"</h3>
            <CheckList legend="Team" prefix="rule-team" options=with_ids(&choices.teams) chosen=teams/>
            <CheckList legend="Stage" prefix="rule-stage" options=with_codes(StageCategory::ALL, StageCategory::label) chosen=stages/>
            <label class="check" for="rule-unassigned">
                <input type="checkbox" id="rule-unassigned" prop:checked=move || unassigned_only.get() on:change=move |ev| unassigned_only.set(event_target_checked(&ev))/>
                "Only while nobody is assigned"
            </label>
            <TicketConditionFields state=conditions choices=choices.clone()/>
            <h3>"Then"</h3>
            <ol class="action-list">
                {move || actions.get().into_iter().enumerate().map(|(index, action)| {
                    view! { <ActionRow index action actions agents=agents.get_value()/> }
                }).collect_view()}
            </ol>
            <div class="field">
                <select id="add-action" aria-label="Add an action" prop:value="" on:change=move |ev| {
                    if let Some(action) = new_action(&event_target_value(&ev)) {
                        actions.update(|list| list.push(action));
                    }
                }>
                    <option value="" selected>"Add an action…"</option>
                    {ACTION_CHOICES.iter().map(|(code, label)| view! { <option value=*code>{*label}</option> }).collect_view()}
                </select>
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

/// One action of the rule being edited, with the fields its kind needs.
#[component]
fn ActionRow(index: usize, action: AutomationAction, actions: RwSignal<Vec<AutomationAction>>, agents: Vec<Named>) -> impl IntoView {
    let replace = move |changed: AutomationAction| actions.update(|list| list[index] = changed);
    let person = move |label: &'static str, current: Option<i64>, empty: &'static str, set: fn(Option<i64>, &AutomationAction) -> AutomationAction| {
        let agents = agents.clone();
        view! {
            <select aria-label=label on:change=move |ev| {
                let chosen = event_target_value(&ev).parse::<i64>().ok();
                let current = actions.with_untracked(|list| list[index].clone());
                replace(set(chosen, &current));
            }>
                <option value="" selected=current.is_none()>{empty}</option>
                {agents.iter().map(|a| view! { <option value=a.id selected=current == Some(a.id)>{a.name.clone()}</option> }).collect_view()}
            </select>
        }
    };
    let fields = match &action {
        AutomationAction::Assign { user_id } => {
            view! { <span>"Assign to"</span> {person("Assign to", Some(*user_id).filter(|id| *id > 0), "Choose…", |id, _| AutomationAction::Assign { user_id: id.unwrap_or(0) })} }.into_any()
        }
        AutomationAction::RoundRobin => view! { <span>"Assign to the next team member in turn"</span> }.into_any(),
        AutomationAction::SetStage { category } => {
            let current = *category;
            view! {
                <span>"Move to the team's"</span>
                <select aria-label="Stage to move to" on:change=move |ev| {
                    if let Some(category) = StageCategory::parse(&event_target_value(&ev)) {
                        replace(AutomationAction::SetStage { category });
                    }
                }>
                    {StageCategory::ALL.iter().map(|c| view! { <option value=c.as_str() selected=*c == current>{c.label()}</option> }).collect_view()}
                </select>
                <span>"stage"</span>
            }
            .into_any()
        }
        AutomationAction::SetPriority { priority } => {
            let current = *priority;
            view! {
                <span>"Set priority to"</span>
                <select aria-label="Priority to set" on:change=move |ev| {
                    if let Some(priority) = Priority::parse(&event_target_value(&ev)) {
                        replace(AutomationAction::SetPriority { priority });
                    }
                }>
                    {Priority::ALL.iter().map(|p| view! { <option value=p.as_str() selected=*p == current>{p.label()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        AutomationAction::AddFollower { user_id } => {
            view! { <span>"Add follower"</span> {person("Follower to add", Some(*user_id).filter(|id| *id > 0), "Choose…", |id, _| AutomationAction::AddFollower { user_id: id.unwrap_or(0) })} }.into_any()
        }
        AutomationAction::AddTag { tag } => view! {
            <span>"Add tag"</span>
            <input aria-label="Tag to add" value=tag.clone() on:change=move |ev| replace(AutomationAction::AddTag { tag: event_target_value(&ev) })/>
        }
        .into_any(),
        AutomationAction::Notify { user_id, message } => {
            view! {
                <span>"Notify"</span>
                {person("Whom to notify", *user_id, "The assignee (or the team's leads)", |id, current| match current {
                    AutomationAction::Notify { message, .. } => AutomationAction::Notify { user_id: id, message: message.clone() },
                    other => other.clone(),
                })}
                <input aria-label="Notification message" placeholder="Message" value=message.clone() on:change=move |ev| {
                    let current = actions.with_untracked(|list| list[index].clone());
                    if let AutomationAction::Notify { user_id, .. } = current {
                        replace(AutomationAction::Notify { user_id, message: event_target_value(&ev) });
                    }
                }/>
            }
            .into_any()
        }
    };
    view! {
        <li class="action-row" data-testid="automation-action">
            {fields}
            <button type="button" class="small" aria-label=format!("Remove action {}", index + 1)
                on:click=move |_| actions.update(|list| { list.remove(index); })>"Remove"</button>
        </li>
    }
}
