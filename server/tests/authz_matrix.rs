//! The authorization matrix (SPEC S1 and the security issue): every server function, called by
//! every kind of caller, on objects of a private and of a public team, answers what the policy
//! below says; every refusal leaves the database as it was; an object the caller may not see
//! answers exactly like one that does not exist; and nothing of the private team shows up in what
//! a caller who may not see it gets back.
//!
//! The server functions are enumerated from the running program (`server_fn_paths`), not listed
//! by hand: a new one fails this test until `cases()` says how to call it and who may.
//!
//! Every cell runs on its own copy of one template database (the demo data plus what the matrix
//! aims at) through the real router without a socket, as `tests/api.rs` does. The expectations
//! are the policy's, not the code's: a disagreement is reported, never adjusted here.

mod common;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use app::model::{
    AccountInput, AutomationAction, AutomationConditions, AutomationRuleInput, Catalog, CatalogValueInput, ContactInput, DecrementOn, EntitlementInput, EntitlementKind, Role,
    RoutingActions, RoutingConditions, RoutingRuleInput, SlaPolicyInput, StageCategory, TicketInput, TimeEntryInput, Trigger, Visibility,
};
use app::store::{automation, catalogs, customers, entitlements, qualifications, queues, routing, seed, sla, sla_setup, sla_work, teams, tickets, time_off, users, work_log, Db};
use axum::Router;
use chrono::{Duration, Utc};
use serde_json::{json, Value};
use server::config::Config;

/// Cells run this many at a time (each on its own database copy and router).
const PARALLEL: usize = 4;
/// An id and a ticket number that no object has: the "missing" twin of a hidden object.
const GHOST: i64 = 999_999;

// ---------------------------------------------------------------------------------------------
// Who calls, and on what
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Caller {
    Anonymous,
    Customer,
    OtherCustomer,
    AgentOutside,
    InvitedAgent,
    LeadOutside,
    LeadInside,
    Admin,
}

use Caller::*;

const CALLERS: [Caller; 8] = [Anonymous, Customer, OtherCustomer, AgentOutside, InvitedAgent, LeadOutside, LeadInside, Admin];

impl Caller {
    fn email(self) -> Option<&'static str> {
        match self {
            Anonymous => None,
            Customer => Some("customer@demo.test"),
            OtherCustomer => Some("customer2@demo.test"),
            AgentOutside => Some("agent1@demo.test"),
            InvitedAgent => Some("agent4@demo.test"),
            LeadOutside => Some("lead2@demo.test"),
            LeadInside => Some("lead@demo.test"),
            Admin => Some("admin@demo.test"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            Customer => "customer",
            OtherCustomer => "other customer",
            AgentOutside => "agent outside (agent1)",
            InvitedAgent => "invited agent (agent4)",
            LeadOutside => "lead not in team (lead2)",
            LeadInside => "lead in team (lead)",
            Admin => "admin",
        }
    }

    fn is_customer(self) -> bool {
        matches!(self, Customer | OtherCustomer)
    }

    fn is_staff(self) -> bool {
        !matches!(self, Anonymous | Customer | OtherCustomer)
    }

    fn is_lead(self) -> bool {
        matches!(self, LeadOutside | LeadInside)
    }
}

/// The team whose objects a request aims at; `None` for functions that name no team object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Object {
    None,
    Public,
    Private,
}

impl Object {
    fn label(self) -> &'static str {
        match self {
            Object::None => "-",
            Object::Public => "public team (Support)",
            Object::Private => "private team (Finance)",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The policy (SPEC S1 and the security issue), as statuses
// ---------------------------------------------------------------------------------------------

/// S1 visibility: internal users see the public (and company) teams, only invited ones the private
/// team; customers see no team (only tickets they follow in a public team).
fn sees(caller: Caller, object: Object) -> bool {
    match object {
        Object::None => true,
        Object::Public => caller.is_staff(),
        Object::Private => matches!(caller, InvitedAgent | LeadInside | Admin),
    }
}

/// Member or follower of the object's team ("invited" for the private team).
fn belongs(caller: Caller, object: Object) -> bool {
    match object {
        Object::None => false,
        Object::Public => matches!(caller, AgentOutside | LeadInside),
        Object::Private => matches!(caller, InvitedAgent | LeadInside),
    }
}

/// Whether the object of the request is hidden from the caller (then it must answer like a
/// missing one). The customer's own followed ticket is in the public team: not hidden from them.
fn hidden(caller: Caller, object: Object) -> bool {
    caller != Anonymous && object != Object::None && !sees(caller, object) && !(caller == Customer && object == Object::Public)
}

/// Policy 1 and 3: staff endpoints refuse anonymous callers (401) and customers (403).
fn staff_gate(caller: Caller) -> Option<u16> {
    match caller {
        Anonymous => Some(401),
        Customer | OtherCustomer => Some(403),
        _ => None,
    }
}

fn anyone(_: Caller, _: Object) -> u16 {
    200
}

fn nobody(_: Caller, _: Object) -> u16 {
    403
}

fn bad_credentials(_: Caller, _: Object) -> u16 {
    400
}

fn signed_in(caller: Caller, _: Object) -> u16 {
    if caller == Anonymous {
        401
    } else {
        200
    }
}

/// Setup lists, customer search, one's own time off: every internal user.
fn staff(caller: Caller, _: Object) -> u16 {
    staff_gate(caller).unwrap_or(200)
}

/// Seeing and working tickets of a team (board, ticket, create, update, move, pull, queue and
/// routing actions on a ticket): every internal user who sees the team; hidden is missing.
fn work(caller: Caller, object: Object) -> u16 {
    staff_gate(caller).unwrap_or(if sees(caller, object) { 200 } else { 404 })
}

/// A customer's reply or mute on their own ticket (in the public team); staff as for `work`.
fn converse(caller: Caller, object: Object) -> u16 {
    match caller {
        Customer if object == Object::Public => 200,
        Customer | OtherCustomer => 404,
        _ => work(caller, object),
    }
}

/// A change aimed at something that does not exist on a ticket the caller works: 404 like a
/// hidden ticket.
fn work_on_missing(caller: Caller, _: Object) -> u16 {
    staff_gate(caller).unwrap_or(404)
}

/// Removing agent2 from the followers: they follow Support's ticket; on Finance's the input is
/// refused (they do not follow it).
fn unfollow_agent2(caller: Caller, object: Object) -> u16 {
    staff_gate(caller).unwrap_or(match (sees(caller, object), object) {
        (false, _) => 404,
        (true, Object::Public) => 200,
        (true, _) => 400,
    })
}

/// Customers' typing is not shown, so it is accepted without a lookup; staff as for `work`.
fn typing_hint(caller: Caller, object: Object) -> u16 {
    if caller.is_customer() {
        200
    } else {
        work(caller, object)
    }
}

/// Boards: customers get no board at all, as if the team did not exist (policy 3).
fn board(caller: Caller, object: Object) -> u16 {
    if caller.is_customer() {
        404
    } else {
        work(caller, object)
    }
}

/// The portal view: a customer's own ticket in a public team; staff see what they may see.
fn portal(caller: Caller, object: Object) -> u16 {
    match caller {
        Anonymous => 401,
        Customer if object == Object::Public => 200,
        Customer | OtherCustomer => 404,
        _ if sees(caller, object) => 200,
        _ => 404,
    }
}

/// Agents shape nothing: refused by role before any object is looked up, so that the answer is
/// the same for a hidden, a visible and a missing object.
fn agent_gate(caller: Caller) -> Option<u16> {
    staff_gate(caller).or(matches!(caller, AgentOutside | InvitedAgent).then_some(403))
}

/// Stages, team settings and SLA policies: admins, and leads of the team (member or follower).
fn manage(caller: Caller, object: Object) -> u16 {
    agent_gate(caller).unwrap_or(if !sees(caller, object) {
        404
    } else if caller == Admin || (caller.is_lead() && belongs(caller, object)) {
        200
    } else {
        403
    })
}

/// Changing a team's visibility is an admin's decision, even for the team's lead (policy 7).
fn manage_visibility(caller: Caller, object: Object) -> u16 {
    match manage(caller, object) {
        200 if caller != Admin => 403,
        status => status,
    }
}

/// Queues, entitlements, rating others, new rules: admins and leads (agents 403); hidden is missing.
fn leads(caller: Caller, object: Object) -> u16 {
    agent_gate(caller).unwrap_or(if !sees(caller, object) {
        404
    } else if caller == Admin || caller.is_lead() {
        200
    } else {
        403
    })
}

/// Calendars, priority codes, defining qualifications: admins only.
fn admins(caller: Caller, _: Object) -> u16 {
    staff_gate(caller).unwrap_or(if caller == Admin { 200 } else { 403 })
}

/// An installation-wide rule (written by an admin): only admins change it; listed ones are
/// refused to others (403), hidden ones are missing (404).
fn installation_rule(caller: Caller, object: Object) -> u16 {
    agent_gate(caller).unwrap_or(if !sees(caller, object) {
        404
    } else if caller == Admin {
        200
    } else {
        403
    })
}

/// A rule written by lead@demo.test: its author and admins change it.
fn leads_rule(caller: Caller, object: Object) -> u16 {
    agent_gate(caller).unwrap_or(if !sees(caller, object) {
        404
    } else if matches!(caller, Admin | LeadInside) {
        200
    } else {
        403
    })
}

/// A new rule naming a team: a team the author cannot see is bad input, worded exactly like a
/// team that does not exist (400, as for any unknown id inside a rule).
fn new_rule(caller: Caller, object: Object) -> u16 {
    agent_gate(caller).unwrap_or(if sees(caller, object) { 200 } else { 400 })
}

/// Pulling from one team is for its members (a follower or an admin works tickets but is handed
/// none); the refusal reads the same for every team, hidden or missing.
fn pull_from_team(caller: Caller, object: Object) -> u16 {
    let member = match object {
        Object::None => false,
        Object::Public => matches!(caller, AgentOutside | LeadInside),
        Object::Private => caller == InvitedAgent,
    };
    staff_gate(caller).unwrap_or(if member { 200 } else { 403 })
}

/// Time logged by someone else (the admin): admins and leads correct it on tickets they see;
/// agents change only their own (403); hidden is missing.
fn others_time(caller: Caller, object: Object) -> u16 {
    staff_gate(caller).unwrap_or(if !sees(caller, object) {
        404
    } else if caller == Admin || caller.is_lead() {
        200
    } else {
        403
    })
}

/// Removing a file: its uploader (the lead in the team), other leads and admins who see the
/// ticket; agents are refused; customers do not see a file staff have not sent (missing).
fn remove_attachment(caller: Caller, object: Object) -> u16 {
    match caller {
        Anonymous => 401,
        Customer | OtherCustomer => 404,
        _ if !sees(caller, object) => 404,
        AgentOutside | InvitedAgent => 403,
        _ => 200,
    }
}

/// A draft article exists for staff only.
fn draft_reader(caller: Caller, _: Object) -> u16 {
    match caller {
        Anonymous => 401,
        Customer | OtherCustomer => 404,
        _ => 200,
    }
}

/// Nobody rates their own qualifications (policy 7; the rule reads "nobody", admins included).
fn own_rating(caller: Caller, _: Object) -> u16 {
    staff_gate(caller).unwrap_or(403)
}

// ---------------------------------------------------------------------------------------------
// The table: every server function, how to call it, what the policy expects
// ---------------------------------------------------------------------------------------------

/// What a request is built from: the caller, and the objects of the team it aims at (or their
/// missing twins, for the hidden-is-missing comparison).
struct Ctx<'a> {
    facts: &'a Facts,
    caller: Caller,
    object: Object,
    on: &'a TeamObjects,
}

type Args = fn(&Ctx) -> Value;
type Expect = fn(Caller, Object) -> u16;
type Check = fn(&Ctx, &Value) -> Result<(), String>;

struct Case {
    endpoint: &'static str,
    /// Tells several calls of one function apart ("" for the main one).
    variant: &'static str,
    /// Runs once per team (public, private) instead of once.
    per_team: bool,
    /// The request names one object of the team: a hidden one must answer like a missing one.
    names_object: bool,
    args: Args,
    expect: Expect,
    /// Extra checks of a 200 answer (what it lists, what it leaves out).
    check: Option<Check>,
}

impl Case {
    /// A function that names no team object.
    fn plain(endpoint: &'static str, args: Args, expect: Expect) -> Case {
        Case { endpoint, variant: "", per_team: false, names_object: false, args, expect, check: None }
    }

