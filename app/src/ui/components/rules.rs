//! Pieces shared by the routing and automation rule screens.

use leptos::prelude::*;

use super::CheckList;
use crate::model::*;

/// "Alice or Bob" for the ids, by the names in `from`.
pub fn names(ids: &[i64], from: &[Named]) -> String {
    ids.iter().map(|id| from.iter().find(|n| n.id == *id).map(|n| n.name.clone()).unwrap_or_else(|| format!("#{id}"))).collect::<Vec<_>>().join(" or ")
}

fn labels<T: Copy>(values: &[T], label: fn(T) -> &'static str) -> String {
    values.iter().map(|v| label(*v)).collect::<Vec<_>>().join(" or ")
}

/// "Subject is Hardware or Billing", one line per condition.
pub fn describe_ticket_conditions(c: &RoutingConditions, choices: &RuleChoices) -> Vec<String> {
    let mut lines = Vec::new();
    if !c.origins.is_empty() {
        lines.push(format!("Origin is {}", labels(&c.origins, Origin::label)));
    }
    if !c.priorities.is_empty() {
        lines.push(format!("Priority is {}", labels(&c.priorities, Priority::label)));
    }
    if !c.subject_ids.is_empty() {
        lines.push(format!("Subject is {} (or below)", names(&c.subject_ids, &choices.subjects)));
    }
    if !c.product_ids.is_empty() {
        lines.push(format!("Product is {}", names(&c.product_ids, &choices.products)));
    }
    if !c.account_ids.is_empty() {
        lines.push(format!("Customer account is {}", names(&c.account_ids, &choices.accounts)));
    }
    if !c.reason_ids.is_empty() {
        lines.push(format!("Reason is {} (or below)", names(&c.reason_ids, &choices.reasons)));
    }
    if !c.region_ids.is_empty() {
        lines.push(format!("Region is {}", names(&c.region_ids, &choices.regions)));
    }
    if !c.service_type_ids.is_empty() {
        lines.push(format!("Service type is {}", names(&c.service_type_ids, &choices.service_types)));
    }
    if !c.unit_type_ids.is_empty() {
        lines.push(format!("Unit type is {}", names(&c.unit_type_ids, &choices.unit_types)));
    }
    if !c.keywords.is_empty() {
        lines.push(format!("Title or description mentions {}", c.keywords.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(" or ")));
    }
    lines
}

/// One signal per ticket condition of a rule being edited.
#[derive(Clone, Copy)]
pub struct ConditionState {
    origins: RwSignal<Vec<Origin>>,
    priorities: RwSignal<Vec<Priority>>,
    subjects: RwSignal<Vec<i64>>,
    products: RwSignal<Vec<i64>>,
    accounts: RwSignal<Vec<i64>>,
    reasons: RwSignal<Vec<i64>>,
    regions: RwSignal<Vec<i64>>,
    service_types: RwSignal<Vec<i64>>,
    unit_types: RwSignal<Vec<i64>>,
    /// Comma-separated, as typed.
    keywords: RwSignal<String>,
}

impl ConditionState {
    pub fn new(c: &RoutingConditions) -> Self {
        ConditionState {
            origins: RwSignal::new(c.origins.clone()),
            priorities: RwSignal::new(c.priorities.clone()),
            subjects: RwSignal::new(c.subject_ids.clone()),
            products: RwSignal::new(c.product_ids.clone()),
            accounts: RwSignal::new(c.account_ids.clone()),
            reasons: RwSignal::new(c.reason_ids.clone()),
            regions: RwSignal::new(c.region_ids.clone()),
            service_types: RwSignal::new(c.service_type_ids.clone()),
            unit_types: RwSignal::new(c.unit_type_ids.clone()),
            keywords: RwSignal::new(c.keywords.join(", ")),
        }
    }

    pub fn get(&self) -> RoutingConditions {
        RoutingConditions {
            origins: self.origins.get_untracked(),
            priorities: self.priorities.get_untracked(),
            subject_ids: self.subjects.get_untracked(),
            product_ids: self.products.get_untracked(),
            account_ids: self.accounts.get_untracked(),
            keywords: self.keywords.get_untracked().split(',').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect(),
            reason_ids: self.reasons.get_untracked(),
            region_ids: self.regions.get_untracked(),
            service_type_ids: self.service_types.get_untracked(),
            unit_type_ids: self.unit_types.get_untracked(),
        }
    }
}

pub fn with_ids(named: &[Named]) -> Vec<(i64, String)> {
    named.iter().map(|n| (n.id, n.name.clone())).collect()
}

pub fn with_codes<T: Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<(T, String)> {
    all.iter().map(|v| (*v, label(*v).to_string())).collect()
}

/// The conditions on a ticket's fields that routing and automation rules share.
#[component]
pub fn TicketConditionFields(state: ConditionState, choices: RuleChoices) -> impl IntoView {
    view! {
        <CheckList legend="Origin" prefix="rule-origin" options=with_codes(Origin::ALL, Origin::label) chosen=state.origins/>
        <CheckList legend="Priority" prefix="rule-priority" options=with_codes(Priority::ALL, Priority::label) chosen=state.priorities/>
        <CheckList legend="Subject (includes the subjects below it)" prefix="rule-subject" options=with_ids(&choices.subjects) chosen=state.subjects/>
        <CheckList legend="Product" prefix="rule-product" options=with_ids(&choices.products) chosen=state.products/>
        <CheckList legend="Customer account" prefix="rule-account" options=with_ids(&choices.accounts) chosen=state.accounts/>
        <CheckList legend="Reason (includes the codes below it)" prefix="rule-reason" options=with_ids(&choices.reasons) chosen=state.reasons/>
        <CheckList legend="Region" prefix="rule-region" options=with_ids(&choices.regions) chosen=state.regions/>
        <CheckList legend="Service type" prefix="rule-service-type" options=with_ids(&choices.service_types) chosen=state.service_types/>
        <CheckList legend="Unit type" prefix="rule-unit-type" options=with_ids(&choices.unit_types) chosen=state.unit_types/>
        <div class="field">
            <label for="rule-keywords">"Keywords in title or description"</label>
            <input id="rule-keywords" placeholder="e.g. outage, on site" bind:value=state.keywords/>
            <div class="hint">"Separate keywords with commas; any one of them is enough."</div>
        </div>
    }
}
