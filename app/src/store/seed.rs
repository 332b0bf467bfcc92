//! Demo data (SPEC S9): three teams, their pipelines, customers and a board full of tickets,
//! created through the same store functions the app uses, so the timelines are real.

use chrono::{DateTime, Duration, Utc, Weekday};

use super::{conversation, leads, merge, teams, ticket_events, tickets, users, work_log, Db};
use crate::error::AppError;
use crate::model::*;

pub const DEMO_PASSWORD: &str = "demo1234";

const PEOPLE: &[(&str, &str, Role)] = &[
    ("admin@demo.test", "Alex Admin", Role::Admin),
    ("lead@demo.test", "Lena Lead", Role::Lead),
    ("agent1@demo.test", "Mia Wagner", Role::Agent),
    ("agent2@demo.test", "Jonas Becker", Role::Agent),
    ("agent3@demo.test", "Eszter Kovács", Role::Agent),
    ("agent4@demo.test", "Noah Fischer", Role::Agent),
    ("customer@demo.test", "Clara Customer", Role::Customer),
];

struct TeamSeed {
    name: &'static str,
    description: &'static str,
    visibility: Visibility,
    members: &'static [&'static str],
    followers: &'static [&'static str],
    stages: &'static [(&'static str, StageCategory)],
    titles: &'static [&'static str],
    tickets: usize,
}

const TEAMS: &[TeamSeed] = &[
    TeamSeed {
        name: "Support",
        description: "Questions about our products and your account. We answer within one business day.",
        visibility: Visibility::Public,
        members: &["lead@demo.test", "agent1@demo.test", "agent2@demo.test", "agent3@demo.test"],
        // The lead follows the teams they lead: they keep shaping them when they take
        // themselves out of the members who receive tickets.
        followers: &["lead@demo.test"],
        stages: &[
            ("New", StageCategory::New),
            ("In Progress", StageCategory::InProgress),
            ("Waiting on Customer", StageCategory::Waiting),
            ("Solved", StageCategory::Solved),
            ("Cancelled", StageCategory::Cancelled),
        ],
        titles: &[
            "Cannot log in after password reset",
            "VPN drops every few minutes",
            "Printer shows paper jam but tray is empty",
            "Email attachments over 10 MB bounce",
            "Laptop fan loud after update",
            "Request: add a second admin to our account",
            "Two-factor codes arrive late",
            "Office Suite crashes when opening templates",
            "Wrong time zone in calendar invites",
            "Router X200 firmware update fails",
        ],
        tickets: 30,
    },
    TeamSeed {
        name: "Field Service",
        description: "On-site installation and repair appointments.",
        visibility: Visibility::Company,
        members: &["lead@demo.test", "agent2@demo.test", "agent3@demo.test"],
        followers: &["lead@demo.test"],
        stages: &[
            ("New", StageCategory::New),
            ("Scheduled", StageCategory::InProgress),
            ("On Site", StageCategory::InProgress),
            ("Done", StageCategory::Solved),
        ],
        titles: &[
            "Install three new access points",
            "Replace broken router in branch office",
            "Cabling for new meeting room",
            "Server room air conditioning alarm",
            "Set up reception desk workstation",
        ],
        tickets: 20,
    },
    TeamSeed {
        name: "Finance",
        description: "Invoices, refunds and payment questions.",
        visibility: Visibility::Private,
        members: &["agent4@demo.test"],
        followers: &["lead@demo.test"],
        stages: &[
            ("New", StageCategory::New),
            ("In Review", StageCategory::InProgress),
            ("Waiting", StageCategory::Waiting),
            ("Closed", StageCategory::Solved),
        ],
        titles: &[
            "Invoice charged twice in October",
            "Refund for cancelled subscription",
            "VAT number missing on invoice",
            "Payment by bank transfer not matched",
        ],
        tickets: 16,
    },
];

const ACCOUNTS: &[(&str, &[(&str, &str)])] = &[
    ("Acme GmbH", &[("Clara Customer", "customer@demo.test"), ("Paul Richter", "paul.richter@acme.example")]),
    ("Globex Kft.", &[("Anna Nagy", "anna.nagy@globex.example"), ("Bence Tóth", "bence.toth@globex.example")]),
    ("Initech AG", &[("Sophie Wolf", "sophie.wolf@initech.example")]),
    ("Umbrella Ltd", &[("Oliver Smith", "oliver.smith@umbrella.example"), ("Emma Jones", "emma.jones@umbrella.example")]),
];

const SUBJECTS: &[(&str, &[&str])] = &[
    ("Hardware", &["Printer", "Laptop", "Network"]),
    ("Software", &["Email", "VPN", "Office Suite"]),
    ("Billing", &["Invoice", "Refund"]),
    ("Field work", &["Installation", "Repair"]),
];

const PRODUCTS: &[&str] = &["Router X200", "Laptop Pro 14", "Office Suite", "Payroll Cloud"];