    /// A list, called once per team to check what it shows of each.
    fn listing(endpoint: &'static str, args: Args, expect: Expect, check: Check) -> Case {
        Case { endpoint, variant: "", per_team: true, names_object: false, args, expect, check: Some(check) }
    }

    /// A function aimed at one object of the team.
    fn aimed(endpoint: &'static str, args: Args, expect: Expect) -> Case {
        Case { endpoint, variant: "", per_team: true, names_object: true, args, expect, check: None }
    }

    fn variant(self, variant: &'static str) -> Case {
        Case { variant, ..self }
    }

    fn check(self, check: Check) -> Case {
        Case { check: Some(check), ..self }
    }

    fn label(&self) -> String {
        if self.variant.is_empty() {
            self.endpoint.to_string()
        } else {
            format!("{} ({})", self.endpoint, self.variant)
        }
    }
}

fn renamed(value: &Value, name: &str) -> Value {
    let mut value = value.clone();
    value["name"] = json!(name);
    value
}

fn cases() -> Vec<Case> {
    vec![
        // Signing in and out (policy 1).
        Case::plain("login", |c| json!({ "email": c.caller.email().unwrap_or("customer@demo.test"), "password": "not the password" }), bad_credentials)
            .variant("wrong password"),
        Case::plain("login", |c| json!({ "email": c.caller.email().unwrap_or("customer@demo.test"), "password": seed::DEMO_PASSWORD }), anyone)
            .variant("right password"),
        Case::plain("logout", |_| json!({}), anyone),
        Case::plain("logout_everywhere", |_| json!({}), signed_in),
        Case::plain("me", |_| json!({}), anyone).check(me_is_the_caller),
        Case::plain("setup_step", |_| json!({}), anyone).check(|_, body| if *body == json!("done") { Ok(()) } else { Err(format!("answers {body}")) }),
        Case::plain("create_first_admin", |_| json!({ "name": "Mallory", "email": "mallory@example.test", "password": "a long enough password" }), nobody),
        // Teams, boards, stages, settings.
        Case::listing("teams", |_| json!({}), signed_in, teams_list),
        Case::aimed("board", |c| json!({ "team_id": c.on.team_id, "limits": [] }), board),
        Case::aimed("get_team_settings", |c| json!({ "team_id": c.on.team_id }), manage),
        Case::aimed("save_team_settings", |c| json!({ "team_id": c.on.team_id, "version": c.on.settings.0, "settings": c.on.settings.1 }), manage),
        Case::aimed(
            "save_team_settings",
            |c| {
                let mut settings = c.on.settings.1.clone();
                settings["visibility"] = json!("company");
                json!({ "team_id": c.on.team_id, "version": c.on.settings.0, "settings": settings })
            },
            manage_visibility,
        )
        .variant("visibility"),
        Case::aimed("create_stage", |c| json!({ "team_id": c.on.team_id, "name": "Matrix added stage", "category": "in_progress" }), manage),
        Case::aimed("rename_stage", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1, "name": "Matrix renamed stage" }), manage),
        Case::aimed("fold_stage", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1, "folded": true }), manage),
        Case::aimed("reorder_stage", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1, "to_index": 0 }), manage),
        Case::aimed("delete_stage", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1 }), manage),
        Case::aimed("set_stage_category", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1, "category": "waiting" }), manage),
        Case::aimed("rename_team", |c| json!({ "team_id": c.on.team_id, "version": c.on.settings.0, "name": "Matrix renamed team" }), manage),
        Case::aimed("set_team_archived", |c| json!({ "team_id": c.on.team_id, "version": c.on.settings.0, "archived": true }), manage),
        Case::plain("create_team", |_| json!({ "team": { "name": "Matrix new team", "visibility": "company", "stages": { "template": "billing" } } }), admins),
        // The demo installation is set up already: admins are told so, everyone else refused.
        Case::plain(
            "complete_setup",
            |_| json!({ "setup": { "organisation": "Matrix", "time_zone": "UTC", "team": { "name": "Matrix setup team", "visibility": "company", "stages": { "template": "support" } } } }),
            |caller, _| staff_gate(caller).unwrap_or(if caller == Admin { 400 } else { 403 }),
        ),
        Case::plain("organisation", |_| json!({}), staff),
        Case::plain("audit_log", |_| json!({ "area": "team" }), admins),
        Case::plain("save_organisation", |_| json!({ "version": 1, "name": "Matrix Company", "time_zone": "Europe/Vienna" }), admins),
        Case::aimed("set_stage_pausing", |c| json!({ "stage_id": c.on.stage.0, "version": c.on.stage.1, "pauses": true }), manage),
        // Tickets.
        Case::aimed("ticket", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed("portal_ticket", |c| json!({ "reference": c.on.ticket }), portal).check(portal_shows_no_staff_data),
        Case::listing("my_tickets", |_| json!({}), signed_in, my_tickets_list),
        Case::aimed("create_ticket", |c| json!({ "input": TicketInput::quick(c.on.team_id, "Matrix ticket") }), work),
        Case::aimed("update_ticket", |c| json!({ "reference": c.on.ticket, "version": c.on.ticket_version, "input": edited(&c.on.ticket_input) }), work),
        Case::aimed("save_and_route", |c| json!({ "reference": c.on.ticket, "version": c.on.ticket_version, "input": edited(&c.on.ticket_input) }), work),
        Case::aimed(
            "move_ticket",
            |c| json!({ "reference": c.on.ticket, "version": c.on.ticket_version, "stage_id": c.on.other_stage, "before": null }),
            work,
        ),
        Case::aimed("resolution_prompt", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed("create_child_ticket", |c| json!({ "parent": c.on.ticket, "title": "Matrix child" }), work),
        // Leads: every internal user; converting needs the ticket (hidden is missing). Sales team 1
        // is the shipped "Direct sales".
        Case::plain("leads", |_| json!({}), staff),
        Case::plain("lead_choices", |_| json!({}), staff),
        Case::aimed(
            "convert_to_lead",
            |c| json!({ "reference": c.on.ticket, "version": c.on.ticket_version,
                        "lead": { "title": "Matrix lead", "customer": "none", "sales_team_id": 1, "salesperson_id": null } }),
            work,
        ),
        Case::listing("form_choices", |_| json!({}), staff, form_choices_list),
        Case::plain("search_customers", |_| json!({ "query": "Acme" }), staff),
        // Customers: staff list, read and edit them; merging is for leads and admins; the
        // customer card lists only tickets the caller may see.
        Case::plain("list_accounts", |_| json!({ "query": "", "offset": 0 }), staff),
        Case::plain("list_contacts", |_| json!({ "query": "", "offset": 0 }), staff),
        Case::plain("account_choices", |_| json!({}), staff),
        Case::plain("get_account", |c| json!({ "id": c.facts.customers.account.0 }), staff),
        Case::plain("get_contact", |c| json!({ "id": c.facts.customers.contact.0 }), staff),
        Case::plain("save_account", |_| json!({ "id": null, "version": null, "account": AccountInput { name: "Matrix account".into(), ..Default::default() } }), staff)
            .variant("new"),
        Case::plain("save_account", |c| json!({ "id": c.facts.customers.account.0, "version": c.facts.customers.account.1, "account": c.facts.customers.account.2 }), staff)
            .variant("existing"),
        Case::plain("save_contact", |_| json!({ "id": null, "version": null, "contact": ContactInput { name: "Matrix person".into(), ..Default::default() } }), staff)
            .variant("new"),
        Case::plain("save_contact", |c| json!({ "id": c.facts.customers.contact.0, "version": c.facts.customers.contact.1, "contact": c.facts.customers.contact.2 }), staff)
            .variant("existing"),
        Case::plain(
            "merge_contacts",
            |c| {
                let (keep, duplicate) = (&c.facts.customers.contact, &c.facts.customers.duplicate);
                json!({ "keep_id": keep.0, "keep_version": keep.1, "duplicate_id": duplicate.0, "duplicate_version": duplicate.1 })
            },
            leads,
        ),
        Case::aimed("customer_card", |c| json!({ "reference": c.on.ticket }), work),
        // The conversation: staff write replies and notes; the customer replies on their ticket.
        Case::aimed("post_message", |c| json!({ "reference": c.on.ticket, "message": { "kind": "reply", "body": "Matrix reply" } }), converse)
            .variant("reply"),
        Case::aimed("post_message", |c| json!({ "reference": c.on.ticket, "message": { "kind": "note", "body": "Matrix note" } }), work).variant("note"),
        Case::aimed("edit_message", |c| json!({ "reference": c.on.ticket, "message_id": 999_999, "version": 1, "body": "Matrix edit" }), work_on_missing),
        Case::aimed("delete_message", |c| json!({ "reference": c.on.ticket, "message_id": 999_999, "version": 1 }), work_on_missing),
        Case::aimed("ticket_followers", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed(
            "add_follower",
            |c| json!({ "reference": c.on.ticket, "follower": { "type": "user", "id": c.facts.users.get(&c.caller).copied().unwrap_or(c.facts.rated_user) } }),
            work,
        ),
        Case::aimed("remove_follower", |c| json!({ "reference": c.on.ticket, "follower": { "type": "user", "id": c.facts.rated_user } }), unfollow_agent2),
        Case::aimed("mute_ticket", |c| json!({ "reference": c.on.ticket, "muted": true }), converse),
        Case::aimed("typing", |c| json!({ "reference": c.on.ticket }), typing_hint),
        // Merging: the team's staff merge its tickets; a hidden ticket is missing.
        Case::aimed("merge_candidates", |c| json!({ "references": [c.on.ticket, c.on.second_ticket.0] }), work),
        Case::aimed(
            "merge_tickets",
            |c| json!({ "survivor": c.on.ticket, "references": [c.on.ticket, c.on.second_ticket.0], "versions": [c.on.ticket_version, c.on.second_ticket.1] }),
            work,
        ),
        Case::aimed("possible_duplicates", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed("pull_next", |c| json!({ "source": { "team": c.on.team_id } }), pull_from_team),
        // Attachments (uploads and downloads are plain HTTP routes: tests/attachments.rs).
        Case::aimed("ticket_attachments", |c| json!({ "reference": c.on.ticket }), portal),
        Case::aimed("delete_attachment", |c| json!({ "id": c.on.attachment }), remove_attachment),
        // Knowledge base: everyone signed in reads published articles; leads and admins write.
        Case::plain("search_articles", |_| json!({ "search": "", "category": "" }), signed_in),
        Case::plain("load_article", |c| json!({ "id": c.facts.published_article }), signed_in).variant("published"),
        Case::plain("load_article", |c| json!({ "id": c.facts.draft_article.0 }), draft_reader).variant("draft"),
        Case::plain("create_article", |_| json!({ "input": { "title": "Matrix article", "body": "Text", "category": "", "published": false } }), leads),
        Case::plain(
            "update_article",
            |c| json!({ "id": c.facts.draft_article.0, "version": c.facts.draft_article.1, "input": { "title": "Matrix edit", "body": "", "category": "", "published": true } }),
            leads,
        ),
        Case::aimed("linked_articles", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed("link_article", |c| json!({ "reference": c.on.ticket, "article_id": c.facts.published_article, "link": true }), work),
        // Queues.
        Case::plain("queues", |_| json!({}), staff),
        Case::plain("create_queue", |_| json!({ "name": "Matrix new queue", "description": "" }), leads),
        Case::plain(
            "save_queue_members",
            |c| json!({ "queue_id": c.facts.queue.0, "version": c.facts.queue.1, "members": c.facts.queue.2 }),
            leads,
        ),
        Case::listing("queue_tickets", |c| json!({ "queue_id": c.facts.queue.0 }), staff, queue_tickets_list),
        Case::aimed("change_queue", |c| json!({ "queue_id": c.facts.empty_queue, "references": [c.on.ticket], "add": true }), work),
        // Routing rules.
        Case::listing("routing_rules", |_| json!({}), staff, |c, body| rules_list(c, body, c.on.routing.0, c.on.leads_routing.0)),
        Case::aimed("save_routing_rule", |c| json!({ "id": c.on.routing.0, "version": c.on.routing.1, "rule": c.on.routing.2 }), installation_rule)
            .variant("admin's rule"),
        Case::aimed(
            "save_routing_rule",
            |c| json!({ "id": c.on.leads_routing.0, "version": c.on.leads_routing.1, "rule": c.on.leads_routing.2 }),
            leads_rule,
        )
        .variant("lead's rule"),
        Case::aimed("save_routing_rule", |c| json!({ "id": null, "version": null, "rule": renamed(&c.on.routing.2, "Matrix new rule") }), new_rule)
            .variant("new rule"),
        Case::aimed("delete_routing_rule", |c| json!({ "id": c.on.routing.0, "version": c.on.routing.1 }), installation_rule),
        Case::aimed("reorder_routing_rule", |c| json!({ "id": c.on.routing.0, "version": c.on.routing.1, "to_index": 0 }), installation_rule),
        Case::aimed("apply_routing_rules", |c| json!({ "references": [c.on.ticket] }), work),
        // Automation rules and notifications.
        Case::listing("automation_rules", |_| json!({}), staff, |c, body| rules_list(c, body, c.on.automation.0, c.on.leads_automation.0)),
        Case::aimed(
            "save_automation_rule",
            |c| json!({ "id": c.on.automation.0, "version": c.on.automation.1, "rule": c.on.automation.2 }),
            installation_rule,
        )
        .variant("admin's rule"),
        Case::aimed(
            "save_automation_rule",
            |c| json!({ "id": c.on.leads_automation.0, "version": c.on.leads_automation.1, "rule": c.on.leads_automation.2 }),
            leads_rule,
        )
        .variant("lead's rule"),
        Case::aimed("save_automation_rule", |c| json!({ "id": null, "version": null, "rule": renamed(&c.on.automation.2, "Matrix new rule") }), new_rule)
            .variant("new rule"),
        Case::aimed("delete_automation_rule", |c| json!({ "id": c.on.automation.0, "version": c.on.automation.1 }), installation_rule),
        Case::plain("notifications", |_| json!({}), signed_in),
        Case::plain("mark_notifications_read", |_| json!({}), signed_in),
        // Qualifications.
        Case::plain("qualifications", |_| json!({}), staff),
        Case::plain("create_qualification", |_| json!({ "name": "Matrix skill", "kind": "technical", "scale_max": 10 }), admins),
        Case::plain(
            "rate_qualification",
            |c| json!({ "user_id": c.facts.rated_user, "qualification_id": c.facts.networking, "rating": 6 }),
            leads,
        )
        .variant("someone else"),
        Case::plain(
            "rate_qualification",
            |c| json!({ "user_id": c.facts.users.get(&c.caller).copied().unwrap_or(c.facts.rated_user), "qualification_id": c.facts.networking, "rating": 6 }),
            own_rating,
        )
        .variant("own"),
        // SLA and entitlements.
        Case::listing("sla_setup", |_| json!({}), staff, sla_setup_list),
        Case::plain(
            "save_calendar",
            |_| {
                let day = "09:00-17:00";
                json!({ "id": null, "version": null, "calendar": {
                    "name": "Matrix calendar", "time_zone": "UTC", "hours": [day, day, day, day, day, "", ""], "holidays": "" } })
            },
            admins,
        ),
        Case::plain(
            "save_priority_code",
            |c| json!({ "priority": "low", "version": c.facts.low_priority_version, "code": { "code": "P4", "follow_up": "961", "warning": "1920", "late": "2880" } }),
            admins,
        ),
        Case::aimed("save_sla_policy", |c| json!({ "id": c.on.policy.0, "version": c.on.policy.1, "policy": c.on.policy.2 }), manage),
        Case::aimed("save_sla_policy", |c| json!({ "id": null, "version": null, "policy": renamed(&c.on.policy.2, "Matrix new policy") }), manage)
            .variant("new policy"),
        Case::aimed("delete_sla_policy", |c| json!({ "id": c.on.policy.0, "version": c.on.policy.1 }), manage),
        Case::plain("entitlements", |_| json!({}), staff),
        Case::aimed(
            "save_entitlement",
            |c| json!({ "id": c.on.entitlement.0, "version": c.on.entitlement.1, "entitlement": c.on.entitlement.2 }),
            leads,
        ),
        // Time off.
        Case::plain("my_time_off", |_| json!({}), staff),
        Case::plain(
            "add_time_off",
            |_| {
                let today = Utc::now().date_naive();
                json!({ "first_day": today + Duration::days(40), "last_day": today + Duration::days(41) })
            },
            staff,
        ),
        // Catalogs: admins only.
        Case::plain("catalog", |_| json!({ "catalog": "subjects" }), admins),
        Case::plain("save_catalog_value", |_| json!({ "catalog": "subjects", "id": null, "version": null, "value": { "name": "Matrix subject" } }), admins)
            .variant("new value"),
        Case::plain(
            "save_catalog_value",
            |c| json!({ "catalog": "products", "id": c.facts.spare_product.0, "version": c.facts.spare_product.1, "value": { "name": "Matrix renamed product" } }),
            admins,
        )
        .variant("rename"),
        Case::plain(
            "set_catalog_value_active",
            |c| json!({ "catalog": "products", "id": c.facts.spare_product.0, "version": c.facts.spare_product.1, "active": false }),
            admins,
        ),
        Case::plain("delete_catalog_value", |c| json!({ "catalog": "products", "id": c.facts.spare_product.0, "version": c.facts.spare_product.1 }), admins),
        Case::plain("remove_time_off", |c| json!({ "id": c.facts.time_off.get(&c.caller).copied().unwrap_or(c.facts.someone_elses_time_off) }), staff),
        Case::plain("user_time_off", |c| json!({ "user_id": c.facts.rated_user }), admins),
        Case::plain(
            "add_user_time_off",
            |c| {
                let today = Utc::now().date_naive();
                json!({ "user_id": c.facts.rated_user, "first_day": today + Duration::days(50), "last_day": today + Duration::days(51) })
            },
            admins,
        ),
        // Users: the admins' list and form, invitations, one's own profile.
        Case::plain("users", |_| json!({ "search": "", "role": null }), admins),
        Case::plain("invite_user", |_| json!({ "name": "Matrix Invitee", "email": "matrix-invitee@example.test", "role": "agent" }), admins),
        Case::plain("renew_invitation", |c| json!({ "user_id": c.facts.invited.0 }), admins),
        Case::plain("user_detail", |c| json!({ "user_id": c.facts.rated_user }), admins),
        Case::plain(
            "save_user",
            |c| json!({ "user_id": c.facts.rated_user, "version": c.facts.versions[&c.facts.rated_user], "input": { "name": "Matrix Renamed", "role": "lead", "team_ids": [] } }),
            admins,
        ),
        Case::plain("deactivate_user", |c| json!({ "user_id": c.facts.rated_user, "version": c.facts.versions[&c.facts.rated_user] }), admins),
        Case::plain("reactivate_user", |c| json!({ "user_id": c.facts.former, "version": c.facts.versions[&c.facts.former] }), admins),
        // The token is the proof: whoever holds the link accepts it, signed in or not.
        Case::plain("accept_invitation", |c| json!({ "token": c.facts.invited.1, "password": "a long enough password" }), anyone),
        Case::plain("my_profile", |_| json!({}), signed_in),
        Case::plain(
            "save_profile",
            |c| {
                let version = c.facts.users.get(&c.caller).map_or(1, |id| c.facts.versions[id]);
                json!({ "version": version, "input": { "name": "Matrix Name", "notifications": { "rules": true, "sla": false } } })
            },
            signed_in,
        ),
        // Work log: the timer, time by hand, timesheets; events on tickets.
        Case::plain("running_timer", |_| json!({}), staff),
        Case::aimed("start_timer", |c| json!({ "reference": c.on.ticket }), work),
        Case::plain("stop_timer", |_| json!({}), staff),
        Case::aimed("work_log", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed("log_time", |c| json!({ "reference": c.on.ticket, "entry": time_entry("30m") }), work),
        Case::aimed("update_time_entry", |c| json!({ "id": c.on.time_entry.0, "version": c.on.time_entry.1, "entry": time_entry("2h") }), others_time),
        Case::aimed("delete_time_entry", |c| json!({ "id": c.on.time_entry.0, "version": c.on.time_entry.1 }), others_time),
        Case::plain(
            "timesheet",
            |_| {
                let today = Utc::now().date_naive();
                json!({ "query": { "from": today - Duration::days(30), "to": today, "by": "customer" } })
            },
            staff,
        ),
        Case::aimed("ticket_events", |c| json!({ "reference": c.on.ticket }), work),
        Case::aimed(
            "log_ticket_event",
            |c| json!({ "reference": c.on.ticket, "event": { "event_type_id": c.facts.event_type, "note": "Matrix call", "happened_at": Utc::now(), "duration": "5m" } }),
            work,
        ),
        Case::plain("customer_open_tickets", |c| json!({ "customer": { "contact_id": null, "account_id": c.facts.customers.account.0 } }), staff),
        Case::aimed(
            "add_as_event",
            |c| json!({ "reference": c.on.ticket, "request": { "title": "Matrix request", "description": "Again", "origin": "phone" } }),
            work,
        ),
        Case::plain("change_password", |_| json!({ "current": seed::DEMO_PASSWORD, "new": "a brand new password" }), signed_in),
    ]
}

/// Time logged by hand today.
fn time_entry(duration: &str) -> Value {
    json!(TimeEntryInput { date: Utc::now().date_naive(), duration: duration.into(), billable: true, note: "Matrix work".into() })
}

/// The ticket's current fields with one change, so that saving does something.
fn edited(input: &Value) -> Value {
    let mut input = input.clone();
    input["title"] = json!(format!("{} (edited)", input["title"].as_str().unwrap_or_default()));
    input
}

// ---------------------------------------------------------------------------------------------
// What 200 answers must show and leave out
// ---------------------------------------------------------------------------------------------

fn lists(items: &Value, key: &str, wanted: &Value) -> bool {
    items.as_array().is_some_and(|items| items.iter().any(|item| item[key] == *wanted))
}

fn listed_as_visible(what: &str, listed: bool, visible: bool) -> Result<(), String> {
    match (listed, visible) {
        (true, false) => Err(format!("lists {what}, which the caller may not see")),
        (false, true) => Err(format!("omits {what}, which the caller may see")),
        _ => Ok(()),
    }
}

fn me_is_the_caller(c: &Ctx, body: &Value) -> Result<(), String> {
    let email = c.caller.email().map_or(Value::Null, |e| json!(e));
    let shown = if body.is_null() { Value::Null } else { body["email"].clone() };
    if shown == email {
        Ok(())
    } else {
        Err(format!("answers {body}"))
    }
}

fn teams_list(c: &Ctx, body: &Value) -> Result<(), String> {
    if c.caller.is_customer() {
        return if body.as_array().is_some_and(Vec::is_empty) { Ok(()) } else { Err(format!("a customer gets teams: {body}")) };
    }
    listed_as_visible(&format!("team {}", c.on.team_id), lists(body, "id", &json!(c.on.team_id)), sees(c.caller, c.object))
}

fn form_choices_list(c: &Ctx, body: &Value) -> Result<(), String> {
    listed_as_visible(&format!("team {}", c.on.team_id), lists(&body["teams"], "id", &json!(c.on.team_id)), sees(c.caller, c.object))
}

fn my_tickets_list(c: &Ctx, body: &Value) -> Result<(), String> {
    if !c.caller.is_customer() {
        return Ok(());
    }
    // Both customers' lists: the customer's own public ticket only in theirs; the private-team
    // ticket the customer follows (as an outside contact) in neither.
    let theirs = c.caller == Customer && c.object == Object::Public;
    listed_as_visible(&format!("ticket {}", c.on.ticket), lists(body, "reference", &json!(c.on.ticket)), theirs)
}

fn queue_tickets_list(c: &Ctx, body: &Value) -> Result<(), String> {
    listed_as_visible(&format!("ticket {}", c.on.ticket), lists(&body[1], "reference", &json!(c.on.ticket)), sees(c.caller, c.object))
}

fn rules_list(c: &Ctx, body: &Value, admins_rule: i64, leads_rule: i64) -> Result<(), String> {
    let visible = sees(c.caller, c.object);
    listed_as_visible(&format!("rule {admins_rule} (naming team {})", c.on.team_id), lists(&body["rules"], "id", &json!(admins_rule)), visible)?;
    listed_as_visible(&format!("rule {leads_rule} (naming team {})", c.on.team_id), lists(&body["rules"], "id", &json!(leads_rule)), visible)?;
    listed_as_visible(&format!("team {} among the choices", c.on.team_id), lists(&body["choices"]["teams"], "id", &json!(c.on.team_id)), visible)
}

fn sla_setup_list(c: &Ctx, body: &Value) -> Result<(), String> {
    let visible = sees(c.caller, c.object);
    listed_as_visible(&format!("SLA policy {}", c.on.policy.0), lists(&body["policies"], "id", &json!(c.on.policy.0)), visible)?;
    listed_as_visible(&format!("team {}", c.on.team_id), lists(&body["teams"], "id", &json!(c.on.team_id)), visible)
}

/// Policy 3: a customer's answer carries no staff data.
fn portal_shows_no_staff_data(c: &Ctx, body: &Value) -> Result<(), String> {
    if !c.caller.is_customer() {
        return Ok(());
    }
    const STAFF_KEYS: &[&str] =
        &["queues", "requirements", "sla", "sla_policy", "entitlement", "assignee", "escalation", "created_by", "unit", "tags", "stages", "do_not_decrement"];
    fn keys(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    if STAFF_KEYS.contains(&key.as_str()) {
                        found.push(key.clone());
                    }
                    keys(inner, found);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| keys(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    keys(body, &mut found);
    if !found.is_empty() {
        return Err(format!("staff fields in a customer's answer: {found:?}"));
    }
    let kinds: Vec<&Value> = body["timeline"].as_array().into_iter().flatten().map(|entry| &entry["kind"]).collect();
    match kinds.iter().find(|kind| **kind != "created" && **kind != "moved" && **kind != "reply") {
        Some(kind) => Err(format!("a timeline entry of kind {kind} in a customer's answer")),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The template database and what the requests aim at
// ---------------------------------------------------------------------------------------------

/// The objects of one team that requests aim at, with the ids and versions the template has.
#[derive(Clone, Debug)]
struct TeamObjects {
    team_id: i64,
    /// A ticket of the team (the public one is followed by customer@demo.test).
    ticket: String,
    ticket_version: i64,
    /// Another open ticket of the team, to merge with the first: (reference, version).
    second_ticket: (String, i64),
    /// The ticket's current fields as a `TicketInput`.
    ticket_input: Value,
    /// A stage of the team the ticket is not in.
    other_stage: i64,
    /// A stage made for the matrix: (id, version).
    stage: (i64, i64),
    /// (version, TeamSettingsInput)
    settings: (i64, Value),
    /// An SLA policy of the team: (id, version, SlaPolicyInput).
    policy: (i64, i64, Value),
    /// Rules naming the team, written by an admin (installation-wide) and by lead@demo.test.
    routing: (i64, i64, Value),
    leads_routing: (i64, i64, Value),
    automation: (i64, i64, Value),
    leads_automation: (i64, i64, Value),
    /// An entitlement tied to the team's SLA policy: (id, version, EntitlementInput).
    entitlement: (i64, i64, Value),
    /// Time the admin logged on the ticket: (id, version).
    time_entry: (i64, i64),
    /// A file lead@demo.test attached to the ticket (internal: not sent with a reply).
    attachment: i64,
}

impl TeamObjects {
    /// The same requests aimed at objects that do not exist.
    fn missing_twin(&self) -> TeamObjects {
        let mut twin = self.clone();
        twin.team_id = GHOST;
        twin.ticket = format!("HD-{GHOST}");
        twin.second_ticket.0 = format!("HD-{}", GHOST - 1);
        twin.ticket_input["team_id"] = json!(GHOST);
        twin.other_stage = GHOST;
        twin.stage.0 = GHOST;
        twin.policy.0 = GHOST;
        twin.policy.2["team_id"] = json!(GHOST);
        for rule in [&mut twin.routing, &mut twin.leads_routing] {
            rule.0 = GHOST;
            rule.2["actions"]["team_id"] = json!(GHOST);
        }
        for rule in [&mut twin.automation, &mut twin.leads_automation] {
            rule.0 = GHOST;
            rule.2["conditions"]["team_ids"] = json!([GHOST]);
        }
        twin.entitlement.0 = GHOST;
        twin.entitlement.2["policy_id"] = json!(GHOST);
        twin.time_entry.0 = GHOST;
        twin.attachment = GHOST;
        twin
    }
}

struct Facts {
    public: TeamObjects,
    private: TeamObjects,
    /// `Cookie` header values of the signed-in callers.
    cookies: BTreeMap<Caller, String>,
    users: BTreeMap<Caller, i64>,
    /// Each internal caller's own time-off entry; customers aim at agent1's.
    time_off: BTreeMap<Caller, i64>,
    someone_elses_time_off: i64,
    /// A queue holding both teams' tickets: (id, version, members).
    queue: (i64, i64, Vec<i64>),
    empty_queue: i64,
    networking: i64,
    /// Someone no caller is (agent2), to be rated (and renamed, deactivated, given time off).
    rated_user: i64,
    /// Every user's `version`, by id.
    versions: BTreeMap<i64, i64>,
    /// An invited user who has not accepted yet, and the secret of their link.
    invited: (i64, String),
    /// A deactivated user.
    former: i64,
    low_priority_version: i64,
    customers: CustomerObjects,
    /// A product no ticket uses: (id, version).
    spare_product: (i64, i64),
    /// The shipped event type "Notes".
    event_type: i64,
    /// Knowledge-base articles of the demo: a published one's id, a draft's (id, version).
    published_article: i64,
    draft_article: (i64, i64),
    /// What must never reach a caller who may not see the private team.
    secrets: Vec<String>,
    /// The template's rows: every cell starts from a byte-for-byte copy.
    rows: Snapshot,
}

/// Customer records the requests aim at: (id, version, input) of an account and a contact, and
/// (id, version) of the contact's duplicate.
struct CustomerObjects {
    account: (i64, i64, Value),
    contact: (i64, i64, Value),
    duplicate: (i64, i64),
}

impl Facts {
    fn on(&self, object: Object) -> &TeamObjects {
        match object {
            Object::Private => &self.private,
            Object::Public | Object::None => &self.public,
        }
    }
}

fn config(path: &Path, demo: bool) -> Config {
    Config { database_url: format!("sqlite://{}", path.display()), addr: "127.0.0.1:0".parse().unwrap(), demo }
}

/// The demo data (S9) plus what it lacks for the matrix: a lead in no team, a second customer,
/// a Support ticket per customer, a private-team ticket the customer follows as an outside
/// contact, and per team a stage, an SLA policy, rules of an admin and of a lead, an entitlement;
/// queues, time off and a session for every caller.
async fn build_template(path: &Path) -> Facts {
    let state = server::start(&config(path, true)).await.expect("the demo installation starts");
    let db = &state.db;
    let now = Utc::now();
    let today = now.date_naive();

    let hash = users::hash_password(seed::DEMO_PASSWORD).unwrap();
    {
        let mut conn = db.write.acquire().await.unwrap();
        users::insert_user(&mut conn, "Lou Lead", "lead2@demo.test", Role::Lead, &hash, now).await.unwrap();
        users::insert_user(&mut conn, "Otto Other", "customer2@demo.test", Role::Customer, &hash, now).await.unwrap();
    }
    let ids: BTreeMap<String, i64> = sql(db, "SELECT email, id FROM users").await.into_iter().map(|row| (text(&row[0]), int(&row[1]))).collect();
    let id = |email: &str| *ids.get(email).unwrap_or_else(|| panic!("no user {email}"));
    let users: BTreeMap<Caller, i64> = CALLERS.iter().filter_map(|c| Some((*c, id(c.email()?)))).collect();
    let admin = users::user_by_id(db, users[&Admin]).await.unwrap();
    let lead = users::user_by_id(db, users[&LeadInside]).await.unwrap();

    let all_teams = app::store::lookup::visible_teams(db, &admin).await.unwrap();
    let team = |name: &str, visibility: Visibility| {
        all_teams.iter().find(|t| t.name == name && t.visibility == visibility).unwrap_or_else(|| panic!("the demo has a {visibility:?} team {name}")).id
    };
    let (support, finance) = (team("Support", Visibility::Public), team("Finance", Visibility::Private));

    // Tickets: the customer's own Support ticket (the seed makes them follow some), one of the
    // other customer's, and a Finance ticket the customer follows as an outside contact.
    let followed = |email: &str| {
        format!(
            "SELECT k.number FROM tickets k JOIN ticket_followers f ON f.ticket_id = k.id JOIN users u ON u.id = f.user_id
              WHERE u.email = '{email}' AND k.team_id = {support} ORDER BY k.closed_at IS NOT NULL, k.number LIMIT 1"
        )
    };
    let open_ticket = |team_id: i64, except: i64| {
        format!("SELECT number FROM tickets WHERE team_id = {team_id} AND number <> {except} ORDER BY closed_at IS NOT NULL, number LIMIT 1")
    };
    let follow = |user_id: i64, number: i64| {
        format!("INSERT INTO ticket_followers (ticket_id, user_id) SELECT id, {user_id} FROM tickets WHERE number = {number} ON CONFLICT DO NOTHING")
    };
    let public_number = match first_int(sql(db, &followed("customer@demo.test")).await) {
        Some(number) => number,
        None => {
            let number = first_int(sql(db, &open_ticket(support, 0)).await).expect("a Support ticket");
            sql(db, &follow(users[&Customer], number)).await;
            number
        }
    };
    let others_number = first_int(sql(db, &open_ticket(support, public_number)).await).expect("a second Support ticket");
    sql(db, &follow(users[&OtherCustomer], others_number)).await;
    let private_number = first_int(sql(db, &open_ticket(finance, 0)).await).expect("a Finance ticket");
    sql(db, &follow(users[&Customer], private_number)).await;
    let (public_ticket, private_ticket) = (format!("HD-{public_number}"), format!("HD-{private_number}"));
    let second_private = first_int(sql(db, &open_ticket(finance, private_number)).await).expect("a second Finance ticket");
    let second_tickets = [format!("HD-{others_number}"), format!("HD-{second_private}")];

    // Stages made for the matrix (the pipelines' own stages stay as the demo has them).
    let public_stage = teams::create_stage(db, &admin, support, "Matrix stage", StageCategory::InProgress).await.unwrap();
    let private_stage = teams::create_stage(db, &admin, finance, "Secret stage", StageCategory::InProgress).await.unwrap();

    // SLA policies: Support's own "Standard"; Finance gets one.
    let secret_policy = SlaPolicyInput {
        team_id: finance,
        name: "Secret policy".into(),
        enabled: true,
        calendar_id: sla::ALWAYS_OPEN_CALENDAR,
        priorities: vec![],
        account_ids: vec![],
        requires_entitlement: false,
        first_response: "240".into(),
        resolution: "2400".into(),
        next_response: String::new(),
        warning_percent: 80,
    };
    sla_setup::save_policy(db, &admin, None, None, &secret_policy, now).await.unwrap();
    sla_work::run_pending_work(db, now).await.unwrap();
    let setup = sla_setup::setup(db, &admin).await.unwrap();
    let policy = |team_id: i64, name: &str| {
        let p = setup.policies.iter().find(|p| p.team.id == team_id && p.name == name).unwrap_or_else(|| panic!("an SLA policy {name}"));
        let input = SlaPolicyInput {
            team_id,
            name: p.name.clone(),
            enabled: p.enabled,
            calendar_id: p.calendar.id,
            priorities: p.priorities.clone(),
            account_ids: p.accounts.iter().map(|a| a.id).collect(),
            requires_entitlement: p.requires_entitlement,
            first_response: p.first_response_minutes.to_string(),
            resolution: p.resolution_minutes.to_string(),
            next_response: p.next_response_minutes.map(|m| m.to_string()).unwrap_or_default(),
            warning_percent: p.warning_percent,
        };
        (p.id, p.version, serde_json::to_value(input).unwrap())
    };
    let (public_policy, private_policy) = (policy(support, "Standard"), policy(finance, "Secret policy"));
    let low_priority_version = setup.priority_codes.iter().find(|c| c.priority.as_str() == "low").expect("a low priority code").version;
    let spare = CatalogValueInput { name: "Matrix spare product".into(), ..Default::default() };
    let spare = catalogs::save(db, &admin, Catalog::Products, None, None, &spare, now).await.unwrap();
    let spare_product = (spare.id, spare.version);

    // Rules naming each team (disabled: they must not change what the other requests do).
    let routing_rule = |name: &str, team_id: i64| RoutingRuleInput {
        name: name.into(),
        enabled: false,
        conditions: RoutingConditions { keywords: vec!["matrix-matches-nothing".into()], ..Default::default() },
        actions: RoutingActions { team_id: Some(team_id), ..Default::default() },
    };
    let automation_rule = |name: &str, team_id: i64| AutomationRuleInput {
        name: name.into(),
        enabled: false,
        trigger: Trigger::Created,
        conditions: AutomationConditions { team_ids: vec![team_id], ..Default::default() },
        actions: vec![AutomationAction::AddTag { tag: "matrix".into() }],
    };
    let mut rules = Vec::new();
    for (team_id, prefix) in [(support, "Matrix"), (finance, "Secret")] {
        let by_admin = routing::save(db, &admin, None, None, &routing_rule(&format!("{prefix} routing rule"), team_id)).await.unwrap();
        let by_lead = routing::save(db, &lead, None, None, &routing_rule(&format!("{prefix} lead's routing rule"), team_id)).await.unwrap();
        let auto_admin = automation::save(db, &admin, None, None, &automation_rule(&format!("{prefix} automation rule"), team_id)).await.unwrap();
        let auto_lead = automation::save(db, &lead, None, None, &automation_rule(&format!("{prefix} lead's automation rule"), team_id)).await.unwrap();
        assert_eq!((by_admin.owner_id, by_lead.owner_id), (None, Some(lead.id)), "rules of an admin are installation-wide, a lead's are theirs");
        rules.push((
            (by_admin.id, by_admin.version, serde_json::to_value(&by_admin.rule).unwrap()),
            (by_lead.id, by_lead.version, serde_json::to_value(&by_lead.rule).unwrap()),
            (auto_admin.id, auto_admin.version, serde_json::to_value(&auto_admin.rule).unwrap()),
            (auto_lead.id, auto_lead.version, serde_json::to_value(&auto_lead.rule).unwrap()),
        ));
    }

    // Entitlements tied to each team's SLA policy.
    let acme = first_int(sql(db, "SELECT id FROM accounts WHERE name = 'Acme GmbH'").await).expect("the demo account Acme GmbH");
    let mut entitlement_objects = Vec::new();
    for (name, policy_id) in [("Matrix entitlement A", public_policy.0), ("Matrix entitlement B", private_policy.0)] {
        let input = EntitlementInput {
            account_id: acme,
            contact_id: None,
            name: name.into(),
            kind: EntitlementKind::Cases,
            total_terms: 5,
            remaining_terms: 5,
            valid_from: today - Duration::days(1),
            valid_to: today + Duration::days(300),
            policy_id: Some(policy_id),
            decrement_on: DecrementOn::Resolution,
            active: true,
        };
        let saved = entitlements::save(db, &admin, None, None, &input).await.unwrap();
        entitlement_objects.push((saved.id, saved.version, serde_json::to_value(&input).unwrap()));
    }

    // Customers: the demo account Acme, a contact of it and that contact's duplicate.
    let account = customers::account(db, &admin, acme, now).await.unwrap();
    let contact = |name: &str, email: &str| ContactInput { name: name.into(), email: email.into(), account_id: Some(acme), ..Default::default() };
    let kept = customers::save_contact(db, &admin, None, None, &contact("Matrix contact", "matrix.contact@example.test"), now).await.unwrap();
    let duplicate = customers::save_contact(db, &admin, None, None, &contact("Matrix contact (duplicate)", ""), now).await.unwrap();
    let customer_objects = CustomerObjects {
        account: (account.id, account.version, serde_json::to_value(&account.details).unwrap()),
        contact: (kept.id, kept.version, serde_json::to_value(&kept.details).unwrap()),
        duplicate: (duplicate.id, duplicate.version),
    };

    // Queues: one holding both tickets, one empty to add to.
    let queue = queues::create(db, &admin, "Matrix queue", "Both teams' tickets.").await.unwrap();
    queues::save_members(db, &admin, queue.id, 1, &[users[&AgentOutside], users[&InvitedAgent]]).await.unwrap();
    queues::change_membership(db, &admin, queue.id, &[public_ticket.clone(), private_ticket.clone()], true, now).await.unwrap();
    let empty_queue = queues::create(db, &admin, "Matrix intake", "").await.unwrap().id;
    let overview = queues::overview(db, &admin).await.unwrap();
    let summary = overview.queues.iter().find(|q| q.id == queue.id).unwrap();
    let queue = (queue.id, summary.version, summary.members.iter().map(|m| m.id).collect::<Vec<_>>());

    // Time off of every internal caller, and a session for every caller.
    let mut own_time_off = BTreeMap::new();
    let mut cookies = BTreeMap::new();
    for caller in CALLERS.into_iter().filter(|c| *c != Anonymous) {
        let user = users::user_by_id(db, users[&caller]).await.unwrap();
        if caller.is_staff() {
            let away = time_off::add(db, &user, user.id, today + Duration::days(30), today + Duration::days(31), now).await.unwrap();
            own_time_off.insert(caller, away.id);
        }
        let token = users::create_session(db, user.id, now).await.unwrap();
        cookies.insert(caller, format!("{}={token}", app::api::defences::SESSION_COOKIE));
    }

    // Users: one invited (link not used yet), one deactivated.
    let invitation = users::invite(db, &admin, "Matrix Invited", "matrix-invited@example.test", Role::Agent, now).await.unwrap();
    let former = users::invite(db, &admin, "Matrix Former", "matrix-former@example.test", Role::Agent, now).await.unwrap().user_id;
    users::deactivate(db, &admin, former, 1, now).await.unwrap();
    let versions: BTreeMap<i64, i64> = sql(db, "SELECT id, version FROM users").await.into_iter().map(|row| (int(&row[0]), int(&row[1]))).collect();

    let matrix = qualifications::matrix(db, &admin).await.unwrap();
    let networking = matrix.qualifications.iter().find(|q| q.name == "Networking").expect("the demo qualification Networking").id;
    sla_work::run_pending_work(db, now).await.unwrap();

    // A file on each ticket, attached by the lead (staff only until sent with a reply).
    let mut attachment_objects = Vec::new();
    for reference in [&public_ticket, &private_ticket] {
        let staged = state.files.stage_bytes("matrix.txt", b"matrix attachment").await.unwrap();
        let attached = app::store::attachments::upload(db, &state.files, &lead, reference, vec![staged], now).await.unwrap();
        attachment_objects.push(attached[0].id);
    }
    let articles: Vec<(i64, bool, i64)> = sql(db, "SELECT id, published, version FROM kb_articles ORDER BY id").await.into_iter().map(|row| (int(&row[0]), int(&row[1]) == 1, int(&row[2]))).collect();
    let published_article = articles.iter().find(|a| a.1).expect("a published demo article").0;
    let draft_article = articles.iter().find(|a| !a.1).map(|a| (a.0, a.2)).expect("a draft demo article");

    // What the requests aim at, read back after every change above.
    let mut objects = Vec::new();
    for (index, (team_id, reference, stage)) in [(support, &public_ticket, &public_stage), (finance, &private_ticket, &private_stage)].into_iter().enumerate() {
        let detail = tickets::get(db, &admin, reference, now).await.unwrap();
        let input = TicketInput {
            title: detail.title.clone(),
            description: detail.description.clone(),
            team_id: detail.team.id,
            priority: detail.priority,
            origin: detail.origin,
            contact_id: detail.customer.contact_id,
            account_id: detail.customer.account_id,
            new_customer: None,
            subject_id: detail.subject_id,
            product_id: detail.product_id,
            reason_id: detail.reason_id,
            region_id: detail.region_id,
            service_type_id: detail.service_type_id,
            unit_id: detail.unit_id,
            assignee_id: detail.assignee.as_ref().map(|a| a.id),
            tags: detail.tags.clone(),
            requirements: detail.requirements.clone(),
            entitlement_id: detail.entitlement.as_ref().map(|e| e.id),
            do_not_decrement: detail.do_not_decrement,
            service_order: detail.service_order.clone(),
        };
        let other_stage = detail
            .stages
            .iter()
            .find(|s| s.id != detail.stage.id && s.id != stage.id && !matches!(s.category, StageCategory::Solved | StageCategory::Cancelled))
            .expect("another open stage")
            .id;
        let settings = teams::settings(db, &admin, team_id).await.unwrap();
        let current_stage = detail.stages.iter().find(|s| s.id == stage.id).expect("the matrix stage");
        let (routing, leads_routing, automation, leads_automation) = rules[index].clone();
        let worked = TimeEntryInput { date: today, duration: "1h".into(), billable: true, note: format!("{} work", if index == 0 { "Matrix" } else { "Secret" }) };
        let worked = work_log::log_time(db, &admin, reference, &worked, now).await.unwrap();
        let second = &second_tickets[index];
        let second_version = tickets::get(db, &admin, second, now).await.unwrap().version;
        objects.push(TeamObjects {
            team_id,
            ticket: reference.clone(),
            ticket_version: detail.version,
            second_ticket: (second.clone(), second_version),
            ticket_input: serde_json::to_value(&input).unwrap(),
            other_stage,
            stage: (current_stage.id, current_stage.version),
            settings: (settings.version, serde_json::to_value(&settings.settings).unwrap()),
            policy: if index == 0 { public_policy.clone() } else { private_policy.clone() },
            routing,
            leads_routing,
            automation,
            leads_automation,
            entitlement: entitlement_objects[index].clone(),
            time_entry: (worked.id, worked.version),
            attachment: attachment_objects[index],
        });
    }
    let private_title = tickets::get(db, &admin, &private_ticket, now).await.unwrap().title;
    let event_type = first_int(sql(db, "SELECT id FROM event_types WHERE code = 'notes'").await).expect("the shipped event type Notes");

    // The hash sees a one-row change and nothing else.
    let first = snapshot(db).await;
    sql(db, "INSERT INTO regions (name) VALUES ('Matrix probe')").await;
    let probed = snapshot(db).await;
    sql(db, "DELETE FROM regions WHERE name = 'Matrix probe'").await;
    assert!(probed.hash != first.hash && snapshot(db).await.hash == first.hash, "the database hash follows the rows");
    let rows = first;

    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)").await;
    db.read.close().await;
    db.write.close().await;
    let private = objects.pop().unwrap();
    let public = objects.pop().unwrap();
    Facts {
        public,
        private,
        cookies,
        someone_elses_time_off: own_time_off[&AgentOutside],
        time_off: own_time_off,
        users,
        queue,
        empty_queue,
        networking,
        rated_user: id("agent2@demo.test"),
        versions,
        invited: (invitation.user_id, invitation.token),
        former,
        low_priority_version,
        customers: customer_objects,
        spare_product,
        event_type,
        published_article,
        draft_article,
        secrets: vec!["Finance".into(), "Secret".into(), private_title],
        rows,
    }
}

// ---------------------------------------------------------------------------------------------
// SQL on the test's databases
// ---------------------------------------------------------------------------------------------

// The server crate gives its tests no sqlx of their own, so the few statements this test needs
// (fixture rows, the database hash) go to SQLite's C API, through the raw handle of one of the
// pool's connections: the SQLite that sqlx bundles and links into this binary.
extern "C" {
    fn sqlite3_exec(
        db: *mut c_void,
        sql: *const c_char,
        callback: Option<unsafe extern "C" fn(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int>,
        argument: *mut c_void,
        error: *mut *mut c_char,
    ) -> c_int;
    fn sqlite3_free(pointer: *mut c_void);
}

type Rows = Vec<Vec<Option<String>>>;

unsafe extern "C" fn collect_row(rows: *mut c_void, columns: c_int, values: *mut *mut c_char, _names: *mut *mut c_char) -> c_int {
    // SAFETY: `rows` is the `Rows` passed to `sqlite3_exec` below; SQLite hands `columns` values,
    // each NULL or a NUL-terminated string, valid during this call.
    let rows = unsafe { &mut *rows.cast::<Rows>() };
    let count = usize::try_from(columns).unwrap_or(0);
    let values = if count == 0 || values.is_null() { &[][..] } else { unsafe { std::slice::from_raw_parts(values, count) } };
    rows.push(values.iter().map(|v| (!v.is_null()).then(|| unsafe { CStr::from_ptr(*v) }.to_string_lossy().into_owned())).collect());
    0
}

/// Runs `text` (one or more statements) on an open connection and returns every row as text.
fn exec(raw: *mut c_void, text: &str) -> Rows {
    let statement = CString::new(text).expect("SQL without NUL bytes");
    let mut rows: Rows = Vec::new();
    let mut error: *mut c_char = std::ptr::null_mut();
    // SAFETY: `raw` is an open connection locked for this caller (`lock_handle`), the callback
    // matches SQLite's signature and gets `rows`, which outlives the call.
    let code = unsafe { sqlite3_exec(raw, statement.as_ptr(), Some(collect_row), (&mut rows as *mut Rows).cast(), &mut error) };
    if code != 0 {
        let message = if error.is_null() {
            format!("SQLite error {code}")
        } else {
            // SAFETY: SQLite allocated the message; it is freed once, here.
            let message = unsafe { CStr::from_ptr(error) }.to_string_lossy().into_owned();
            unsafe { sqlite3_free(error.cast()) };
            message
        };
        panic!("{text}: {message}");
    }
    rows
}

/// Runs SQL on the writer connection (which also sees everything committed).
async fn sql(db: &Db, text: &str) -> Rows {
    let mut conn = db.write.acquire().await.expect("a database connection");
    let mut handle = conn.lock_handle().await.expect("the connection's SQLite handle");
    exec(handle.as_raw_handle().as_ptr().cast(), text)
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn int(value: &Option<String>) -> i64 {
    value.as_deref().and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("not a number: {value:?}"))
}

fn first_int(rows: Rows) -> Option<i64> {
    rows.first().and_then(|row| row.first()).map(int)
}

/// Every table's rows in primary-key order, except sessions (signing in and out, last use) and
/// the migration log.
struct Snapshot {
    hash: u64,
    rows: Vec<String>,
}

async fn snapshot(db: &Db) -> Snapshot {
    let mut conn = db.write.acquire().await.expect("a database connection");
    let mut handle = conn.lock_handle().await.expect("the connection's SQLite handle");
    let raw = handle.as_raw_handle().as_ptr().cast::<c_void>();
    let tables = exec(
        raw,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
            AND name NOT IN ('sessions', '_sqlx_migrations') ORDER BY name",
    );
    let mut rows = Vec::new();
    for table in tables.iter().map(|row| text(&row[0])) {
        let columns = exec(raw, &format!("SELECT name, pk FROM pragma_table_info('{table}') ORDER BY cid"));
        let mut keys: Vec<(i64, String)> = columns.iter().filter(|c| int(&c[1]) > 0).map(|c| (int(&c[1]), format!("\"{}\"", text(&c[0])))).collect();
        keys.sort();
        let order = if keys.is_empty() { "rowid".to_string() } else { keys.into_iter().map(|(_, k)| k).collect::<Vec<_>>().join(", ") };
        let values = columns.iter().map(|c| format!("quote(\"{}\")", text(&c[0]))).collect::<Vec<_>>().join(" || '|' || ");
        for row in exec(raw, &format!("SELECT {values} FROM \"{table}\" ORDER BY {order}")) {
            rows.push(format!("{table}: {}", text(&row[0])));
        }
    }
    let mut hasher = DefaultHasher::new();
    rows.hash(&mut hasher);
    Snapshot { hash: hasher.finish(), rows }
}

/// A few of the rows that differ, for the report.
fn difference(before: &Snapshot, after: &Snapshot) -> String {
    let (old, new): (BTreeSet<&String>, BTreeSet<&String>) = (before.rows.iter().collect(), after.rows.iter().collect());
    let gone = old.difference(&new).take(2).map(|r| format!("-{}", shorten(r, 120)));
    let added = new.difference(&old).take(2).map(|r| format!("+{}", shorten(r, 120)));
    gone.chain(added).collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Running one cell
// ---------------------------------------------------------------------------------------------

struct Reply {
    status: u16,
    body: Value,
    text: String,
}

async fn call(router: &Router, cookie: Option<&str>, endpoint: &str, args: &Value) -> Reply {
    // As the app's own pages call: JSON, and marked same-origin by the browser.
    let reply = common::send(router, common::json_post(endpoint, cookie, args.clone())).await;
    Reply { status: reply.status.as_u16(), body: reply.body, text: reply.text }
}

fn is_refusal(status: u16) -> bool {
    (400..500).contains(&status)
}

/// Ids and references differ between a hidden object and its missing twin; nothing else may.
fn without_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn shorten(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() <= max {
        one_line
    } else {
        format!("{}…", one_line.chars().take(max).collect::<String>())
    }
}

struct Finding {
    endpoint: String,
    caller: Caller,
    object: Object,
    expected: String,
    got: String,
    detail: String,
}

/// Private-team names in an answer to a caller who may not see that team (names the request
/// itself carried are not counted).
fn leaks(facts: &Facts, caller: Caller, args: &Value, reply: &Reply) -> Vec<String> {
    if sees(caller, Object::Private) {
        return Vec::new();
    }
    let asked = args.to_string();
    facts.secrets.iter().filter(|s| reply.text.contains(s.as_str()) && !asked.contains(s.as_str())).cloned().collect()
}

async fn run_cell(template: Arc<PathBuf>, facts: Arc<Facts>, cases: Arc<Vec<Case>>, index: usize, caller: Caller, object: Object) -> Vec<Finding> {
    let case = &cases[index];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cell.db");
    std::fs::copy(&*template, &path).unwrap();
    let state = server::start(&config(&path, false)).await.expect("a copy of the template opens");
    let router = server::router(state.clone());
    let cookie = facts.cookies.get(&caller).map(String::as_str);
    let ctx = Ctx { facts: &facts, caller, object, on: facts.on(object) };
    let expected = (case.expect)(caller, object);
    let args = (case.args)(&ctx);

    let mut findings = Vec::new();
    let mut found = |expected: String, got: String, detail: String| {
        findings.push(Finding { endpoint: case.label(), caller, object, expected, got, detail });
    };
    let before = &facts.rows;
    let reply = call(&router, cookie, case.endpoint, &args).await;
    if reply.status != expected {
        found(expected.to_string(), reply.status.to_string(), shorten(&reply.text, 160));
    } else if reply.status == 200 {
        if let Some(Err(problem)) = case.check.map(|check| check(&ctx, &reply.body)) {
            found("200 as the policy shows it".into(), "200".into(), problem);
        }
    }
    let mut current = None;
    if is_refusal(reply.status) {
        let after = snapshot(&state.db).await;
        if after.hash != before.hash {
            found(format!("{} and the database unchanged", reply.status), "database changed".into(), difference(before, &after));
        }
        current = Some(after);
    }
    for secret in leaks(&facts, caller, &args, &reply) {
        found("no private-team names".into(), format!("{} naming {secret:?}", reply.status), shorten(&reply.text, 160));
    }

    if case.names_object && hidden(caller, object) {
        let twin = ctx.on.missing_twin();
        let missing_args = (case.args)(&Ctx { on: &twin, ..ctx });
        let before = match current {
            Some(taken) => taken,
            None => snapshot(&state.db).await,
        };
        let missing = call(&router, cookie, case.endpoint, &missing_args).await;
        if (reply.status, without_numbers(&reply.text)) != (missing.status, without_numbers(&missing.text)) {
            found(
                format!("as if missing: {} {}", missing.status, shorten(&missing.text, 80)),
                format!("{} {}", reply.status, shorten(&reply.text, 80)),
                "a hidden object answers unlike a missing one".into(),
            );
        }
        if is_refusal(missing.status) {
            let after = snapshot(&state.db).await;
            if after.hash != before.hash {
                found("database unchanged (missing object)".into(), "database changed".into(), difference(&before, &after));
            }
        }
        for secret in leaks(&facts, caller, &missing_args, &missing) {
            found("no private-team names (missing object)".into(), format!("{} naming {secret:?}", missing.status), shorten(&missing.text, 160));
        }
    }
    state.db.read.close().await;
    state.db.write.close().await;
    findings
}

/// Every registered server function by name (all are `POST /api/<name>`).
fn registered_endpoints() -> (BTreeSet<String>, Vec<String>) {
    let mut names = BTreeSet::new();
    let mut odd = Vec::new();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        match path.strip_prefix("/api/") {
            Some(name) if method.as_str() == "POST" => {
                names.insert(name.to_string());
            }
            _ => odd.push(format!("{method} {path}")),
        }
    }
    (names, odd)
}

fn table(findings: &[Finding]) -> String {
    let mut out = String::from("| endpoint | caller | object | expected | got | body / detail |\n|---|---|---|---|---|---|\n");
    for f in findings {
        let cell = |s: &str| s.replace('|', "\\|");
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&f.endpoint),
            f.caller.label(),
            f.object.label(),
            cell(&f.expected),
            cell(&f.got),
            cell(&f.detail)
        ));
    }
    out
}

#[test]
fn every_server_function_answers_every_caller_as_the_policy_says() {
    // Leptos reads its options from the environment (no cargo-leptos here) and complains on every
    // start without an output name; set it once, before any thread runs.
    if std::env::var_os("LEPTOS_OUTPUT_NAME").is_none() {
        std::env::set_var("LEPTOS_OUTPUT_NAME", "helpdesk");
    }
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(matrix());
}

async fn matrix() {
    let started = Instant::now();
    let cases = Arc::new(cases());
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.db");
    let facts = Arc::new(build_template(&template).await);
    let template = Arc::new(template);

    // The table covers exactly the server functions the program registers.
    let (registered, odd) = registered_endpoints();
    let tabled: BTreeSet<String> = cases.iter().map(|c| c.endpoint.to_string()).collect();
    let mut coverage = Vec::new();
    for name in registered.difference(&tabled) {
        coverage.push(format!("server function `{name}` is not in the authorization matrix: add it to cases() with who may call it"));
    }
    for name in tabled.difference(&registered) {
        coverage.push(format!("`{name}` is in the matrix but no such server function is registered"));
    }
    for path in odd {
        coverage.push(format!("`{path}` is not a POST under /api/"));
    }

    let cells: Vec<(usize, Caller, Object)> = cases
        .iter()
        .enumerate()
        .filter(|(_, case)| registered.contains(case.endpoint))
        .flat_map(|(index, case)| {
            let objects: &[Object] = if case.per_team { &[Object::Public, Object::Private] } else { &[Object::None] };
            CALLERS.iter().flat_map(move |caller| objects.iter().map(move |object| (index, *caller, *object)))
        })
        .collect();
    let cell_count = cells.len();
    let slots = Arc::new(tokio::sync::Semaphore::new(PARALLEL));
    let mut running = tokio::task::JoinSet::new();
    for (index, caller, object) in cells {
        let slot = slots.clone().acquire_owned().await.expect("the semaphore stays open");
        let cell = run_cell(template.clone(), facts.clone(), cases.clone(), index, caller, object);
        running.spawn(async move {
            let findings = cell.await;
            drop(slot);
            findings
        });
    }
    let mut findings = Vec::new();
    while let Some(joined) = running.join_next().await {
        findings.extend(joined.expect("a cell panicked"));
    }
    findings.sort_by(|a, b| (&a.endpoint, a.caller, a.object).cmp(&(&b.endpoint, b.caller, b.object)));

    let functions = tabled.intersection(&registered).count();
    let per_team = cases.iter().filter(|c| c.per_team).map(|c| c.endpoint).collect::<BTreeSet<_>>().len();
    println!(
        "authorization matrix: {functions} server functions ({} calls, {per_team} of them aimed at each team's objects) × {} callers: {cell_count} cells in {:.1?}",
        cases.len(),
        CALLERS.len(),
        started.elapsed()
    );
    if !coverage.is_empty() || !findings.is_empty() {
        panic!(
            "{}{}{} of {cell_count} cells disagree with the policy:\n{}",
            coverage.join("\n"),
            if coverage.is_empty() { "" } else { "\n\n" },
            findings.len(),
            table(&findings)
        );
    }
}