const REASONS: &[(&str, &[&str])] = &[
    ("Malfunction", &["Hardware fault", "Software error"]),
    ("Request", &["Information", "Change"]),
    ("Complaint", &["Invoice dispute", "Service quality"]),
];
const REGIONS: &[&str] = &["Berlin", "Budapest", "Munich", "Vienna"];
const SERVICE_TYPES: &[&str] = &["Remote support", "On-site", "Depot repair"];
const UNIT_TYPES: &[&str] = &["Router", "Laptop", "Printer"];
/// (serial, item, unit type, account, warranty end in days from now (negative: ended), contract)
const UNITS: &[(&str, &str, &str, &str, i64, &str)] = &[
    ("RX2-1001", "Router X200", "Router", "Acme GmbH", 420, "Gold support"),
    ("LP14-2044", "Laptop Pro 14", "Laptop", "Globex Kft.", -60, ""),
    ("PR-77310", "Office printer P7", "Printer", "Initech AG", 150, "Basic maintenance"),
    ("RX2-1002", "Router X200", "Router", "Umbrella Ltd", -300, "Gold support"),
];

/// (name, kind, scale maximum)
const QUALIFICATIONS: &[(&str, &str, i64)] = &[("Networking", "technical", 10), ("German", "soft", 10), ("Billing", "technical", 10)];

/// (user, qualification, rating)
const RATINGS: &[(&str, &str, i64)] = &[
    ("agent1@demo.test", "Networking", 8),
    ("agent1@demo.test", "German", 5),
    ("agent2@demo.test", "Networking", 4),
    ("agent3@demo.test", "German", 9),
    ("agent3@demo.test", "Networking", 6),
    ("agent4@demo.test", "Billing", 9),
];

/// Every this-many-th waiting Support ticket needs Networking of at least `NETWORKING_MIN`.
const NEEDS_NETWORKING_EVERY: usize = 8;
const NETWORKING_MIN: i64 = 7;

/// Seeds the demo data into an empty database; does nothing when any user exists.
pub async fn demo(db: &Db, now: DateTime<Utc>) -> Result<bool, AppError> {
    if users::user_count(db).await? > 0 {
        return Ok(false);
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO organisation (id, name, time_zone, set_up_at) VALUES (1, 'Demo Company', 'Europe/Berlin', ?)").bind(now).execute(&mut *tx).await?;
    let hash = users::hash_password(DEMO_PASSWORD)?;
    let mut people = Vec::new();
    for (email, name, role) in PEOPLE {
        let id = users::insert_user(&mut tx, name, email, *role, &hash, now - Duration::days(90)).await?;
        people.push((*email, id));
    }
    let person = |email: &str| people.iter().find(|(e, _)| *e == email).map(|(_, id)| *id).unwrap_or_default();

    let mut contacts = Vec::new();
    let mut contact_accounts = Vec::new();
    for (account, members) in ACCOUNTS {
        let account_id = sqlx::query_scalar::<_, i64>("INSERT INTO accounts (name) VALUES (?) RETURNING id").bind(account).fetch_one(&mut *tx).await?;
        for (name, email) in *members {
            let contact_id = sqlx::query_scalar::<_, i64>("INSERT INTO contacts (account_id, name, email) VALUES (?, ?, ?) RETURNING id")
                .bind(account_id)
                .bind(name)
                .bind(email)
                .fetch_one(&mut *tx).await?;
            contacts.push((contact_id, *email));
            contact_accounts.push((contact_id, *account));
        }
    }
    if let Some((contact_id, _)) = contacts.iter().find(|(_, email)| *email == "customer@demo.test") {
        sqlx::query("UPDATE users SET contact_id = ? WHERE email = 'customer@demo.test'").bind(contact_id).execute(&mut *tx).await?;
    }

    let mut subjects = Vec::new();
    for (parent, children) in SUBJECTS {
        let parent_id = sqlx::query_scalar::<_, i64>("INSERT INTO subjects (name) VALUES (?) RETURNING id").bind(parent).fetch_one(&mut *tx).await?;
        for child in *children {
            let id = sqlx::query_scalar::<_, i64>("INSERT INTO subjects (parent_id, name) VALUES (?, ?) RETURNING id")
                .bind(parent_id)
                .bind(child)
                .fetch_one(&mut *tx).await?;
            subjects.push(id);
        }
    }
    let mut products = Vec::new();
    for product in PRODUCTS {
        products.push(sqlx::query_scalar::<_, i64>("INSERT INTO products (name) VALUES (?) RETURNING id").bind(product).fetch_one(&mut *tx).await?);
    }

    let mut reasons = Vec::new();
    for (general, specific) in REASONS {
        let parent_id = sqlx::query_scalar::<_, i64>("INSERT INTO reason_codes (name) VALUES (?) RETURNING id").bind(general).fetch_one(&mut *tx).await?;
        for name in *specific {
            reasons.push(sqlx::query_scalar::<_, i64>("INSERT INTO reason_codes (parent_id, name) VALUES (?, ?) RETURNING id").bind(parent_id).bind(name).fetch_one(&mut *tx).await?);
        }
    }
    let mut regions = Vec::new();
    for name in REGIONS {
        regions.push(sqlx::query_scalar::<_, i64>("INSERT INTO regions (name) VALUES (?) RETURNING id").bind(name).fetch_one(&mut *tx).await?);
    }
    let mut service_types = Vec::new();
    for name in SERVICE_TYPES {
        service_types.push(sqlx::query_scalar::<_, i64>("INSERT INTO service_types (name) VALUES (?) RETURNING id").bind(name).fetch_one(&mut *tx).await?);
    }
    for name in UNIT_TYPES {
        sqlx::query("INSERT INTO unit_types (name) VALUES (?)").bind(name).execute(&mut *tx).await?;
    }
    let mut units = Vec::new();
    for (serial, item, unit_type, account, warranty_days, contract) in UNITS {
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO units (serial, item, unit_type_id, account_id, warranty_until, contract)
             VALUES (?, ?, (SELECT id FROM unit_types WHERE name = ?), (SELECT id FROM accounts WHERE name = ?), ?, ?) RETURNING id",
        )
        .bind(serial)
        .bind(item)
        .bind(unit_type)
        .bind(account)
        .bind((now + Duration::days(*warranty_days)).date_naive())
        .bind(contract)
        .fetch_one(&mut *tx).await?;
        units.push((id, *account));
    }

    let mut team_ids = Vec::new();
    for team in TEAMS {
        let team_id = sqlx::query_scalar::<_, i64>("INSERT INTO teams (name, description, visibility) VALUES (?, ?, ?) RETURNING id")
            .bind(team.name)
            .bind(team.description)
            .bind(team.visibility.as_str())
            .fetch_one(&mut *tx).await?;
        for (table, emails) in [("team_members", team.members), ("team_followers", team.followers)] {
            for email in emails {
                sqlx::query(&format!("INSERT INTO {table} (team_id, user_id) VALUES (?, ?)"))
                    .bind(team_id)
                    .bind(person(email))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut stage_ids = Vec::new();
        for (name, category) in team.stages {
            let stage = teams::insert_stage(&mut tx, team_id, name, *category).await?;
            if *category == StageCategory::Cancelled {
                sqlx::query("UPDATE stages SET folded = 1 WHERE id = ?").bind(stage.id).execute(&mut *tx).await?;
            }
            stage_ids.push(stage.id);
        }
        team_ids.push((team_id, stage_ids));
    }
    tx.commit().await?;

    let mut qualification_ids = Vec::new();
    for (name, kind, scale_max) in QUALIFICATIONS {
        let id = sqlx::query_scalar::<_, i64>("INSERT INTO qualifications (name, kind, scale_max) VALUES (?, ?, ?) RETURNING id")
            .bind(name)
            .bind(kind)
            .bind(scale_max)
            .fetch_one(&db.write).await?;
        qualification_ids.push((*name, id));
    }
    let qualification = |name: &str| qualification_ids.iter().find(|(n, _)| *n == name).map(|(_, id)| *id).unwrap_or_default();
    for (email, name, rating) in RATINGS {
        sqlx::query("INSERT INTO user_qualifications (user_id, qualification_id, rating) VALUES (?, ?, ?)")
            .bind(person(email))
            .bind(qualification(name))
            .bind(rating)
            .execute(&db.write)
            .await?;
    }

    let admin = users::user_by_id(db, person("admin@demo.test")).await?;
    seed_sla(db, &team_ids.iter().map(|(id, _)| *id).collect::<Vec<_>>(), now).await?;
    let customer_id = person("customer@demo.test");
    let mut serial = 0usize;
    for (team, (team_id, stage_ids)) in TEAMS.iter().zip(&team_ids) {
        for index in 0..team.tickets {
            serial += 1;
            // Deterministic spread: every stage, priority, origin and member gets some tickets.
            let created = now - Duration::minutes((serial as i64) * 97 + 30);
            let assignee = match index % 4 {
                0 => None,
                n => team.members.get(n % team.members.len()).map(|email| person(email)),
            };
            let contact = contacts[serial % contacts.len()].0;
            let input = TicketInput {
                entitlement_id: None,
                do_not_decrement: false,
                // Field Service bills its visits against service orders.
                service_order: if team.name == "Field Service" { format!("SO-{}", 2400 + serial) } else { String::new() },
                title: team.titles[index % team.titles.len()].to_string(),
                description: format!("Reported by the customer on {}. Steps and details are in the first message.", created.format("%d %b")),
                team_id: *team_id,
                priority: Priority::ALL[serial % Priority::ALL.len()],
                origin: Origin::ALL[serial % 4],
                contact_id: Some(contact),
                account_id: None,
                new_customer: None,
                subject_id: Some(subjects[serial % subjects.len()]),
                product_id: (serial % 3 != 0).then(|| products[serial % products.len()]),
                reason_id: Some(reasons[serial % reasons.len()]),
                region_id: (serial % 2 == 0).then(|| regions[serial % regions.len()]),
                // Field Service works on site; the others mostly remotely.
                service_type_id: Some(if team.name == "Field Service" { service_types[1] } else { service_types[if serial % 4 == 0 { 2 } else { 0 }] }),
                unit_id: contact_accounts
                    .iter()
                    .find(|(id, _)| *id == contact)
                    .and_then(|(_, account)| units.iter().find(|(_, owner)| owner == account))
                    .filter(|_| serial % 3 == 0)
                    .map(|(id, _)| *id),
                assignee_id: assignee,
                tags: if serial % 5 == 0 { vec!["vip".into()] } else { vec![] },
                requirements: if *team_id == team_ids[0].0 && assignee.is_none() && index % NEEDS_NETWORKING_EVERY == 0 {
                    vec![Requirement { qualification_id: qualification("Networking"), min_rating: NETWORKING_MIN }]
                } else {
                    vec![]
                },
            };
            let card = tickets::create(db, &admin, &input, created).await?;
            let stage_index = index % stage_ids.len();
            if stage_index > 0 {
                // People resolve with a code and a note; the demo does the same.
                let resolution = match team.stages[stage_index].1 {
                    StageCategory::Solved => Some(demo_resolution(db, serial).await?),
                    _ => None,
                };
                let at = created + Duration::minutes(20);
                tickets::move_to_stage(db, &admin, &card.reference, card.version, stage_ids[stage_index], None, resolution.as_ref(), at).await?;
            }
            if *team_id == team_ids[0].0 && contacts.iter().any(|(id, email)| *id == contact && *email == "customer@demo.test") {
                let ticket_id: i64 = sqlx::query_scalar("SELECT id FROM tickets WHERE number = ?")
                    .bind(crate::domain::reference::parse(&card.reference))
                    .fetch_one(&db.read)
                    .await?;
                sqlx::query("INSERT INTO ticket_followers (ticket_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .bind(ticket_id)
                    .bind(customer_id)
                    .execute(&db.write)
                    .await?;
            }
        }
    }
    // Escalations of the seeded history are on the timelines; their notifications count as seen.
    super::sla::raise_due_alerts(db, now).await?;
    sqlx::query("UPDATE notifications SET read_at = ?").bind(now).execute(&db.write).await?;
    seed_vip_queue(db, &admin, &[person("agent1@demo.test"), person("agent3@demo.test")], now).await?;
    seed_duplicates(db, &admin, team_ids[0].0, contacts[1].0, now).await?;
    seed_routing_rules(db, &admin).await?;
    seed_work_log(db, team_ids[0].0, [person("agent1@demo.test"), person("agent2@demo.test")], now).await?;
    seed_children_and_lead(db, &admin, now).await?;
    // Field Service spreads its new tickets over its members automatically.
    sqlx::query("UPDATE teams SET assignment_method = 'equal_open' WHERE name = 'Field Service'").execute(&db.write).await?;
    seed_articles(db, &users::user_by_id(db, person("lead@demo.test")).await?, now).await?;
    let agents = [users::user_by_id(db, person("agent1@demo.test")).await?, users::user_by_id(db, person("agent2@demo.test")).await?];
    seed_conversations(db, team_ids[0].0, &agents, &users::user_by_id(db, customer_id).await?).await?;
    Ok(true)
}

/// Conversations on Support: an internal note on most tickets; a reply to the customer where the
/// ticket already waits on them or is closed (so the board keeps its spread), and the demo
/// customer's thanks on her solved tickets.
async fn seed_conversations(db: &Db, support: i64, agents: &[CurrentUser; 2], customer: &CurrentUser) -> Result<(), AppError> {
    let rows: Vec<(i64, DateTime<Utc>, String, bool)> = sqlx::query_as(
        "SELECT k.number, k.created_at, s.category, EXISTS (SELECT 1 FROM users u WHERE u.id = ? AND u.contact_id = k.contact_id)
           FROM tickets k JOIN stages s ON s.id = k.stage_id WHERE k.team_id = ? AND k.merged_into_id IS NULL AND k.archived_at IS NULL ORDER BY k.number",
    )
    .bind(customer.id)
    .bind(support)
    .fetch_all(&db.read)
    .await?;
    let message = |kind: MessageKind, body: &str| NewMessage { kind, body: body.into(), attachment_ids: Vec::new() };
    for (index, (number, created, category, hers)) in rows.into_iter().enumerate() {
        let reference = crate::domain::reference::format(number);
        let agent = &agents[index % 2];
        let category = StageCategory::parse(&category).unwrap_or(StageCategory::New);
        if index % 4 != 3 {
            let note = "Checked the customer's history: **no similar issue** in the last 90 days.\nAsked the network team whether there was maintenance that morning.";
            conversation::post(db, agent, &reference, &message(MessageKind::Note, note), created + Duration::minutes(25)).await?;
        }
        if matches!(category, StageCategory::Waiting | StageCategory::Solved | StageCategory::Cancelled) {
            let reply = "Hello,\n\nthank you for your message. Could you please send us a screenshot of the error and tell us when it last happened?\n\nKind regards\nSupport";
            conversation::post(db, agent, &reference, &message(MessageKind::Reply, reply), created + Duration::minutes(40)).await?;
        }
        if hers && category == StageCategory::Solved {
            conversation::post(db, customer, &reference, &message(MessageKind::Reply, "Thanks, it works again!"), created + Duration::minutes(70)).await?;
        }
    }
    Ok(())
}

/// How the demo's solved tickets were resolved: (general, specific, note), taken in turn.
const RESOLUTIONS: &[(&str, &str, &str)] = &[
    ("Solved", "Fixed", "Replaced the faulty setting and confirmed with the customer that it works again."),
    ("Solved", "Workaround", "A workaround is in place until the vendor ships a fix; the customer can work normally."),
    ("Solved", "Explained", "Walked the customer through the settings: it works as designed."),
    ("Not solved", "Duplicate", "Same problem as an earlier ticket of this customer; followed up there."),
];

async fn demo_resolution(db: &Db, serial: usize) -> Result<ResolutionInput, AppError> {
    let (general, specific, note) = RESOLUTIONS[serial % RESOLUTIONS.len()];
    let code_id = sqlx::query_scalar("SELECT c.id FROM resolution_codes c JOIN resolution_codes g ON g.id = c.parent_id WHERE g.name = ? AND c.name = ?")
        .bind(general)
        .bind(specific)
        .fetch_one(&db.read)
        .await?;
    Ok(ResolutionInput { code_id, note: note.into(), close_with_open_children: false })
}

/// A parent ticket with two children (one still open, one solved), and a lead converted from a
/// Support ticket that turned out to be a sales question.
async fn seed_children_and_lead(db: &Db, admin: &CurrentUser, now: DateTime<Utc>) -> Result<(), AppError> {
    let support: i64 = sqlx::query_scalar("SELECT id FROM teams WHERE name = 'Support'").fetch_one(&db.read).await?;
    let contact: i64 = sqlx::query_scalar("SELECT id FROM contacts WHERE account_id IS NOT NULL ORDER BY id LIMIT 1").fetch_one(&db.read).await?;
    let for_customer = |title: &str| TicketInput { contact_id: Some(contact), ..TicketInput::quick(support, title) };
    let parent = tickets::create(db, admin, &for_customer("Office move: set up 12 workstations"), now - Duration::hours(6)).await?;
    tickets::create_child(db, admin, &parent.reference, "Patch the network ports in the new office", now - Duration::hours(5)).await?;
    let done = tickets::create_child(db, admin, &parent.reference, "Move the printer and reinstall its drivers", now - Duration::hours(5)).await?;
    let solved: i64 = sqlx::query_scalar("SELECT id FROM stages WHERE team_id = ? AND category = ?")
        .bind(support)
        .bind(StageCategory::Solved.as_str())
        .fetch_one(&db.read)
        .await?;
    let resolution = demo_resolution(db, 0).await?;
    tickets::move_to_stage(db, admin, &done.reference, done.version, solved, None, Some(&resolution), now - Duration::hours(2)).await?;

    let question = tickets::create(db, admin, &for_customer("Quote for 40 more licences"), now - Duration::hours(3)).await?;
    let direct_sales: i64 = sqlx::query_scalar("SELECT id FROM sales_teams WHERE name = 'Direct sales'").fetch_one(&db.read).await?;
    let lead = LeadInput { title: "40 more licences".into(), customer: LeadCustomer::Ticket, sales_team_id: direct_sales, salesperson_id: Some(admin.id) };
    leads::convert(db, admin, &question.reference, question.version, &lead, now - Duration::hours(2)).await?;
    Ok(())
}

/// Knowledge-base articles: published answers to the common Support questions, and drafts.
const ARTICLES: &[(&str, &str, bool, &str)] = &[
    (
        "Reset your password",
        "Accounts",
        true,
        "If you cannot sign in after a password reset:\n\n1. Open the **reset link** from the newest e-mail only; older links stop working.\n2. Choose a password of at least 8 characters.\n3. Sign out on every other device.\n\nStill locked out? Reply to your ticket and we unlock the account.",
    ),
    (
        "Fix VPN disconnects",
        "Network",
        true,
        "VPN connections that drop every few minutes are usually caused by power saving on the network adapter.\n\n- Windows: *Device Manager → Network adapter → Power management*, untick **Allow the computer to turn off this device**.\n- macOS: update the client to version 5.2 or later.\n\nIf it keeps dropping, attach the client log (`vpn.log`) to your ticket.",
    ),
    (
        "Printer reports a paper jam with an empty tray",
        "Hardware",
        true,
        "Open the rear flap and remove torn scraps, then clean the paper sensor with a dry cloth.\n\n| Model | Sensor |\n|---|---|\n| P400 | behind tray 2 |\n| P500 | under the top cover |",
    ),
    (
        "Send attachments larger than 10 MB",
        "E-mail",
        true,
        "Our mail server accepts messages up to 10 MB. For larger files use the **Share link** button in the Office Suite, or upload them to your ticket in the portal (up to 20 MB each).",
    ),
    ("Two-factor codes arrive late", "Accounts", false, "Draft: check the phone's clock is set automatically; codes are time-based.\n\nTODO: screenshots for Android and iOS."),
    ("Router X200 firmware rollback", "Network", false, "Internal draft — do not publish before the vendor confirms the rollback procedure."),
];

async fn seed_articles(db: &Db, author: &CurrentUser, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut first = None;
    for (title, category, published, body) in ARTICLES {
        let input = ArticleInput { title: (*title).into(), body: (*body).into(), category: (*category).into(), published: *published };
        let article = super::kb::create(db, author, &input, now - Duration::days(30)).await?;
        first.get_or_insert(article.id);
    }
    // The password article answers the first Support ticket about signing in.
    let ticket: Option<String> = sqlx::query_scalar(
        "SELECT 'HD-' || k.number FROM tickets k JOIN teams t ON t.id = k.team_id WHERE t.name = 'Support' AND k.title LIKE 'Cannot log in%' ORDER BY k.number LIMIT 1",
    )
    .fetch_optional(&db.read)
    .await?;
    if let (Some(reference), Some(article_id)) = (ticket, first) {
        super::kb::set_link(db, author, &reference, article_id, true, now).await?;
    }
    Ok(())
}

/// Support: a ticket already merged into another, and two open look-alikes that the ticket
/// page offers as possible duplicates of each other.
async fn seed_duplicates(db: &Db, admin: &CurrentUser, support: i64, contact_id: i64, now: DateTime<Utc>) -> Result<(), AppError> {
    let ticket = |title: &str, description: &str| TicketInput {
        description: description.into(),
        contact_id: Some(contact_id),
        origin: Origin::Email,
        ..TicketInput::quick(support, title)
    };
    let merged_pair = [
        ticket("Cannot log in to the customer portal", "The portal says my password is wrong, although I reset it this morning."),
        ticket("Portal login fails after password reset", "I reset my password this morning and still cannot log in to the portal."),
    ];
    let mut references = Vec::new();
    let mut versions = Vec::new();
    for (age, input) in merged_pair.iter().enumerate() {
        let card = tickets::create(db, admin, input, now - Duration::hours(6 - age as i64)).await?;
        references.push(card.reference);
        versions.push(card.version);
    }
    merge::merge(db, admin, &references[0], &references, &versions, now - Duration::hours(4)).await?;
    for (age, (title, description)) in [
        ("VPN connection drops every hour", "Since Monday the VPN connection drops every hour and has to be restarted."),
        ("VPN drops every hour since Monday", "The VPN connection keeps dropping every hour; restarting the client helps for a while."),
    ]
    .into_iter()
    .enumerate()
    {
        tickets::create(db, admin, &ticket(title, description), now - Duration::hours(3 - age as i64)).await?;
    }
    Ok(())
}

/// A few files on the demo customer's Support tickets: her screenshot (which she sees in the
/// portal) and an agent's log (internal). Written through the attachment store, after `demo`.
pub async fn demo_attachments(db: &Db, files: &super::attachments::Files, now: DateTime<Utc>) -> Result<(), AppError> {
    let tickets: Vec<String> = sqlx::query_scalar(
        "SELECT 'HD-' || k.number FROM tickets k JOIN teams t ON t.id = k.team_id
           JOIN ticket_followers f ON f.ticket_id = k.id JOIN users u ON u.id = f.user_id
          WHERE t.name = 'Support' AND u.email = 'customer@demo.test' ORDER BY k.number LIMIT 2",
    )
    .fetch_all(&db.read)
    .await?;
    let customer_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'customer@demo.test'").fetch_one(&db.read).await?;
    let agent_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE email = 'agent1@demo.test'").fetch_one(&db.read).await?;
    let (customer, agent) = (users::user_by_id(db, customer_id).await?, users::user_by_id(db, agent_id).await?);
    for reference in &tickets {
        let screenshot = files.stage_bytes("screenshot.png", &demo_png()).await?;
        super::attachments::upload(db, files, &customer, reference, vec![screenshot], now - Duration::hours(3)).await?;
        let log = files.stage_bytes("diagnostics.log", b"2024-05-02 09:14:03 vpn: tunnel up\n2024-05-02 09:17:41 vpn: keepalive timeout, reconnecting\n").await?;
        super::attachments::upload(db, files, &agent, reference, vec![log], now - Duration::hours(2)).await?;
    }
    Ok(())
}

/// A small PNG (a blue frame on white), made here so the demo needs no binary files.
fn demo_png() -> Vec<u8> {
    let image = image::RgbImage::from_fn(320, 200, |x, y| {
        if x < 8 || y < 8 || x >= 312 || y >= 192 { image::Rgb([37, 99, 235]) } else { image::Rgb([255, 255, 255]) }
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    // Encoding an in-memory RGB image as PNG cannot fail.
    let _ = image::DynamicImage::ImageRgb8(image).write_to(&mut bytes, image::ImageFormat::Png);
    bytes.into_inner()
}

/// Calendars, SLA policies for Support and Field Service, and entitlements of two accounts
/// (one usable, one expired).
async fn seed_sla(db: &Db, team_ids: &[i64], now: DateTime<Utc>) -> Result<(), AppError> {
    let office = |zone: &str| {
        let days = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];
        let periods: Vec<WorkingPeriod> = days.iter().map(|d| WorkingPeriod { weekday: *d, start_minute: 8 * 60, end_minute: 18 * 60 }).collect();
        (zone.to_string(), super::to_json(&periods))
    };
    let mut calendar_ids = Vec::new();
    for (name, zone) in [("Office hours Berlin", "Europe/Berlin"), ("Office hours Budapest", "Europe/Budapest")] {
        let (zone, periods) = office(zone);
        let id = sqlx::query_scalar::<_, i64>("INSERT INTO calendars (name, time_zone, periods, holidays) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(name)
            .bind(zone)
            .bind(periods?)
            .bind(r#"["2026-12-24","2026-12-25","2026-12-26","2027-01-01"]"#)
            .fetch_one(&db.write).await?;
        calendar_ids.push(id);
    }
    let (support, field_service) = (team_ids[0], team_ids[1]);
    // (team, name, calendar, priorities, first response, resolution, next response, warning %)
    let policies: [(i64, &str, i64, &str, i64, i64, Option<i64>, i64); 3] = [
        (support, "Urgent and high", super::sla::ALWAYS_OPEN_CALENDAR, r#"["urgent","high"]"#, 120, 24 * 60, Some(240), 75),
        (support, "Standard", calendar_ids[0], "[]", 8 * 60, 40 * 60, None, 80),
        (field_service, "On-site", calendar_ids[1], "[]", 4 * 60, 30 * 60, None, 80),
    ];
    for (position, (team_id, name, calendar_id, priorities, first, resolution, next, warning)) in policies.into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO sla_policies (team_id, name, position, calendar_id, priorities, first_response_minutes, resolution_minutes, next_response_minutes, warning_percent)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(team_id)
        .bind(name)
        .bind(position as i64)
        .bind(calendar_id)
        .bind(priorities)
        .bind(first)
        .bind(resolution)
        .bind(next)
        .bind(warning)
        .execute(&db.write)
        .await?;
    }
    let today = now.date_naive();
    // (account, name, kind, total, remaining, from, to, policy, decrement on)
    let entitlements = [
        ("Acme GmbH", "Premium support", "cases", 10, 7, today - Duration::days(60), today + Duration::days(300), Some("Urgent and high"), "creation"),
        ("Globex Kft.", "Hours block 2025", "hours", 20, 4, today - Duration::days(500), today - Duration::days(30), None, "resolution"),
    ];
    for (account, name, kind, total, remaining, from, to, policy, decrement_on) in entitlements {
        sqlx::query(
            "INSERT INTO entitlements (account_id, name, kind, total_terms, remaining_terms, valid_from, valid_to, policy_id, decrement_on)
             VALUES ((SELECT id FROM accounts WHERE name = ?), ?, ?, ?, ?, ?, ?, (SELECT id FROM sla_policies WHERE name = ?), ?)",
        )
        .bind(account)
        .bind(name)
        .bind(kind)
        .bind(total)
        .bind(remaining)
        .bind(from)
        .bind(to)
        .bind(policy)
        .bind(decrement_on)
        .execute(&db.write)
        .await?;
    }
    Ok(())
}

/// A queue for a key account, holding that account's waiting tickets.
/// Time logged on the first Support tickets by agent1 and agent2 over the last days (most of
/// it billable), and a few calls and mails logged as events. No timer is left running.
async fn seed_work_log(db: &Db, support: i64, agents: [i64; 2], now: DateTime<Utc>) -> Result<(), AppError> {
    const WORK: &[(&str, bool, &str)] = &[
        ("1h 30m", true, "Remote session: reproduced the problem and collected logs"),
        ("45m", true, "Applied the fix and verified with the customer"),
        ("20m", false, "Internal handover to a colleague"),
        ("2h", true, "On-site check of the device"),
        ("15m", false, "Read up on the known issue"),
    ];
    const EVENTS: &[(&str, &str, i64)] = &[
        ("CallIn", "Customer called to ask for an update.", 10),
        ("EmailOut", "Sent the workaround steps by mail.", 0),
        ("CallOut", "Called back; the customer confirms the workaround helps.", 15),
        ("Scheduling", "Visit planned for next Tuesday morning.", 0),
    ];
    let agents = [users::user_by_id(db, agents[0]).await?, users::user_by_id(db, agents[1]).await?];
    let numbers: Vec<i64> = sqlx::query_scalar("SELECT number FROM tickets WHERE team_id = ? ORDER BY number LIMIT 8").bind(support).fetch_all(&db.read).await?;
    for (index, number) in numbers.iter().enumerate() {
        let reference = crate::domain::reference::format(*number);
        for step in 0..(1 + index % 3) {
            let (duration, billable, note) = WORK[(index + step) % WORK.len()];
            let entry = TimeEntryInput { date: (now - Duration::days(((index + step) % 6) as i64)).date_naive(), duration: duration.into(), billable, note: note.into() };
            work_log::log_time(db, &agents[(index + step) % 2], &reference, &entry, now).await?;
        }
        if index % 2 == 0 {
            let (kind, note, minutes) = EVENTS[(index / 2) % EVENTS.len()];
            let type_id: i64 = sqlx::query_scalar("SELECT id FROM event_types WHERE name = ?").bind(kind).fetch_one(&db.read).await?;
            let event = TicketEventInput { event_type_id: type_id, note: note.into(), happened_at: now - Duration::hours(index as i64 + 2), duration: if minutes > 0 { format!("{minutes}m") } else { String::new() } };
            ticket_events::log_event(db, &agents[index % 2], &reference, &event, now).await?;
        }
    }
    Ok(())
}

async fn seed_vip_queue(db: &Db, admin: &CurrentUser, members: &[i64], now: DateTime<Utc>) -> Result<(), AppError> {
    let queue = super::queues::create(db, admin, "VIP customers", "Tickets of key accounts: pick these up first.").await?;
    super::queues::save_members(db, admin, queue.id, 1, members).await?;
    let waiting: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT 'HD-' || k.number FROM tickets k JOIN accounts a ON a.id = (SELECT c.account_id FROM contacts c WHERE c.id = k.contact_id)
          WHERE a.name = 'Acme GmbH' AND k.status IN ({})",
        super::open_statuses()
    ))
    .fetch_all(&db.read)
    .await?;
    super::queues::change_membership(db, admin, queue.id, &waiting, true, now).await?;
    Ok(())
}

/// Rules are added after the demo tickets, so that the boards keep the spread seeded above.
async fn seed_routing_rules(db: &Db, admin: &CurrentUser) -> Result<(), AppError> {
    let id_of = |table: &'static str, name: &'static str| async move {
        sqlx::query_scalar::<_, i64>(&format!("SELECT id FROM {table} WHERE name = ?")).bind(name).fetch_one(&db.read).await
    };
    let rules = [
        RoutingRuleInput {
            name: "On-site work goes to Field Service".into(),
            enabled: true,
            conditions: RoutingConditions { subject_ids: vec![id_of("subjects", "Field work").await?], ..Default::default() },
            actions: RoutingActions { team_id: Some(id_of("teams", "Field Service").await?), ..Default::default() },
        },
        RoutingRuleInput {
            name: "Outages are urgent".into(),
            enabled: true,
            conditions: RoutingConditions { keywords: vec!["outage".into(), "down for everyone".into()], ..Default::default() },
            actions: RoutingActions { priority: Some(Priority::Urgent), ..Default::default() },
        },
        RoutingRuleInput {
            name: "On-site service goes to Field Service".into(),
            enabled: true,
            conditions: RoutingConditions { service_type_ids: vec![id_of("service_types", "On-site").await?], ..Default::default() },
            actions: RoutingActions { team_id: Some(id_of("teams", "Field Service").await?), ..Default::default() },
        },
        RoutingRuleInput {
            name: "Acme GmbH is a key account".into(),
            enabled: true,
            conditions: RoutingConditions { account_ids: vec![id_of("accounts", "Acme GmbH").await?], ..Default::default() },
            actions: RoutingActions { queue_id: Some(id_of("queues", "VIP customers").await?), ..Default::default() },
        },
        RoutingRuleInput {
            name: "Billing questions to Finance".into(),
            enabled: false,
            conditions: RoutingConditions { subject_ids: vec![id_of("subjects", "Billing").await?], ..Default::default() },
            actions: RoutingActions { team_id: Some(id_of("teams", "Finance").await?), ..Default::default() },
        },
    ];
    for rule in rules {
        super::routing::save(db, admin, None, None, &rule).await?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "seed_tests.rs"]
mod tests;
