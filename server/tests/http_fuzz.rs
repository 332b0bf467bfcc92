//! An HTTP fuzz pass over every server function, through the real router on the seeded demo
//! database, signed in as the admin (who reaches the deepest code paths).
//!
//! The endpoints are enumerated at run time (every registered server function), and each gets
//! many bodies: not JSON at all, JSON of the wrong shape, and a realistic body built from the demo
//! data (a template per endpoint, with live versions) with one field at a time replaced by a
//! wrong type, an extreme number, a huge string or list, an invalid date or reference, control
//! and other unusual characters. Every answer must be one of 200, 400, 401, 403, 404, 409, 413
//! or 429 (200 only where the body is valid), and the server must always answer. How long the
//! refusals take is measured and printed (the slowest ones, against the 100 ms budget), not
//! asserted: the machine is shared, and timings belong in figures, not in pass/fail.
//! Panics anywhere in the process count too, even those a background task swallows, and after
//! each successful change that feeds them, one round of the background jobs' work (SLA clocks and
//! alerts, quiet-ticket automation, automatic assignment) must run over the result without error.
//! GET /api/events and /api/notices (live streams, not server functions) are not part of it.
//!
//! Each endpoint gets the same generic bodies, plus `MUTATIONS_PER_ENDPOINT` field mutations
//! drawn with a fixed seed from all that apply, so that a debug build runs it in well under a
//! minute. Everything found is collected and printed as one table before the test fails; run with
//! `-- --nocapture` to see the summary of a passing run.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::http::{header, Method, Request};
use axum::Router;
use serde_json::{json, Value};
use server::config::Config;
use tower::ServiceExt;

const BODY_LIMIT: usize = server::security::BODY_LIMIT;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const REFUSAL_BUDGET: Duration = Duration::from_millis(100);
/// Tries of a refusal that took longer than the budget: the first and two retries.
const TRIES: usize = 3;
const RETRY_PAUSE: Duration = Duration::from_millis(100);
const SEED: u64 = 0x00f0_22ed_5eed_2026;
/// Field mutations per endpoint, drawn (with the fixed seed) from all that apply.
const MUTATIONS_PER_ENDPOINT: usize = 150;
const HUGE_STRING: usize = 100 * 1024;
const HUGE_LIST: usize = 60_000;
/// Room left for the rest of a body when a list is sized to stay under the limit.
const UNDER_LIMIT: usize = BODY_LIMIT - 12 * 1024;
const ALLOWED: &[u16] = &[200, 400, 401, 403, 404, 409, 413, 429];

const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];
const ORIGINS: &[&str] = &["phone", "email", "web_form", "portal", "fax", "chat", "import", "api"];
const STAGE_CATEGORIES: &[&str] = &["new", "in_progress", "waiting", "solved", "cancelled"];
const VISIBILITIES: &[&str] = &["private", "company", "public"];
const ASSIGNMENT_METHODS: &[&str] = &["equal_total", "equal_open", "round_robin"];
const QUALIFICATION_KINDS: &[&str] = &["technical", "soft"];
const ENTITLEMENT_KINDS: &[&str] = &["cases", "hours"];
const DECREMENT_ON: &[&str] = &["creation", "resolution"];
const SLA_FILTERS: &[&str] = &["all", "at_risk", "breached"];
const CATALOGS: &[&str] = &["subjects", "products", "reason_codes", "units", "unit_types", "regions", "service_types", "event_types", "resolution_codes"];
const TIMESHEET_BY: &[&str] = &["agent", "customer"];
const TRIGGERS: &[&str] = &["created", "updated", "stage_changed", "customer_replied", "agent_replied"];
const ROLES: &[&str] = &["admin", "lead", "agent", "customer"];
const MESSAGE_KINDS: &[&str] = &["reply", "note"];
const FOLLOWER_KINDS: &[&str] = &["user", "contact"];
/// The name of the throwaway objects the delete endpoints aim at (re-created when deleted).
const DELETE_TARGET: &str = "Fuzz delete target";

// ---------------------------------------------------------------------------------------------
// Panics anywhere in the process (handlers, background tasks).

static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn count_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.lock().unwrap_or_else(|p| p.into_inner()).push(truncate(&info.to_string(), 300));
        default(info);
    }));
}

fn new_panics() -> Vec<String> {
    std::mem::take(&mut *PANICS.lock().unwrap_or_else(|p| p.into_inner()))
}

// ---------------------------------------------------------------------------------------------
// Body descriptions: a type per argument, and what to send.

/// The JSON type of an argument, with what the validators are known to demand.
#[derive(Clone, Debug)]
enum Ty {
    /// An `i64`; values outside `min..=max` are refused.
    Int { min: i64, max: i64 },
    Str(S),
    Bool,
    /// A `chrono::NaiveDate`.
    Date,
    /// A unit enum, as snake_case strings.
    Enum(&'static [&'static str]),
    /// `Option<T>`: `null` or missing is fine.
    Opt(Box<Ty>),
    /// `#[serde(default)]`: may be left out.
    Def(Box<Ty>),
    /// A list; longer than `max` is refused.
    List { elem: Box<Ty>, max: Option<usize> },
    Obj(Vec<(&'static str, Ty)>),
    /// Values too irregular for the above (tagged enums): some valid, some not.
    Custom { valid: Vec<Value>, invalid: Vec<Value> },
}

/// What a string argument holds.
#[derive(Clone, Copy, Debug)]
enum S {
    Plain,
    /// Required (not blank after trimming), at most this many characters.
    Required(usize),
    /// At most this many characters.
    Limited(usize),
    /// The reference of one ticket (the store checks its format).
    Reference,
    /// A reference inside a list of them.
    ListedReference,
    Email,
    /// Like "30m", "4h", "1h 30m".
    Duration,
    /// A weekday's hours, like "09:00-12:00, 13:00-17:00".
    Hours,
    TimeZone,
    /// Dates as YYYY-MM-DD, separated by lines or commas.
    Holidays,
}

fn int() -> Ty {
    Ty::Int { min: i64::MIN, max: i64::MAX }
}
fn text(kind: S) -> Ty {
    Ty::Str(kind)
}
fn opt(ty: Ty) -> Ty {
    Ty::Opt(Box::new(ty))
}
fn def(ty: Ty) -> Ty {
    Ty::Def(Box::new(ty))
}
fn list(elem: Ty) -> Ty {
    Ty::List { elem: Box::new(elem), max: None }
}
fn list_max(elem: Ty, max: usize) -> Ty {
    Ty::List { elem: Box::new(elem), max: Some(max) }
}
fn obj(fields: Vec<(&'static str, Ty)>) -> Ty {
    Ty::Obj(fields)
}

impl Ty {
    /// May the field be left out of its object?
    fn omittable(&self) -> bool {
        matches!(self, Ty::Opt(_) | Ty::Def(_))
    }

    fn has_required_fields(&self) -> bool {
        matches!(self, Ty::Obj(fields) if fields.iter().any(|(_, ty)| !ty.omittable()))
    }
}

#[derive(Clone, Debug)]
enum Seg {
    Key(&'static str),
    Index(usize),
}

type Path = Vec<Seg>;

#[derive(Clone, Debug)]
enum Op {
    Set(Value),
    /// A large value, made only if the case is sent.
    Big(Big),
    /// Bytes spliced in verbatim (not JSON, or JSON that `Value` cannot hold).
    Raw(Vec<u8>),
    Remove,
    AddKey(String, Value),
}

/// Large values, described rather than held: most mutations are drawn out and never sent.
#[derive(Clone, Debug)]
enum Big {
    /// An array of this many copies.
    Copies(Value, usize),
    /// `[0, 1, 2, …]`.
    Ints(usize),
    /// `["t0", "t1", …]`.
    Tags(usize),
    /// A string: this text repeated.
    Text(&'static str, usize),
    /// Raw bytes: `prefix`, `unit` repeated, `suffix`.
    Raw { prefix: &'static str, unit: &'static str, count: usize, suffix: &'static str },
    /// Raw bytes: `open` repeated, then `close` repeated.
    Nested { open: &'static str, close: &'static str, depth: usize },
}

impl Big {
    /// The JSON text (or not-quite-JSON bytes), written directly: quicker than a `Value`.
    fn bytes(&self) -> Vec<u8> {
        let array = |items: &mut dyn Iterator<Item = String>| {
            let mut out = String::from("[");
            for (i, item) in items.enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&item);
            }
            out.push(']');
            out.into_bytes()
        };
        match self {
            Big::Copies(item, n) => {
                let item = item.to_string();
                array(&mut std::iter::repeat_n(item, *n))
            }
            Big::Ints(n) => array(&mut (0..*n).map(|i| i.to_string())),
            Big::Tags(n) => array(&mut (0..*n).map(|i| format!("\"t{i}\""))),
            // The units are plain text that JSON needs no escapes for.
            Big::Text(unit, n) => format!("\"{}\"", unit.repeat(*n)).into_bytes(),
            Big::Raw { prefix, unit, count, suffix } => format!("{prefix}{}{suffix}", unit.repeat(*count)).into_bytes(),
            Big::Nested { open, close, depth } => format!("{}{}", open.repeat(*depth), close.repeat(*depth)).into_bytes(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// The body is invalid: any allowed refusal, never 200.
    Refuse,
    /// Valid as far as types go: 200 or an allowed refusal.
    Any,
    /// Exactly this status.
    Status(u16),
}

/// How the body travels.
#[derive(Clone, Debug)]
enum Framing {
    /// With its `Content-Length`.
    Length,
    /// Streamed in chunks, without `Content-Length`.
    Stream,
    /// With a `Content-Length` that claims this.
    Declared(u64),
}

#[derive(Clone, Debug)]
enum Shape {
    Raw(Vec<u8>),
    /// The endpoint's template with these changes, in order.
    Template(Vec<(Path, Op)>),
    /// The template's values as an array in argument order (serde accepts that), maybe with one
    /// element too many.
    Positional { extra: bool },
    /// The template with its first key written twice.
    DuplicateKey,
    /// The template, then these bytes.
    Suffix(&'static str),
    /// These bytes, then the template.
    Prefix(&'static str),
    /// The template followed by whitespace up to this size.
    Padded(usize),
    /// The template with this many unknown keys.
    UnknownKeys(usize),
}

#[derive(Clone, Debug)]
struct Case {
    kind: String,
    shape: Shape,
    framing: Framing,
    expect: Expect,
}

impl Case {
    fn new(kind: impl Into<String>, shape: Shape, expect: Expect) -> Case {
        Case { kind: kind.into(), shape, framing: Framing::Length, expect }
    }
}

// ---------------------------------------------------------------------------------------------
// Field mutations.

struct Mutation {
    label: String,
    ops: Vec<(Path, Op)>,
    expect: Expect,
}

fn show_path(path: &[Seg]) -> String {
    let mut shown = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) if shown.is_empty() => shown.push_str(key),
            Seg::Key(key) => {
                let _ = write!(shown, ".{key}");
            }
            Seg::Index(i) => {
                let _ = write!(shown, "[{i}]");
            }
        }
    }
    if shown.is_empty() {
        "(body)".into()
    } else {
        shown
    }
}

fn describe(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 60 {
        format!("{}… ({} bytes)", cut(&text, 48), text.len())
    } else {
        text
    }
}

fn describe_raw(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if raw.len() > 60 {
        format!("raw {}… ({} bytes)", cut(&text, 40), raw.len())
    } else {
        format!("raw {text}")
    }
}

fn cut(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() > max {
        format!("{}…", cut(text, max.saturating_sub(1)))
    } else {
        text.to_string()
    }
}

struct Gen<'a> {
    out: &'a mut Vec<Mutation>,
}

impl Gen<'_> {
    fn put(&mut self, at: &[Seg], pre: &[(Path, Op)], description: String, op: Op, expect: Expect) {
        let mut ops = pre.to_vec();
        ops.push((at.to_vec(), op));
        self.out.push(Mutation { label: format!("{}: {description}", show_path(at)), ops, expect });
    }

    fn set(&mut self, at: &[Seg], pre: &[(Path, Op)], value: Value, expect: Expect) {
        let description = describe(&value);
        self.put(at, pre, description, Op::Set(value), expect);
    }

    fn raw(&mut self, at: &[Seg], pre: &[(Path, Op)], raw: &[u8], expect: Expect) {
        self.put(at, pre, describe_raw(raw), Op::Raw(raw.to_vec()), expect);
    }

    fn null(&mut self, at: &[Seg], pre: &[(Path, Op)], nullable: bool) {
        self.set(at, pre, Value::Null, if nullable { Expect::Any } else { Expect::Refuse });
    }

    /// Every mutation of the value at `at` (whose current value is `value`) and below it.
    fn walk(&mut self, ty: &Ty, value: &Value, at: &[Seg], pre: &[(Path, Op)], nullable: bool) {
        use Expect::{Any, Refuse};
        match ty {
            Ty::Int { min, max } => {
                let range = |v: i64| if (*min..=*max).contains(&v) { Any } else { Refuse };
                for wrong in [json!("1"), json!("abc"), json!(""), json!(true), json!([]), json!([1]), json!({}), json!({"n": 1}), json!(1.5), json!(1e300), json!(-1e300)] {
                    self.set(at, pre, wrong, Refuse);
                }
                for raw in [
                    "1e999",
                    "-1e999",
                    "18446744073709551616",
                    "9223372036854775808",
                    "-9223372036854775809",
                    "123456789012345678901234567890123456789012345678901234567890",
                    "1.0",
                    "1e2",
                    "NaN",
                    "Infinity",
                    "0x10",
                    "01",
                    "+1",
                    "1e99999999999999999999",
                ] {
                    self.raw(at, pre, raw.as_bytes(), Refuse);
                }
                self.raw(at, pre, b"-0", range(0));
                let digits = Big::Raw { prefix: "", unit: "9", count: HUGE_STRING, suffix: "" };
                self.put(at, pre, format!("an integer of {HUGE_STRING} digits"), Op::Big(digits), Refuse);
                let tiny = Big::Raw { prefix: "0.", unit: "0", count: HUGE_STRING, suffix: "1" };
                self.put(at, pre, format!("0.000…1 ({HUGE_STRING} zeros)"), Op::Big(tiny), Refuse);
                self.null(at, pre, nullable);
                for v in [i64::MAX, i64::MIN, i64::MIN + 1, -1, 0, 1, 2, 9_007_199_254_740_993, i64::from(i32::MAX) + 1, i64::from(u32::MAX)] {
                    self.set(at, pre, json!(v), range(v));
                }
            }
            Ty::Str(kind) => self.string(*kind, value, at, pre, nullable),
            Ty::Bool => {
                for wrong in [json!(0), json!(1), json!("true"), json!("false"), json!(""), json!([]), json!({})] {
                    self.set(at, pre, wrong, Refuse);
                }
                for raw in ["tru", "True", "1e999"] {
                    self.raw(at, pre, raw.as_bytes(), Refuse);
                }
                self.null(at, pre, nullable);
                self.set(at, pre, json!(true), Any);
                self.set(at, pre, json!(false), Any);
            }
            Ty::Date => {
                for wrong in [json!(20260101), json!(true), json!([]), json!({}), json!([2026, 1, 1])] {
                    self.set(at, pre, wrong, Refuse);
                }
                for invalid in [
                    "",
                    "2026-02-30",
                    "2026-13-01",
                    "2026-00-10",
                    "2025-02-29",
                    "2026-04-31",
                    "+262144-01-01",
                    "-262145-01-01",
                    "99999999999-01-01",
                    "2026/01/01",
                    "01.02.2026",
                    "2026-01-01T00:00:00Z",
                    "today",
                    "2026-01-01\u{0}",
                ] {
                    self.set(at, pre, json!(invalid), Refuse);
                }
                self.put(at, pre, format!("\"9999…\" ({HUGE_STRING} bytes)"), Op::Big(Big::Text("9", HUGE_STRING)), Refuse);
                self.null(at, pre, nullable);
                for odd in [
                    "+262142-12-31",
                    "+262143-12-31",
                    "-262144-01-01",
                    "-0001-12-31",
                    "0000-01-01",
                    "1970-01-01",
                    "9999-12-31",
                    "2024-02-29",
                    "2026-1-1",
                    " 2026-01-01",
                ] {
                    self.set(at, pre, json!(odd), Any);
                }
            }
            Ty::Enum(variants) => {
                let first = variants[0];
                let mut capitalized = first.to_string();
                capitalized[..1].make_ascii_uppercase();
                for wrong in [
                    json!("bogus"),
                    json!(first.to_uppercase()),
                    json!(capitalized),
                    json!(""),
                    json!(format!(" {first}")),
                    json!(0),
                    json!(true),
                    json!([]),
                    json!([first]),
                    json!({}),
                    json!({ first: 1 }),
                    json!({ first: null, "bogus": null }),
                ] {
                    self.set(at, pre, wrong, Refuse);
                }
                self.put(at, pre, format!("\"xxxx…\" ({HUGE_STRING} bytes)"), Op::Big(Big::Text("x", HUGE_STRING)), Refuse);
                self.null(at, pre, nullable);
                // serde reads a unit variant written as a map too: valid.
                self.set(at, pre, json!({ first: null }), Any);
                for variant in variants.iter() {
                    self.set(at, pre, json!(variant), Any);
                }
            }
            Ty::Opt(inner) => {
                if value.is_null() {
                    let sample = sample(inner);
                    self.set(at, pre, sample.clone(), Any);
                    let mut pre = pre.to_vec();
                    pre.push((at.to_vec(), Op::Set(sample.clone())));
                    self.walk(inner, &sample, at, &pre, true);
                } else {
                    self.walk(inner, value, at, pre, true);
                }
            }
            Ty::Def(inner) => {
                self.put(at, pre, "left out".into(), Op::Remove, Any);
                self.walk(inner, value, at, pre, nullable);
            }
            Ty::List { elem, max } => self.list(elem, *max, value, at, pre, nullable),
            Ty::Obj(fields) => {
                let required = ty.has_required_fields();
                if !at.is_empty() {
                    for wrong in [json!("x"), json!(1), json!(true)] {
                        self.set(at, pre, wrong, Refuse);
                    }
                    self.set(at, pre, json!([]), if required { Refuse } else { Any });
                    self.set(at, pre, json!({}), if required { Refuse } else { Any });
                    self.null(at, pre, nullable);
                }
                self.put(at, pre, "plus an unknown key".into(), Op::AddKey("unexpected_key".into(), json!([1, "two", null])), Any);
                for (name, field) in fields {
                    let mut path = at.to_vec();
                    path.push(Seg::Key(name));
                    let expect = if field.omittable() { Any } else { Refuse };
                    self.put(&path, pre, "left out".into(), Op::Remove, expect);
                    let current = value.get(*name).cloned().unwrap_or(Value::Null);
                    self.walk(field, &current, &path, pre, false);
                }
            }
            Ty::Custom { valid, invalid } => {
                for v in invalid {
                    self.set(at, pre, v.clone(), Refuse);
                }
                self.null(at, pre, nullable);
                for v in valid {
                    self.set(at, pre, v.clone(), Any);
                }
            }
        }
    }

    fn string(&mut self, kind: S, value: &Value, at: &[Seg], pre: &[(Path, Op)], nullable: bool) {
        use Expect::{Any, Refuse};
        for wrong in [json!(0), json!(-1.5), json!(true), json!([]), json!(["a"]), json!({}), json!({"text": "a"})] {
            self.set(at, pre, wrong, Refuse);
        }
        for raw in [
            &b"\"\\ud800\""[..],
            b"\"\\udc00\\ud800\"",
            b"\"\\uZZZZ\"",
            b"\"\xff\xfe\"",
            b"\"tab\there\"",
            b"\"unterminated",
        ] {
            self.raw(at, pre, raw, Refuse);
        }
        self.null(at, pre, nullable);
        let current = value.as_str().unwrap_or("sample").to_string();
        // (value, description override, what the validators make of it)
        let blank = |expect_required: bool| if expect_required { Refuse } else { Any };
        let (required, max, reference) = match kind {
            S::Required(max) => (true, Some(max), false),
            S::Limited(max) => (false, Some(max), false),
            S::Reference => (true, None, true),
            _ => (false, None, false),
        };
        // A reference must name an existing ticket: nothing made up is one.
        let made_up = |fine: Expect| if reference { Refuse } else { fine };
        let too_long = |chars: usize| if max.is_some_and(|max| chars > max) { Refuse } else { Any };
        self.set(at, pre, json!(""), blank(required));
        self.set(at, pre, json!(" \t\r\n "), blank(required));
        self.put(at, pre, format!("\"xxxx…\" ({HUGE_STRING} bytes)"), Op::Big(Big::Text("x", HUGE_STRING)), made_up(too_long(HUGE_STRING)));
        self.put(at, pre, format!("\"éééé…\" ({HUGE_STRING} bytes)"), Op::Big(Big::Text("é", HUGE_STRING / 2)), made_up(too_long(HUGE_STRING / 2)));
        for odd in [
            "\u{0}\u{1}\u{8}\u{1b}[2J\u{7f}\u{9f}",
            "😀👨‍👩‍👧\u{202e}\u{200b}\u{feff}Ω≈ç",
            "'; DROP TABLE tickets; --",
            "%s%n%x{0}{{}}$(id)`id`",
            "<script>alert(1)</script>",
            "\\\\?\\C:\\..\\..\\",
            "%",
            "_",
        ] {
            self.set(at, pre, json!(odd), made_up(Any));
        }
        self.raw(at, pre, b"\"\\u0000\"", made_up(Any));
        self.set(at, pre, json!("😀".repeat(300)), made_up(too_long(300)));
        if let Some(max) = max {
            self.put(at, pre, format!("{} characters", max + 1), Op::Set(json!("x".repeat(max + 1))), Refuse);
            self.put(at, pre, format!("{max} characters"), Op::Set(json!("x".repeat(max))), Any);
            self.put(at, pre, format!("{max} characters between blanks"), Op::Set(json!(format!("  {}  ", "y".repeat(max)))), Any);
        }
        let samples: Vec<String> = match kind {
            S::Plain | S::Required(_) | S::Limited(_) => vec![],
            S::Reference | S::ListedReference => [
                "HD-0",
                "HD--1",
                "HD-9223372036854775807",
                "HD-9223372036854775808",
                "HD-99999999999999999999",
                "HD-",
                "HD-1e3",
                "HD-0x10",
                "HD-１２３",
                "../../etc/passwd",
                "HD-1001\u{0}",
                "HD-%",
            ]
            .map(String::from)
            .to_vec(),
            S::Email => {
                vec!["a@b".into(), "@".into(), "a@b.c".into(), "admin@demo.test\u{0}".into(), format!("{}@example.com", "x".repeat(300)), "ADMIN@DEMO.TEST".into(), " admin@demo.test ".into()]
            }
            S::Duration => [
                "0m",
                "-5m",
                "-1h",
                "99999999999999h",
                "9223372036854775807m",
                "153722867280912931m",
                "9999999999999999999999m",
                "1e9h",
                "h",
                "5x",
                "1h 30m",
                "0.5h",
                "1d",
                "1h1h1h1h1h1h",
                "30",
            ]
            .map(String::from)
            .to_vec(),
            S::Hours => {
                let mut hours: Vec<String> = [
                    "09:00-12:00, 13:00-17:00",
                    "25:00-26:00",
                    "00:00-24:00",
                    "17:00-09:00",
                    "9-5",
                    "99999999999:00-1:00",
                    "09:00-09:00",
                    "-1:00-2:00",
                    "09:60-10:00",
                    "00:00-24:00, 00:00-24:00",
                ]
                .map(String::from)
                .to_vec();
                hours.push("09:00-10:00, ".repeat(5_000));
                hours
            }
            S::TimeZone => ["Europe/Berlin", "Mars/Olympus", "UTC", "+99:00", "Etc/GMT+14", "../../../../etc/localtime", "America/Argentina/ComodRivadavia"]
                .map(String::from)
                .to_vec(),
            S::Holidays => {
                let mut holidays: Vec<String> =
                    ["2026-02-30", "+262142-12-31", "+262143-12-31", "-262144-01-01", "262144-01-01", "2026-12-25, 2026-12-26\n2027-01-01", "2026-13-01", "9999999999-01-01"]
                        .map(String::from)
                        .to_vec();
                holidays.push("2026-01-01\n".repeat(9_000));
                holidays
            }
        };
        let sample_expect = if matches!(kind, S::Reference) { Refuse } else { Any };
        for sample in samples {
            self.set(at, pre, json!(sample), sample_expect);
        }
        if reference {
            // The real one, as a person might type it.
            self.set(at, pre, json!(current.to_lowercase()), Any);
            self.set(at, pre, json!(format!(" {current} ")), Any);
        }
    }

    fn list(&mut self, elem: &Ty, max: Option<usize>, value: &Value, at: &[Seg], pre: &[(Path, Op)], nullable: bool) {
        use Expect::{Any, Refuse, Status};
        for wrong in [json!("x"), json!(1), json!(true), json!({}), json!({"0": sample(elem)})] {
            self.set(at, pre, wrong, Refuse);
        }
        self.null(at, pre, nullable);
        self.set(at, pre, json!([]), Any);
        let within = |len: usize| if max.is_some_and(|max| len > max) { Refuse } else { Any };
        for wrong in wrong_values(elem).into_iter().take(4) {
            self.set(at, pre, json!([wrong.clone()]), Refuse);
            self.set(at, pre, json!([small(elem, value), wrong]), Refuse);
        }
        let depth = 50_000;
        self.put(at, pre, format!("arrays nested {depth} deep"), Op::Big(Big::Nested { open: "[", close: "]", depth }), Refuse);
        // Huge lists: one under the body limit, one over.
        let one = small(elem, value);
        let size = one.to_string().len() + 1;
        let under = HUGE_LIST.min(UNDER_LIMIT / size);
        self.put(at, pre, format!("{under} × {} (≈{} KB)", describe(&one), under * size / 1024), Op::Big(Big::Copies(one.clone(), under)), within(under));
        let big = match elem {
            Ty::Int { .. } => json!(i64::MAX),
            Ty::Str(_) => json!("HD-1001-xxxxxxxxxxxxxxxxxxxx"),
            _ => one.clone(),
        };
        let big_size = big.to_string().len() + 1;
        let over = if HUGE_LIST * big_size > BODY_LIMIT + 1024 { HUGE_LIST } else { (2 * BODY_LIMIT) / big_size };
        self.put(at, pre, format!("{over} × {} (≈{} KB)", describe(&big), over * big_size / 1024), Op::Big(Big::Copies(big, over)), Status(413));
        let distinct = |n: usize| -> Option<Big> {
            match elem {
                Ty::Int { .. } => Some(Big::Ints(n)),
                Ty::Str(_) => Some(Big::Tags(n)),
                _ => None,
            }
        };
        if let Some(many) = distinct(30_000) {
            self.put(at, pre, "30000 distinct values".into(), Op::Big(many), within(30_000));
        }
        if let Some(max) = max {
            let over_max = distinct(max + 1).unwrap_or_else(|| Big::Copies(one.clone(), max + 1));
            self.put(at, pre, format!("{} items (at most {max})", max + 1), Op::Big(over_max), Refuse);
        }
        // Its elements.
        let mut path = at.to_vec();
        path.push(Seg::Index(0));
        match value.as_array().and_then(|items| items.first()) {
            Some(first) => self.walk(elem, first, &path, pre, false),
            None => {
                let first = sample(elem);
                let mut pre = pre.to_vec();
                pre.push((at.to_vec(), Op::Set(json!([first.clone()]))));
                self.walk(elem, &first, &path, &pre, false);
            }
        }
    }
}

/// A valid value of the type (as far as types go).
fn sample(ty: &Ty) -> Value {
    match ty {
        Ty::Int { min, max } => json!(1i64.clamp(*min, *max)),
        Ty::Str(S::Email) => json!("someone@example.com"),
        Ty::Str(S::Duration) => json!("1h"),
        Ty::Str(S::Hours) => json!("09:00-17:00"),
        Ty::Str(S::TimeZone) => json!("UTC"),
        Ty::Str(S::Holidays) => json!("2026-12-25"),
        Ty::Str(_) => json!("sample"),
        Ty::Bool => json!(true),
        Ty::Date => json!("2026-03-02"),
        Ty::Enum(variants) => json!(variants[0]),
        Ty::Opt(inner) | Ty::Def(inner) => sample(inner),
        Ty::List { .. } => json!([]),
        Ty::Obj(fields) => Value::Object(fields.iter().map(|(name, ty)| (name.to_string(), sample(ty))).collect()),
        Ty::Custom { valid, .. } => valid.first().cloned().unwrap_or(Value::Null),
    }
}

/// A short valid element for long lists: the list's own first element, else a sample.
fn small(elem: &Ty, list: &Value) -> Value {
    match elem {
        Ty::Int { .. } => json!(1),
        Ty::Str(_) => json!("a"),
        _ => list.as_array().and_then(|items| items.first()).cloned().unwrap_or_else(|| sample(elem)),
    }
}

/// Values of the wrong JSON type for `ty` (never `null`, which options accept).
fn wrong_values(ty: &Ty) -> Vec<Value> {
    match ty {
        Ty::Int { .. } => vec![json!("1"), json!(1.5), json!([1]), json!(true)],
        Ty::Str(_) => vec![json!(1), json!(["a"]), json!({}), json!(false)],
        Ty::Bool => vec![json!(1), json!("true")],
        Ty::Date => vec![json!("2026-02-30"), json!(20260101)],
        Ty::Enum(_) => vec![json!("bogus"), json!(1)],
        Ty::Opt(inner) | Ty::Def(inner) => wrong_values(inner),
        Ty::List { .. } => vec![json!("x"), json!(1)],
        Ty::Obj(_) => {
            let mut wrong = vec![json!(1), json!("x")];
            if ty.has_required_fields() {
                wrong.push(json!({}));
            }
            wrong
        }
        Ty::Custom { invalid, .. } => invalid.iter().take(3).cloned().collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering a case into bytes.

fn navigate<'a>(mut node: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    for seg in path {
        node = match seg {
            Seg::Key(key) => {
                if !node.is_object() {
                    *node = json!({});
                }
                node.as_object_mut().expect("an object").entry(key.to_string()).or_insert(Value::Null)
            }
            Seg::Index(i) => {
                if !node.is_array() {
                    *node = json!([]);
                }
                let items = node.as_array_mut().expect("an array");
                while items.len() <= *i {
                    items.push(Value::Null);
                }
                &mut items[*i]
            }
        };
    }
    node
}

fn placeholder(index: usize) -> String {
    format!("\u{1}raw{index}\u{1}")
}

fn apply(root: &mut Value, path: &[Seg], op: &Op, raws: &mut Vec<Vec<u8>>) {
    match op {
        Op::Set(value) => *navigate(root, path) = value.clone(),
        Op::Raw(bytes) => {
            *navigate(root, path) = Value::String(placeholder(raws.len()));
            raws.push(bytes.clone());
        }
        Op::Big(big) => {
            *navigate(root, path) = Value::String(placeholder(raws.len()));
            raws.push(big.bytes());
        }
        Op::AddKey(key, value) => {
            if let Some(object) = navigate(root, path).as_object_mut() {
                object.insert(key.clone(), value.clone());
            }
        }
        Op::Remove => {
            let Some((last, parents)) = path.split_last() else { return };
            let parent = navigate(root, parents);
            match last {
                Seg::Key(key) => {
                    if let Some(object) = parent.as_object_mut() {
                        object.remove(*key);
                    }
                }
                Seg::Index(i) => {
                    if let Some(items) = parent.as_array_mut() {
                        if *i < items.len() {
                            items.remove(*i);
                        }
                    }
                }
            }
        }
    }
}

fn splice(mut bytes: Vec<u8>, raws: &[Vec<u8>]) -> Vec<u8> {
    for (index, raw) in raws.iter().enumerate() {
        let needle = serde_json::to_vec(&placeholder(index)).expect("a string serializes");
        if let Some(at) = bytes.windows(needle.len()).position(|window| window == needle.as_slice()) {
            bytes.splice(at..at + needle.len(), raw.iter().copied());
        }
    }
    bytes
}

fn render(shape: &Shape, template: &Value, schema: Option<&Ty>) -> Vec<u8> {
    let plain = || serde_json::to_vec(template).expect("JSON");
    match shape {
        Shape::Raw(bytes) => bytes.clone(),
        Shape::Template(ops) => {
            let mut body = template.clone();
            let mut raws = Vec::new();
            for (path, op) in ops {
                apply(&mut body, path, op, &mut raws);
            }
            splice(serde_json::to_vec(&body).expect("JSON"), &raws)
        }
        Shape::Positional { extra } => {
            let mut items: Vec<Value> = match schema {
                Some(Ty::Obj(fields)) => fields.iter().map(|(name, _)| template.get(*name).cloned().unwrap_or(Value::Null)).collect(),
                _ => vec![],
            };
            if *extra {
                items.push(json!("one too many"));
            }
            serde_json::to_vec(&items).expect("JSON")
        }
        Shape::DuplicateKey => {
            let text = String::from_utf8(plain()).expect("UTF-8");
            match template.as_object().and_then(|object| object.iter().next()) {
                Some((key, value)) => format!("{{{}:{},{}", json!(key), value, &text[1..]).into_bytes(),
                None => text.into_bytes(),
            }
        }
        Shape::Suffix(suffix) => [plain(), suffix.as_bytes().to_vec()].concat(),
        Shape::Prefix(prefix) => [prefix.as_bytes().to_vec(), plain()].concat(),
        Shape::Padded(size) => {
            let mut bytes = plain();
            bytes.resize((*size).max(bytes.len()), b' ');
            bytes
        }
        Shape::UnknownKeys(n) => {
            let text = String::from_utf8(plain()).expect("UTF-8");
            let mut body = String::from("{");
            for i in 0..*n {
                let _ = write!(body, "\"k{i}\":{i},");
            }
            match text.strip_prefix('{') {
                Some("}") => {
                    body.pop();
                    body.push('}');
                }
                Some(rest) => body.push_str(rest),
                None => body = text,
            }
            body.into_bytes()
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The cases of one endpoint.

fn generic_cases(schema: Option<&Ty>) -> Vec<Case> {
    use Expect::{Any, Refuse, Status};
    let known = schema.is_some();
    let has_args = matches!(schema, Some(Ty::Obj(fields)) if !fields.is_empty());
    let required = schema.is_some_and(Ty::has_required_fields);
    // Invalid where the endpoint needs arguments; for one without, serde may well accept it.
    let needs = |invalid_with_args: bool| if invalid_with_args && required { Refuse } else { Any };
    let raw = |bytes: &[u8]| Shape::Raw(bytes.to_vec());
    let mut cases = vec![
        Case::new("empty body", raw(b""), needs(true)),
        Case::new("not JSON: plain text", raw(b"hello"), Refuse),
        Case::new("not JSON: truncated object", raw(b"{\""), Refuse),
        Case::new("not JSON: invalid UTF-8", raw(b"\xff\xfe\xfd"), Refuse),
        Case::new("not JSON: form encoding", raw(b"a=1&b=2"), Refuse),
        Case::new("not JSON: XML", raw(b"<?xml version=\"1.0\"?><a/>"), Refuse),
        Case::new("not JSON: a comment first", Shape::Prefix("/* hi */"), Refuse),
        Case::new("not JSON: byte order mark first", Shape::Prefix("\u{feff}"), Refuse),
        Case::new("JSON null", raw(b"null"), needs(true)),
        Case::new("JSON true", raw(b"true"), needs(true)),
        Case::new("JSON number", raw(b"0"), needs(true)),
        Case::new("JSON string", raw(b"\"string\""), needs(true)),
        Case::new("JSON number out of range", raw(b"-1e999"), Refuse),
        Case::new(format!("JSON number of {HUGE_STRING} digits"), Shape::Raw("7".repeat(HUGE_STRING).into_bytes()), Refuse),
        Case::new("JSON empty object", raw(b"{}"), needs(true)),
        Case::new("JSON empty array", raw(b"[]"), needs(true)),
        Case::new("arrays nested 100000 deep", Shape::Raw(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).into_bytes()), needs(true)),
        Case::new(
            "objects nested 25000 deep",
            Shape::Raw(format!("{}1{}", "{\"a\":".repeat(25_000), "}".repeat(25_000)).into_bytes()),
            needs(true),
        ),
        Case::new(
            format!("top-level array of {HUGE_LIST} strings"),
            Shape::Raw(serde_json::to_vec(&vec!["a"; HUGE_LIST]).expect("JSON")),
            needs(true),
        ),
        Case::new("the template", Shape::Template(vec![]), Any),
        Case::new("the template, then garbage", Shape::Suffix(" x"), Refuse),
        Case::new("the template, then a second object", Shape::Suffix("{}"), Refuse),
        Case::new("the template, then whitespace", Shape::Suffix(" \n\t "), Any),
        Case::new("the template with 15000 unknown keys", Shape::UnknownKeys(15_000), Any),
        Case::new(
            format!("the template with a key of {HUGE_STRING} bytes"),
            Shape::Template(vec![(vec![], Op::AddKey("k".repeat(HUGE_STRING), json!(true)))]),
            Any,
        ),
        Case::new("the template padded to 300 KB", Shape::Padded(300 * 1024), Status(413)),
        Case {
            kind: "the template padded to 300 KB, streamed without Content-Length".into(),
            shape: Shape::Padded(300 * 1024),
            framing: Framing::Stream,
            expect: Status(413),
        },
        Case { kind: "the template, streamed without Content-Length".into(), shape: Shape::Template(vec![]), framing: Framing::Stream, expect: Any },
        Case {
            kind: "the template, claiming a Content-Length of 1 GB".into(),
            shape: Shape::Template(vec![]),
            framing: Framing::Declared(1 << 30),
            expect: Status(413),
        },
    ];
    if known && has_args {
        cases.push(Case::new("the template's values as an array", Shape::Positional { extra: false }, Any));
        cases.push(Case::new("the template's values as an array, one too many", Shape::Positional { extra: true }, Refuse));
        cases.push(Case::new("the template with its first key twice", Shape::DuplicateKey, Refuse));
    }
    cases
}

/// Small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn for_endpoint(name: &str) -> Rng {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
        Rng(SEED ^ hash)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

fn cases_for(endpoint: &str, schema: Option<&Ty>, template: &Value) -> (Vec<Case>, usize) {
    let mut cases = generic_cases(schema);
    let mut mutations = Vec::new();
    if let Some(schema) = schema {
        Gen { out: &mut mutations }.walk(schema, template, &[], &[], false);
    }
    let all = mutations.len();
    Rng::for_endpoint(endpoint).shuffle(&mut mutations);
    mutations.truncate(MUTATIONS_PER_ENDPOINT);
    cases.extend(mutations.into_iter().map(|m| Case::new(m.label, Shape::Template(m.ops), m.expect)));
    (cases, all)
}

// ---------------------------------------------------------------------------------------------
// The endpoints: argument types and realistic bodies from the demo data.

fn new_team(snap: &Snap) -> Ty {
    let stages = Ty::Custom {
        valid: vec![json!({ "template": "support" }), json!({ "template": "billing" }), json!({ "team": snap.team_id }), json!({ "team": -1 })],
        invalid: vec![json!("support"), json!({ "template": "kanban" }), json!({ "team": "1" }), json!({}), json!(null)],
    };
    obj(vec![("name", text(S::Required(60))), ("visibility", Ty::Enum(VISIBILITIES)), ("stages", stages)])
}

fn pull_source(snap: &Snap) -> Ty {
    Ty::Custom {
        valid: vec![
            json!("my_teams"),
            json!({ "team": snap.team_id }),
            json!({ "team": 0 }),
            json!({ "team": i64::MAX }),
            json!({ "team": i64::MIN }),
            json!({ "queue": snap.queue_id }),
            json!({ "queue": -1 }),
        ],
        invalid: vec![
            json!("team"),
            json!("MyTeams"),
            json!({ "team": "1" }),
            json!({ "team": 1.5 }),
            json!({ "team": null }),
            json!({ "bogus": 1 }),
            json!({ "team": 1, "queue": 2 }),
            json!({}),
            json!(0),
            json!([]),
            json!(["team", 1]),
        ],
    }
}

fn trigger() -> Ty {
    let mut valid: Vec<Value> = TRIGGERS.iter().map(|t| json!(t)).collect();
    for hours in [1, 0, -1, i64::MAX, i64::MIN, 1_000_000_000] {
        valid.push(json!({ "no_update_for": { "hours": hours } }));
    }
    Ty::Custom {
        valid,
        invalid: vec![
            json!("bogus"),
            json!("no_update_for"),
            json!({ "no_update_for": {} }),
            json!({ "no_update_for": { "hours": "1" } }),
            json!({ "no_update_for": { "hours": 1e300 } }),
            json!({ "no_update_for": 5 }),
            json!({ "created": null, "updated": null }),
            json!(1),
        ],
    }
}

fn automation_action(snap: &Snap) -> Ty {
    let huge = "x".repeat(HUGE_STRING);
    Ty::Custom {
        valid: vec![
            json!({ "kind": "assign", "user_id": snap.person_id }),
            json!({ "kind": "assign", "user_id": i64::MAX }),
            json!({ "kind": "round_robin" }),
            json!({ "kind": "set_stage", "category": "solved" }),
            json!({ "kind": "set_priority", "priority": "urgent" }),
            json!({ "kind": "add_follower", "user_id": -1 }),
            json!({ "kind": "add_tag", "tag": "fuzz" }),
            json!({ "kind": "add_tag", "tag": "" }),
            json!({ "kind": "add_tag", "tag": huge }),
            json!({ "kind": "notify", "user_id": null, "message": "hello" }),
            json!({ "kind": "notify", "user_id": i64::MIN, "message": huge }),
            json!({ "kind": "notify", "user_id": null, "message": "\u{0}\u{202e}😀" }),
        ],
        invalid: vec![
            json!({ "kind": "bogus" }),
            json!({ "kind": "assign" }),
            json!({ "kind": "assign", "user_id": "1" }),
            json!({ "kind": "set_stage", "category": "bogus" }),
            json!({ "kind": "set_priority", "priority": null }),
            json!({ "kind": "notify", "user_id": null }),
            json!({ "user_id": 1 }),
            json!({ "kind": 1 }),
            json!("round_robin"),
            json!(1),
        ],
    }
}

fn ticket_input() -> Ty {
    obj(vec![
        ("title", text(S::Required(200))),
        ("description", text(S::Limited(20_000))),
        ("team_id", int()),
        ("priority", Ty::Enum(PRIORITIES)),
        ("origin", Ty::Enum(ORIGINS)),
        ("contact_id", opt(int())),
        ("account_id", opt(int())),
        ("new_customer", opt(obj(vec![("name", text(S::Required(120))), ("email", text(S::Email)), ("account_name", text(S::Limited(120)))]))),
        ("subject_id", opt(int())),
        ("product_id", opt(int())),
        ("reason_id", def(opt(int()))),
        ("region_id", def(opt(int()))),
        ("service_type_id", def(opt(int()))),
        ("unit_id", def(opt(int()))),
        ("assignee_id", opt(int())),
        ("tags", list_max(text(S::Limited(40)), 40)),
        ("requirements", def(list_max(obj(vec![("qualification_id", int()), ("min_rating", int())]), 30))),
        ("entitlement_id", def(opt(int()))),
        ("do_not_decrement", def(Ty::Bool)),
        ("service_order", def(text(S::Limited(60)))),
    ])
}

fn routing_conditions() -> Ty {
    obj(vec![
        ("origins", def(list(Ty::Enum(ORIGINS)))),
        ("priorities", def(list(Ty::Enum(PRIORITIES)))),
        ("subject_ids", def(list(int()))),
        ("product_ids", def(list(int()))),
        ("account_ids", def(list(int()))),
        ("keywords", def(list(text(S::Plain)))),
        ("reason_ids", def(list(int()))),
        ("region_ids", def(list(int()))),
        ("service_type_ids", def(list(int()))),
        ("unit_type_ids", def(list(int()))),
    ])
}

fn routing_rule_input() -> Ty {
    obj(vec![
        ("name", text(S::Required(80))),
        ("enabled", Ty::Bool),
        ("conditions", routing_conditions()),
        ("actions", obj(vec![("team_id", opt(int())), ("queue_id", def(opt(int()))), ("assignee_id", opt(int())), ("priority", opt(Ty::Enum(PRIORITIES)))])),
    ])
}

fn automation_rule_input(snap: &Snap) -> Ty {
    obj(vec![
        ("name", text(S::Required(80))),
        ("enabled", Ty::Bool),
        ("trigger", trigger()),
        (
            "conditions",
            obj(vec![
                ("ticket", def(routing_conditions())),
                ("team_ids", def(list(int()))),
                ("stages", def(list(Ty::Enum(STAGE_CATEGORIES)))),
                ("unassigned_only", def(Ty::Bool)),
            ]),
        ),
        ("actions", list(automation_action(snap))),
    ])
}

/// Time logged by hand: a day (not in the future), a duration of at most a day, a note.
fn time_entry_input() -> Ty {
    obj(vec![("date", Ty::Date), ("duration", text(S::Duration)), ("billable", Ty::Bool), ("note", text(S::Limited(2_000)))])
}

fn article_input() -> Ty {
    obj(vec![("title", text(S::Required(200))), ("body", text(S::Limited(100_000))), ("category", text(S::Limited(60))), ("published", Ty::Bool)])
}

fn schema(endpoint: &str, snap: &Snap) -> Option<Ty> {
    let args = |fields: Vec<(&'static str, Ty)>| Some(obj(fields));
    let id_version = || args(vec![("id", int()), ("version", int())]);
    match endpoint {
        "logout" | "logout_everywhere" | "me" | "setup_step" | "automation_rules" | "notifications" | "mark_notifications_read" | "teams"
        | "qualifications" | "queues" | "routing_rules" | "sla_setup" | "entitlements" | "my_tickets" | "form_choices" | "my_time_off" | "my_profile" | "running_timer" | "stop_timer" | "leads"
        | "lead_choices" => args(vec![]),
        "start_timer" | "work_log" | "ticket_events" => args(vec![("reference", text(S::Reference))]),
        "log_time" => args(vec![("reference", text(S::Reference)), ("entry", time_entry_input())]),
        "update_time_entry" => args(vec![("id", int()), ("version", int()), ("entry", time_entry_input())]),
        "delete_time_entry" => id_version(),
        "timesheet" => args(vec![("query", obj(vec![("from", Ty::Date), ("to", Ty::Date), ("by", Ty::Enum(TIMESHEET_BY))]))]),
        "log_ticket_event" => args(vec![
            ("reference", text(S::Reference)),
            (
                "event",
                obj(vec![
                    ("event_type_id", int()),
                    ("note", text(S::Limited(20_202))),
                    (
                        "happened_at",
                        Ty::Custom {
                            valid: vec![json!("2026-03-02T10:00:00Z"), json!("2026-03-02T10:00:00+02:00"), json!("1970-01-01T00:00:00Z")],
                            invalid: vec![json!("yesterday"), json!(5), json!("2026-02-30T10:00:00Z"), json!("2026-03-02")],
                        },
                    ),
                    ("duration", text(S::Duration)),
                ]),
            ),
        ]),
        "customer_open_tickets" => args(vec![("customer", obj(vec![("contact_id", opt(int())), ("account_id", opt(int()))]))]),
        "add_as_event" => args(vec![
            ("reference", text(S::Reference)),
            ("request", obj(vec![("title", text(S::Required(200))), ("description", text(S::Limited(20_000))), ("origin", Ty::Enum(ORIGINS))])),
        ]),
        "login" => args(vec![("email", text(S::Email)), ("password", text(S::Plain))]),
        "create_first_admin" => args(vec![("name", text(S::Plain)), ("email", text(S::Email)), ("password", text(S::Plain))]),
        "pull_next" => args(vec![("source", opt(pull_source(snap)))]),
        "save_automation_rule" => args(vec![("id", opt(int())), ("version", opt(int())), ("rule", automation_rule_input(snap))]),
        "delete_automation_rule" | "delete_routing_rule" | "delete_sla_policy" => id_version(),
        "board" => args(vec![
            ("team_id", int()),
            ("limits", list(obj(vec![("stage_id", int()), ("limit", int())]))),
            ("view", def(obj(vec![("by_urgency", Ty::Bool), ("filter", Ty::Enum(SLA_FILTERS))]))),
        ]),
        "move_ticket" => args(vec![
            ("reference", text(S::Reference)),
            ("version", int()),
            ("stage_id", int()),
            ("before", opt(text(S::ListedReference))),
            ("resolution", def(opt(obj(vec![("code_id", int()), ("note", text(S::Required(5_000))), ("close_with_open_children", def(Ty::Bool))])))),
        ]),
        "resolution_prompt" => args(vec![("reference", text(S::Reference))]),
        "create_child_ticket" => args(vec![("parent", text(S::Reference)), ("title", text(S::Required(200)))]),
        "convert_to_lead" => args(vec![
            ("reference", text(S::Reference)),
            ("version", int()),
            (
                "lead",
                obj(vec![
                    ("title", text(S::Required(200))),
                    (
                        "customer",
                        Ty::Custom {
                            valid: vec![json!("ticket"), json!("none"), json!({ "new": { "name": "Fuzz Prospect", "email": "", "account_name": "" } })],
                            invalid: vec![json!("someone"), json!({ "new": { "name": " ", "email": "", "account_name": "" } }), json!(7)],
                        },
                    ),
                    ("sales_team_id", int()),
                    ("salesperson_id", opt(int())),
                ]),
            ),
        ]),
        "create_stage" => args(vec![("team_id", int()), ("name", text(S::Required(60))), ("category", Ty::Enum(STAGE_CATEGORIES))]),
        "rename_stage" => args(vec![("stage_id", int()), ("version", int()), ("name", text(S::Required(60)))]),
        "fold_stage" => args(vec![("stage_id", int()), ("version", int()), ("folded", Ty::Bool)]),
        "reorder_stage" => args(vec![("stage_id", int()), ("version", int()), ("to_index", int())]),
        "get_team_settings" => args(vec![("team_id", int())]),
        "save_team_settings" => args(vec![
            ("team_id", int()),
            ("version", int()),
            (
                "settings",
                obj(vec![
                    ("description", text(S::Plain)),
                    ("visibility", Ty::Enum(VISIBILITIES)),
                    ("assignment", opt(Ty::Enum(ASSIGNMENT_METHODS))),
                    ("queue_user_id", def(opt(int()))),
                    ("members", list(int())),
                    ("followers", def(list(int()))),
                    ("contact_followers", def(list(int()))),
                ]),
            ),
        ]),
        "create_team" => args(vec![("team", new_team(snap))]),
        "rename_team" => args(vec![("team_id", int()), ("version", int()), ("name", text(S::Required(60)))]),
        "set_team_archived" => args(vec![("team_id", int()), ("version", int()), ("archived", Ty::Bool)]),
        "delete_stage" => args(vec![("stage_id", int()), ("version", int())]),
        "set_stage_category" => args(vec![("stage_id", int()), ("version", int()), ("category", Ty::Enum(STAGE_CATEGORIES))]),
        "organisation" => args(vec![]),
        "audit_log" => args(vec![("area", text(S::Limited(40)))]),
        "complete_setup" => args(vec![(
            "setup",
            obj(vec![("organisation", text(S::Required(100))), ("time_zone", text(S::TimeZone)), ("team", new_team(snap))]),
        )]),
        "save_organisation" => args(vec![("version", int()), ("name", text(S::Required(100))), ("time_zone", text(S::TimeZone))]),
        "set_stage_pausing" => args(vec![("stage_id", int()), ("version", int()), ("pauses", Ty::Bool)]),
        "create_qualification" => {
            args(vec![("name", text(S::Required(60))), ("kind", Ty::Enum(QUALIFICATION_KINDS)), ("scale_max", Ty::Int { min: 1, max: 100 })])
        }
        "rate_qualification" => args(vec![("user_id", int()), ("qualification_id", int()), ("rating", opt(int()))]),
        "create_queue" => args(vec![("name", text(S::Required(60))), ("description", text(S::Plain))]),
        "save_queue_members" => args(vec![("queue_id", int()), ("version", int()), ("members", list(int()))]),
        "queue_tickets" => args(vec![("queue_id", int())]),
        "change_queue" => args(vec![("queue_id", int()), ("references", list(text(S::ListedReference))), ("add", Ty::Bool)]),
        "save_routing_rule" => args(vec![("id", opt(int())), ("version", opt(int())), ("rule", routing_rule_input())]),
        "reorder_routing_rule" => args(vec![("id", int()), ("version", int()), ("to_index", int())]),
        "apply_routing_rules" => args(vec![("references", list(text(S::ListedReference)))]),
        "save_calendar" => args(vec![
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "calendar",
                obj(vec![("name", text(S::Plain)), ("time_zone", text(S::TimeZone)), ("hours", list(text(S::Hours))), ("holidays", text(S::Holidays))]),
            ),
        ]),
        "save_priority_code" => args(vec![
            ("priority", Ty::Enum(PRIORITIES)),
            ("version", int()),
            (
                "code",
                obj(vec![("code", text(S::Plain)), ("follow_up", text(S::Duration)), ("warning", text(S::Duration)), ("late", text(S::Duration))]),
            ),
        ]),
        "save_sla_policy" => args(vec![
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "policy",
                obj(vec![
                    ("team_id", int()),
                    ("name", text(S::Plain)),
                    ("enabled", Ty::Bool),
                    ("calendar_id", int()),
                    ("priorities", list(Ty::Enum(PRIORITIES))),
                    ("account_ids", list(int())),
                    ("requires_entitlement", Ty::Bool),
                    ("first_response", text(S::Duration)),
                    ("resolution", text(S::Duration)),
                    ("next_response", text(S::Duration)),
                    ("warning_percent", int()),
                ]),
            ),
        ]),
        "save_entitlement" => args(vec![
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "entitlement",
                obj(vec![
                    ("account_id", int()),
                    ("contact_id", opt(int())),
                    ("name", text(S::Plain)),
                    ("kind", Ty::Enum(ENTITLEMENT_KINDS)),
                    ("total_terms", int()),
                    ("remaining_terms", int()),
                    ("valid_from", Ty::Date),
                    ("valid_to", Ty::Date),
                    ("policy_id", opt(int())),
                    ("decrement_on", Ty::Enum(DECREMENT_ON)),
                    ("active", Ty::Bool),
                ]),
            ),
        ]),
        "create_ticket" => args(vec![("input", ticket_input())]),
        "ticket" | "portal_ticket" => args(vec![("reference", text(S::Reference))]),
        "update_ticket" | "save_and_route" => args(vec![("reference", text(S::Reference)), ("version", int()), ("input", ticket_input())]),
        "search_customers" => args(vec![("query", text(S::Plain))]),
        "list_accounts" | "list_contacts" => args(vec![("query", text(S::Limited(200))), ("offset", Ty::Int { min: 0, max: 100_000 })]),
        "account_choices" => args(vec![]),
        "get_account" | "get_contact" => args(vec![("id", int())]),
        "save_account" => args(vec![
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "account",
                obj(vec![
                    ("name", text(S::Required(120))),
                    ("address", text(S::Limited(500))),
                    ("phone", text(S::Limited(40))),
                    ("email", text(S::Email)),
                    ("website", text(S::Limited(200))),
                    ("notes", text(S::Limited(5_000))),
                    ("parent_id", opt(int())),
                ]),
            ),
        ]),
        "save_contact" => args(vec![
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "contact",
                obj(vec![
                    ("name", text(S::Required(120))),
                    ("email", text(S::Email)),
                    ("phone", text(S::Limited(40))),
                    ("mobile", text(S::Limited(40))),
                    ("job_title", text(S::Limited(120))),
                    ("account_id", opt(int())),
                    ("portal_access", Ty::Bool),
                ]),
            ),
        ]),
        "merge_contacts" => args(vec![("keep_id", int()), ("keep_version", int()), ("duplicate_id", int()), ("duplicate_version", int())]),
        "customer_card" | "ticket_followers" | "typing" => args(vec![("reference", text(S::Reference))]),
        "post_message" => args(vec![
            ("reference", text(S::Reference)),
            ("message", obj(vec![("kind", Ty::Enum(MESSAGE_KINDS)), ("body", text(S::Required(20_000))), ("attachment_ids", def(list(int())))])),
        ]),
        "edit_message" => args(vec![("reference", text(S::Reference)), ("message_id", int()), ("version", int()), ("body", text(S::Required(20_000)))]),
        "delete_message" => args(vec![("reference", text(S::Reference)), ("message_id", int()), ("version", int())]),
        "add_follower" | "remove_follower" => args(vec![("reference", text(S::Reference)), ("follower", obj(vec![("type", Ty::Enum(FOLLOWER_KINDS)), ("id", int())]))]),
        "mute_ticket" => args(vec![("reference", text(S::Reference)), ("muted", Ty::Bool)]),
        "ticket_attachments" | "linked_articles" => args(vec![("reference", text(S::Reference))]),
        "delete_attachment" | "load_article" => args(vec![("id", int())]),
        "search_articles" => args(vec![("search", text(S::Limited(200))), ("category", text(S::Limited(60)))]),
        "create_article" => args(vec![("input", article_input())]),
        "update_article" => args(vec![("id", int()), ("version", int()), ("input", article_input())]),
        "link_article" => args(vec![("reference", text(S::Reference)), ("article_id", int()), ("link", Ty::Bool)]),
        "merge_candidates" => args(vec![("references", list(text(S::ListedReference)))]),
        "merge_tickets" => args(vec![("survivor", text(S::Reference)), ("references", list(text(S::ListedReference))), ("versions", list(int()))]),
        "possible_duplicates" => args(vec![("reference", text(S::Reference))]),
        "add_time_off" => args(vec![("first_day", Ty::Date), ("last_day", Ty::Date)]),
        "remove_time_off" => args(vec![("id", int())]),
        "catalog" => args(vec![("catalog", Ty::Enum(CATALOGS))]),
        "save_catalog_value" => args(vec![
            ("catalog", Ty::Enum(CATALOGS)),
            ("id", opt(int())),
            ("version", opt(int())),
            (
                "value",
                obj(vec![
                    ("name", text(S::Required(200))),
                    ("parent_id", def(opt(int()))),
                    (
                        "unit",
                        def(opt(obj(vec![
                            ("item", text(S::Required(200))),
                            ("unit_type_id", opt(int())),
                            ("account_id", opt(int())),
                            ("warranty_until", opt(Ty::Date)),
                            ("contract", text(S::Limited(200))),
                        ]))),
                    ),
                ]),
            ),
        ]),
        "set_catalog_value_active" => args(vec![("catalog", Ty::Enum(CATALOGS)), ("id", int()), ("version", int()), ("active", Ty::Bool)]),
        "delete_catalog_value" => args(vec![("catalog", Ty::Enum(CATALOGS)), ("id", int()), ("version", int())]),
        "user_time_off" | "user_detail" | "renew_invitation" => args(vec![("user_id", int())]),
        "add_user_time_off" => args(vec![("user_id", int()), ("first_day", Ty::Date), ("last_day", Ty::Date)]),
        "users" => args(vec![("search", text(S::Limited(200))), ("role", opt(Ty::Enum(ROLES)))]),
        "invite_user" => args(vec![("name", text(S::Required(120))), ("email", text(S::Email)), ("role", Ty::Enum(ROLES))]),
        "save_user" => args(vec![
            ("user_id", int()),
            ("version", int()),
            ("input", obj(vec![("name", text(S::Required(120))), ("role", Ty::Enum(ROLES)), ("team_ids", list_max(int(), 200))])),
        ]),
        "deactivate_user" | "reactivate_user" => args(vec![("user_id", int()), ("version", int())]),
        "accept_invitation" => args(vec![("token", text(S::Limited(128))), ("password", text(S::Plain))]),
        "save_profile" => args(vec![
            ("version", int()),
            ("input", obj(vec![("name", text(S::Required(120))), ("notifications", obj(vec![("rules", Ty::Bool), ("sla", Ty::Bool)]))])),
        ]),
        "change_password" => args(vec![("current", text(S::Plain)), ("new", text(S::Plain))]),
        _ => None,
    }
}

/// Parts of the demo data whose versions (or ids) the templates carry: read before an endpoint's
/// turn, and again after each of its successful calls.
#[derive(Clone, Copy, PartialEq)]
struct Groups(u16);

impl Groups {
    const NONE: Groups = Groups(0);
    const TICKET: Groups = Groups(1);
    const STAGES: Groups = Groups(2);
    const SETTINGS: Groups = Groups(4);
    const QUEUE: Groups = Groups(8);
    const ROUTING: Groups = Groups(16);
    const AUTOMATION: Groups = Groups(32);
    const SLA: Groups = Groups(64);
    const ENTITLEMENT: Groups = Groups(128);
    const TIME_OFF: Groups = Groups(256);
    const USER: Groups = Groups(512);
    const ALL: Groups = Groups(1023);

    fn has(self, other: Groups) -> bool {
        self.0 & other.0 != 0
    }
}

/// What the endpoint's template takes from [`Live`].
fn needs(endpoint: &str) -> Groups {
    match endpoint {
        "move_ticket" | "update_ticket" | "save_and_route" => Groups::TICKET,
        "rename_stage" | "fold_stage" | "reorder_stage" | "set_stage_pausing" => Groups::STAGES,
        "save_team_settings" => Groups::SETTINGS,
        "save_queue_members" => Groups::QUEUE,
        "save_routing_rule" | "delete_routing_rule" | "reorder_routing_rule" => Groups::ROUTING,
        "save_automation_rule" | "delete_automation_rule" => Groups::AUTOMATION,
        "save_calendar" | "save_priority_code" | "save_sla_policy" | "delete_sla_policy" => Groups::SLA,
        "save_entitlement" => Groups::ENTITLEMENT,
        "remove_time_off" => Groups::TIME_OFF,
        "save_user" | "deactivate_user" | "reactivate_user" | "save_profile" => Groups::USER,
        _ => Groups::NONE,
    }
}

/// What the templates take from the demo data once, at the start.
struct Snap {
    team_id: i64,
    stage_a: i64,
    stage_a_name: String,
    stage_b: i64,
    stage_ids: Vec<i64>,
    reference: String,
    before: Value,
    ticket_input: Value,
    new_ticket_input: Value,
    queue_id: i64,
    queue_members: Value,
    routing_rule_id: i64,
    routing_rule: Value,
    automation_rule_id: i64,
    automation_rule: Value,
    calendar_id: i64,
    calendar_input: Value,
    priority: String,
    priority_code_input: Value,
    policy_id: i64,
    policy_input: Value,
    entitlement_id: i64,
    entitlement_input: Value,
    qualification_id: i64,
    person_id: i64,
    settings_input: Value,
    /// Days from now on, as time off may be recorded only up to a year ahead.
    time_off: (String, String),
    time_off_target: (String, String),
    /// A demo account, and two contacts made for merging one into the other.
    account_id: i64,
    contact_id: i64,
    duplicate_contact_id: i64,
    /// A ticket of its own for "convert to lead" (which archives it), and a sales team.
    lead_ticket: (String, i64),
    sales_team_id: i64,
    /// Two tickets made for merging: (reference, version).
    merge_pair: [(String, i64); 2],
    /// Someone invited by the fuzz pass (the user endpoints aim at them), and their link's secret.
    invited_id: i64,
    invitation_token: String,
}

/// Versions (and the delete endpoints' targets), refreshed after successful changes.
#[derive(Clone, Default, Debug)]
struct Live {
    ticket: i64,
    stages: HashMap<i64, i64>,
    settings: i64,
    queue: i64,
    routing_rule: i64,
    automation_rule: i64,
    calendar: i64,
    priority_code: i64,
    policy: i64,
    entitlement: i64,
    routing_target: (i64, i64),
    automation_target: (i64, i64),
    policy_target: (i64, i64),
    time_off_target: i64,
    /// The invited user's version, and the admin's own (profile).
    user: i64,
    profile: i64,
}

fn each(answer: &Value) -> Vec<&Value> {
    answer.as_array().map_or_else(Vec::new, |items| items.iter().collect())
}

/// Takes the new versions from a successful answer that carries them; `false` when it does not
/// (then they are read again).
fn absorb(endpoint: &str, answer: &Value, snap: &Snap, live: &mut Live) -> bool {
    let id_version = |item: &Value| Some((item["id"].as_i64()?, item["version"].as_i64()?));
    let ticket = |detail: &Value, live: &mut Live| match detail["version"].as_i64() {
        Some(version) => {
            if detail["reference"] == json!(snap.reference) {
                live.ticket = version;
            }
            true
        }
        None => false,
    };
    let rules = |items: Vec<&Value>, rule: &mut i64, rule_id: i64, target: &mut (i64, i64)| {
        let mut understood = !items.is_empty();
        for item in items {
            match id_version(item) {
                Some((id, version)) if id == rule_id => *rule = version,
                Some((id, version)) if id == target.0 => target.1 = version,
                Some(_) => {}
                None => understood = false,
            }
        }
        understood
    };
    match endpoint {
        "move_ticket" | "update_ticket" => ticket(answer, live),
        "save_and_route" => ticket(&answer[0], live),
        "rename_stage" | "fold_stage" | "set_stage_pausing" | "reorder_stage" => {
            let stages = if answer.is_array() { each(answer) } else { vec![answer] };
            let mut understood = !stages.is_empty();
            for stage in stages {
                match id_version(stage) {
                    Some((id, version)) => {
                        live.stages.insert(id, version);
                    }
                    None => understood = false,
                }
            }
            understood
        }
        "save_team_settings" => match answer["version"].as_i64() {
            Some(version) if answer["team_id"] == json!(snap.team_id) => {
                live.settings = version;
                true
            }
            _ => false,
        },
        "save_routing_rule" => rules(vec![answer], &mut live.routing_rule, snap.routing_rule_id, &mut live.routing_target),
        "reorder_routing_rule" => rules(each(answer), &mut live.routing_rule, snap.routing_rule_id, &mut live.routing_target),
        "save_automation_rule" => rules(vec![answer], &mut live.automation_rule, snap.automation_rule_id, &mut live.automation_target),
        "save_calendar" | "save_entitlement" => match id_version(answer) {
            Some((id, version)) => {
                if endpoint == "save_calendar" && id == snap.calendar_id {
                    live.calendar = version;
                }
                if endpoint == "save_entitlement" && id == snap.entitlement_id {
                    live.entitlement = version;
                }
                true
            }
            None => false,
        },
        _ => false,
    }
}

fn template(endpoint: &str, snap: &Snap, live: &Live) -> Value {
    let stage_version = |stage: i64| live.stages.get(&stage).copied().unwrap_or(1);
    match endpoint {
        "login" => json!({ "email": "admin@demo.test", "password": "demo1234" }),
        "create_first_admin" => json!({ "name": "Fuzz Admin", "email": "fuzz-admin@example.com", "password": "a long enough password" }),
        "pull_next" => json!({ "source": { "team": snap.team_id } }),
        "save_automation_rule" => json!({ "id": snap.automation_rule_id, "version": live.automation_rule, "rule": snap.automation_rule }),
        "delete_automation_rule" => json!({ "id": live.automation_target.0, "version": live.automation_target.1 }),
        "board" => json!({ "team_id": snap.team_id, "limits": [{ "stage_id": snap.stage_a, "limit": 5 }], "view": { "by_urgency": false, "filter": "all" } }),
        "move_ticket" => json!({ "reference": snap.reference, "version": live.ticket, "stage_id": snap.stage_b, "before": snap.before }),
        "create_stage" => json!({ "team_id": snap.team_id, "name": "Fuzz stage", "category": "in_progress" }),
        "rename_stage" => json!({ "stage_id": snap.stage_a, "version": stage_version(snap.stage_a), "name": snap.stage_a_name }),
        "fold_stage" => json!({ "stage_id": snap.stage_a, "version": stage_version(snap.stage_a), "folded": false }),
        "reorder_stage" => json!({ "stage_id": snap.stage_a, "version": stage_version(snap.stage_a), "to_index": 0 }),
        "get_team_settings" => json!({ "team_id": snap.team_id }),
        "save_team_settings" => json!({ "team_id": snap.team_id, "version": live.settings, "settings": snap.settings_input }),
        "set_stage_pausing" => json!({ "stage_id": snap.stage_a, "version": stage_version(snap.stage_a), "pauses": false }),
        "create_qualification" => json!({ "name": "Fuzz skill", "kind": "technical", "scale_max": 5 }),
        "rate_qualification" => json!({ "user_id": snap.person_id, "qualification_id": snap.qualification_id, "rating": 1 }),
        "create_queue" => json!({ "name": "Fuzz queue", "description": "Made by the fuzz test" }),
        "save_queue_members" => json!({ "queue_id": snap.queue_id, "version": live.queue, "members": snap.queue_members }),
        "queue_tickets" => json!({ "queue_id": snap.queue_id }),
        "change_queue" => json!({ "queue_id": snap.queue_id, "references": [snap.reference], "add": true }),
        "save_routing_rule" => json!({ "id": snap.routing_rule_id, "version": live.routing_rule, "rule": snap.routing_rule }),
        "delete_routing_rule" => json!({ "id": live.routing_target.0, "version": live.routing_target.1 }),
        "reorder_routing_rule" => json!({ "id": snap.routing_rule_id, "version": live.routing_rule, "to_index": 0 }),
        "apply_routing_rules" => json!({ "references": [snap.reference] }),
        "save_calendar" => json!({ "id": snap.calendar_id, "version": live.calendar, "calendar": snap.calendar_input }),
        "save_priority_code" => json!({ "priority": snap.priority, "version": live.priority_code, "code": snap.priority_code_input }),
        "save_sla_policy" => json!({ "id": snap.policy_id, "version": live.policy, "policy": snap.policy_input }),
        "delete_sla_policy" => json!({ "id": live.policy_target.0, "version": live.policy_target.1 }),
        "save_entitlement" => json!({ "id": snap.entitlement_id, "version": live.entitlement, "entitlement": snap.entitlement_input }),
        "create_ticket" => json!({ "input": snap.new_ticket_input }),
        "ticket" | "portal_ticket" | "resolution_prompt" => json!({ "reference": snap.reference }),
        "create_child_ticket" => json!({ "parent": snap.reference, "title": "Fuzz child" }),
        "convert_to_lead" => json!({ "reference": snap.lead_ticket.0, "version": snap.lead_ticket.1, "lead": {
            "title": "Fuzz lead", "customer": "ticket", "sales_team_id": snap.sales_team_id, "salesperson_id": null } }),
        "update_ticket" | "save_and_route" => json!({ "reference": snap.reference, "version": live.ticket, "input": snap.ticket_input }),
        "search_customers" => json!({ "query": "a" }),
        "list_accounts" | "list_contacts" => json!({ "query": "a", "offset": 0 }),
        "get_account" => json!({ "id": snap.account_id }),
        "get_contact" => json!({ "id": snap.contact_id }),
        // New records: the first one is made, the same again is refused as a duplicate.
        "save_account" => json!({ "id": null, "version": null, "account": {
            "name": "Fuzz account", "address": "1 Fuzz Way", "phone": "+1 555 0100", "email": "fuzz@example.com", "website": "example.com", "notes": "",
            "parent_id": snap.account_id } }),
        "save_contact" => json!({ "id": null, "version": null, "contact": {
            "name": "Fuzz person", "email": "", "phone": "+1 555 0101", "mobile": "", "job_title": "Tester", "account_id": snap.account_id,
            "portal_access": false } }),
        "merge_contacts" => json!({ "keep_id": snap.contact_id, "keep_version": 1, "duplicate_id": snap.duplicate_contact_id, "duplicate_version": 1 }),
        "customer_card" | "ticket_followers" | "typing" | "possible_duplicates" => json!({ "reference": snap.reference }),
        "post_message" => json!({ "reference": snap.reference, "message": { "kind": "note", "body": "Fuzz note", "attachment_ids": [] } }),
        // No such message: the refusal paths (the store tests cover the successful ones).
        "edit_message" => json!({ "reference": snap.reference, "message_id": 999_999, "version": 1, "body": "Fuzz edit" }),
        "delete_message" => json!({ "reference": snap.reference, "message_id": 999_999, "version": 1 }),
        "add_follower" => json!({ "reference": snap.reference, "follower": { "type": "user", "id": snap.person_id } }),
        "remove_follower" => json!({ "reference": snap.reference, "follower": { "type": "user", "id": snap.person_id } }),
        "mute_ticket" => json!({ "reference": snap.reference, "muted": true }),
        "ticket_attachments" | "linked_articles" => json!({ "reference": snap.reference }),
        // Demo attachments and articles: the first delete succeeds, later ones answer 404; a
        // stale article version answers 409.
        "delete_attachment" | "load_article" => json!({ "id": 1 }),
        "search_articles" => json!({ "search": "vpn", "category": "" }),
        "create_article" => json!({ "input": { "title": "Fuzz article", "body": "**Fuzz**", "category": "Fuzz", "published": false } }),
        "update_article" => json!({ "id": 1, "version": 1, "input": { "title": "Fuzz article", "body": "Text", "category": "", "published": true } }),
        "link_article" => json!({ "reference": snap.reference, "article_id": 1, "link": true }),
        "merge_candidates" => json!({ "references": [snap.merge_pair[0].0, snap.merge_pair[1].0] }),
        // The first valid call merges the pair; later ones are refused (merged already).
        "merge_tickets" => json!({ "survivor": snap.merge_pair[0].0, "references": [snap.merge_pair[0].0, snap.merge_pair[1].0],
            "versions": [snap.merge_pair[0].1, snap.merge_pair[1].1] }),
        "add_time_off" => json!({ "first_day": snap.time_off.0, "last_day": snap.time_off.1 }),
        "remove_time_off" => json!({ "id": live.time_off_target }),
        "catalog" => json!({ "catalog": "subjects" }),
        "save_catalog_value" => json!({ "catalog": "units", "id": null, "version": null, "value": {
            "name": "FUZZ-1", "parent_id": null,
            "unit": { "item": "Fuzz item", "unit_type_id": null, "account_id": null, "warranty_until": "2027-01-01", "contract": "Fuzz contract" } } }),
        // Demo values (regions are flat, some unused); a stale version answers 409, an unused value may go.
        "set_catalog_value_active" => json!({ "catalog": "regions", "id": 1, "version": 1, "active": true }),
        "delete_catalog_value" => json!({ "catalog": "regions", "id": 1, "version": 1 }),
        "user_time_off" | "user_detail" | "renew_invitation" => json!({ "user_id": snap.invited_id }),
        "add_user_time_off" => json!({ "user_id": snap.invited_id, "first_day": snap.time_off.0, "last_day": snap.time_off.1 }),
        "users" => json!({ "search": "a", "role": null }),
        "invite_user" => json!({ "name": "Fuzz Invitee", "email": "fuzz-invitee@example.com", "role": "agent" }),
        "save_user" => json!({ "user_id": snap.invited_id, "version": live.user, "input": { "name": "Fuzz Invited", "role": "agent", "team_ids": [snap.team_id] } }),
        "deactivate_user" | "reactivate_user" => json!({ "user_id": snap.invited_id, "version": live.user }),
        "accept_invitation" => json!({ "token": snap.invitation_token, "password": "a long enough password" }),
        "save_profile" => json!({ "version": live.profile, "input": { "name": "Ada Admin", "notifications": { "rules": true, "sla": true } } }),
        "change_password" => json!({ "current": "demo1234", "new": "demo1234" }),
        "start_timer" | "work_log" | "ticket_events" => json!({ "reference": snap.reference }),
        "log_time" => json!({ "reference": snap.reference, "entry": { "date": "2026-03-02", "duration": "1h 30m", "billable": true, "note": "Fuzz work" } }),
        // A seeded entry (the admin corrects anyone's); a stale version answers 409, a deleted one 404.
        "update_time_entry" => json!({ "id": 1, "version": 1, "entry": { "date": "2026-03-02", "duration": "45m", "billable": false, "note": "Fuzz corrected" } }),
        "delete_time_entry" => json!({ "id": 2, "version": 1 }),
        "timesheet" => json!({ "query": { "from": "2026-01-01", "to": "2026-03-31", "by": "agent" } }),
        // The shipped types are 1–6 ("Notes" last).
        "log_ticket_event" => json!({ "reference": snap.reference, "event": {
            "event_type_id": 6, "note": "Fuzz call", "happened_at": "2026-03-02T10:00:00Z", "duration": "10m" } }),
        "customer_open_tickets" => json!({ "customer": { "contact_id": snap.contact_id, "account_id": snap.account_id } }),
        "add_as_event" => json!({ "reference": snap.reference, "request": { "title": "Fuzz request", "description": "Once more", "origin": "phone" } }),
        _ => json!({}),
    }
}

// ---------------------------------------------------------------------------------------------
// The server.

struct Fuzz {
    router: Router,
    /// For running the background jobs' work (as `main` schedules it) between requests.
    state: app::state::AppState,
    _dir: tempfile::TempDir,
    setup_requests: std::cell::Cell<usize>,
}

struct Shot {
    status: Option<u16>,
    elapsed: Duration,
    body: String,
    failure: Option<String>,
}

impl Fuzz {
    async fn demo() -> Fuzz {
        let dir = tempfile::tempdir().expect("a temporary directory");
        // From the environment's defaults, so that a field added to `Config` needs no change here.
        let mut config = Config::from_env().expect("the configuration");
        config.database_url = format!("sqlite://{}", dir.path().join("fuzz.db").display());
        config.addr = "127.0.0.1:0".parse().expect("an address");
        config.demo = true;
        let state = server::start(&config).await.expect("the server starts");
        Fuzz { router: server::router(state.clone()), state, _dir: dir, setup_requests: std::cell::Cell::new(0) }
    }

    async fn send(&self, path: &str, cookie: Option<&str>, bytes: &Bytes, framing: &Framing) -> Shot {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        let request = match framing {
            Framing::Length => builder.header(header::CONTENT_LENGTH, bytes.len()).body(Body::from(bytes.clone())),
            Framing::Declared(length) => builder.header(header::CONTENT_LENGTH, *length).body(Body::from(bytes.clone())),
            Framing::Stream => {
                let chunks: Vec<Result<Bytes, std::io::Error>> = bytes.chunks(16 * 1024).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
                builder.body(Body::from_stream(futures::stream::iter(chunks)))
            }
        }
        .expect("a request");
        let router = self.router.clone();
        let started = Instant::now();
        let exchange = async move {
            let response = router.oneshot(request).await.map_err(|e| format!("the router failed: {e}"))?;
            let status = response.status().as_u16();
            let body = to_bytes(response.into_body(), usize::MAX).await.map_err(|e| format!("the response broke off: {e}"))?;
            Ok::<_, String>((status, body))
        };
        let outcome = tokio::time::timeout(REQUEST_TIMEOUT, exchange).await;
        let elapsed = started.elapsed();
        match outcome {
            Ok(Ok((status, body))) => Shot { status: Some(status), elapsed, body: String::from_utf8_lossy(&body).into_owned(), failure: None },
            Ok(Err(failure)) => Shot { status: None, elapsed, body: String::new(), failure: Some(failure) },
            Err(_) => Shot { status: None, elapsed, body: String::new(), failure: Some(format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())) },
        }
    }

    /// A setup call: must succeed.
    async fn call(&self, cookie: &str, endpoint: &str, args: Value) -> Value {
        let (status, body) = self.try_call(cookie, endpoint, args.clone()).await;
        assert_eq!(status, 200, "setup call {endpoint} {args}: {body}");
        body
    }

    async fn try_call(&self, cookie: &str, endpoint: &str, args: Value) -> (u16, Value) {
        self.setup_requests.set(self.setup_requests.get() + 1);
        let bytes = Bytes::from(args.to_string());
        let shot = self.send(&format!("/api/{endpoint}"), Some(cookie), &bytes, &Framing::Length).await;
        let body = serde_json::from_str(&shot.body).unwrap_or(Value::String(shot.body));
        (shot.status.unwrap_or(0), body)
    }

    async fn login(&self, email: &str) -> String {
        self.setup_requests.set(self.setup_requests.get() + 1);
        let request = Request::post("/api/login")
            .header(header::CONTENT_TYPE, "application/json")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(json!({ "email": email, "password": "demo1234" }).to_string()))
            .expect("a request");
        let response = self.router.clone().oneshot(request).await.expect("an answer");
        assert_eq!(response.status(), 200, "{email} signs in");
        let cookie = response.headers().get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("a session cookie");
        cookie.split(';').next().expect("name=value").to_string()
    }

    /// Takes what the templates need from the demo data, creating what is missing.
    async fn snapshot(&self, admin: &str) -> Snap {
        let teams = self.call(admin, "teams", json!({})).await;
        let mut chosen = None;
        for team in teams.as_array().expect("teams") {
            let team_id = team["id"].as_i64().expect("a team id");
            let board = self.call(admin, "board", json!({ "team_id": team_id, "limits": [] })).await;
            let columns = board["columns"].as_array().cloned().unwrap_or_default();
            let open = |c: &Value| !matches!(c["stage"]["category"].as_str(), Some("solved" | "cancelled"));
            let Some(from) = columns.iter().find(|c| open(c) && !c["cards"].as_array().is_none_or(Vec::is_empty)) else { continue };
            let Some(to) = columns.iter().find(|c| open(c) && c["stage"]["id"] != from["stage"]["id"]) else { continue };
            let stage_ids: Vec<i64> = columns.iter().filter_map(|c| c["stage"]["id"].as_i64()).collect();
            chosen = Some((team_id, from.clone(), to.clone(), stage_ids));
            break;
        }
        let (team_id, from, to, stage_ids) = chosen.expect("a demo team with a ticket in an open stage and a second open stage");
        let reference = from["cards"][0]["reference"].as_str().expect("a reference").to_string();
        let before = to["cards"][0]["reference"].clone();

        let detail = self.call(admin, "ticket", json!({ "reference": reference })).await;
        let ticket_input = json!({
            "title": detail["title"],
            "description": detail["description"],
            "team_id": detail["team"]["id"],
            "priority": detail["priority"],
            "origin": detail["origin"],
            "contact_id": detail["customer"]["contact_id"],
            "account_id": detail["customer"]["account_id"],
            "new_customer": null,
            "subject_id": detail["subject_id"],
            "product_id": detail["product_id"],
            "reason_id": detail["reason_id"],
            "region_id": detail["region_id"],
            "service_type_id": detail["service_type_id"],
            "unit_id": detail["unit_id"],
            "assignee_id": detail["assignee"]["id"],
            "tags": detail["tags"],
            "requirements": detail["requirements"],
            "entitlement_id": detail["entitlement"]["id"],
            "do_not_decrement": detail["do_not_decrement"],
        });

        let me = self.call(admin, "me", json!({})).await;
        let admin_id = me["id"].as_i64().expect("the admin's id");
        let matrix = self.call(admin, "qualifications", json!({})).await;
        let qualification = matrix["qualifications"][0].clone();
        let qualification_id = qualification["id"].as_i64().expect("a demo qualification");
        // Someone else: nobody rates their own qualifications.
        let person_id = matrix["people"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|person| person["id"].as_i64())
            .find(|id| *id != admin_id)
            .expect("a person to rate");
        let new_ticket_input = json!({
            "title": "Fuzz ticket",
            "description": "Made by the fuzz test.",
            "team_id": team_id,
            "priority": "normal",
            "origin": "phone",
            "contact_id": null,
            "account_id": null,
            "new_customer": { "name": "Fuzz Customer", "email": "fuzz@example.com", "account_name": "Fuzz Ltd" },
            "subject_id": detail["subject_id"],
            "product_id": detail["product_id"],
            "reason_id": null,
            "region_id": null,
            "service_type_id": null,
            "unit_id": null,
            "assignee_id": null,
            "tags": ["fuzz"],
            "requirements": [{ "qualification_id": qualification_id, "min_rating": 1 }],
            "entitlement_id": null,
            "do_not_decrement": false,
        });
        let lead_card = self
            .call(admin, "create_ticket", json!({ "input": { "title": "Fuzz lead ticket", "description": "", "team_id": team_id, "priority": "normal",
                "origin": "phone", "contact_id": null, "account_id": null, "new_customer": null, "subject_id": null, "product_id": null,
                "assignee_id": null, "tags": [] } }))
            .await;
        let lead_ticket = (lead_card["reference"].as_str().expect("a reference").to_string(), lead_card["version"].as_i64().expect("a version"));
        let sales_team_id = self.call(admin, "lead_choices", json!({})).await["sales_teams"][0]["id"].as_i64().expect("a sales team");

        let mut queues = self.call(admin, "queues", json!({})).await;
        if queues["queues"].as_array().is_none_or(Vec::is_empty) {
            self.call(admin, "create_queue", json!({ "name": "Fuzz base queue", "description": "" })).await;
            queues = self.call(admin, "queues", json!({})).await;
        }
        let mut queue = queues["queues"][0].clone();
        let mut queue_members: Vec<Value> = queue["members"].as_array().into_iter().flatten().map(|m| m["id"].clone()).collect();
        // The admin joins, so that pulling from the queue gets past the membership check.
        if !queue_members.contains(&json!(admin_id)) {
            queue_members.push(json!(admin_id));
            let args = json!({ "queue_id": queue["id"], "version": queue["version"], "members": queue_members });
            self.call(admin, "save_queue_members", args).await;
            let queues = self.call(admin, "queues", json!({})).await;
            queue = queues["queues"].as_array().into_iter().flatten().find(|q| q["id"] == queue["id"]).cloned().expect("the queue");
        }

        let mut routing = self.call(admin, "routing_rules", json!({})).await;
        if routing["rules"].as_array().is_none_or(Vec::is_empty) {
            self.call(admin, "save_routing_rule", json!({ "id": null, "version": null, "rule": routing_rule_body("Fuzz base rule", team_id) })).await;
            routing = self.call(admin, "routing_rules", json!({})).await;
        }
        let routing_rule = routing["rules"][0].clone();

        let mut automation = self.call(admin, "automation_rules", json!({})).await;
        if automation["rules"].as_array().is_none_or(Vec::is_empty) {
            self.call(admin, "save_automation_rule", json!({ "id": null, "version": null, "rule": automation_rule_body("Fuzz base rule") })).await;
            automation = self.call(admin, "automation_rules", json!({})).await;
        }
        let automation_rule = automation["rules"][0].clone();

        let mut sla = self.call(admin, "sla_setup", json!({})).await;
        let editable_calendar = |sla: &Value| sla["calendars"].as_array().into_iter().flatten().find(|c| c["always_open"] == json!(false)).cloned();
        if editable_calendar(&sla).is_none() {
            self.call(admin, "save_calendar", json!({ "id": null, "version": null, "calendar": calendar_body("Fuzz calendar") })).await;
            sla = self.call(admin, "sla_setup", json!({})).await;
        }
        let calendar = editable_calendar(&sla).expect("an editable calendar");
        if sla["policies"].as_array().is_none_or(Vec::is_empty) {
            self.call(admin, "save_sla_policy", json!({ "id": null, "version": null, "policy": policy_body("Fuzz base policy", team_id) })).await;
            sla = self.call(admin, "sla_setup", json!({})).await;
        }
        let policy = sla["policies"][0].clone();
        let priority_code = sla["priority_codes"][0].clone();
        let minutes = |v: &Value| v.as_i64().map_or(String::new(), |m| format!("{m}m"));
        let policy_input = json!({
            "team_id": policy["team"]["id"],
            "name": policy["name"],
            "enabled": policy["enabled"],
            "calendar_id": policy["calendar"]["id"],
            "priorities": policy["priorities"],
            "account_ids": policy["accounts"].as_array().into_iter().flatten().map(|a| a["id"].clone()).collect::<Vec<_>>(),
            "requires_entitlement": policy["requires_entitlement"],
            "first_response": minutes(&policy["first_response_minutes"]),
            "resolution": minutes(&policy["resolution_minutes"]),
            "next_response": minutes(&policy["next_response_minutes"]),
            "warning_percent": policy["warning_percent"],
        });

        let entitlements = self.call(admin, "entitlements", json!({})).await;
        let new_contact = |name: &str| json!({ "id": null, "version": null, "contact": {
            "name": name, "email": "", "phone": "", "mobile": "", "job_title": "", "account_id": null, "portal_access": false } });
        let contact_id = self.call(admin, "save_contact", new_contact("Fuzz kept contact")).await["id"].as_i64().expect("a new contact");
        let duplicate_contact_id = self.call(admin, "save_contact", new_contact("Fuzz duplicate contact")).await["id"].as_i64().expect("a new contact");
        let mut merge_pair = Vec::new();
        for title in ["Fuzz merge survivor", "Fuzz merge duplicate"] {
            let mut input = new_ticket_input.clone();
            input["title"] = json!(title);
            input["new_customer"] = Value::Null;
            let card = self.call(admin, "create_ticket", json!({ "input": input })).await;
            let reference = card["reference"].as_str().expect("a new ticket").to_string();
            let version = self.call(admin, "ticket", json!({ "reference": reference })).await["version"].as_i64().expect("its version");
            merge_pair.push((reference, version));
        }
        let merge_pair: [(String, i64); 2] = merge_pair.try_into().expect("two tickets");
        let entitlement = entitlements["entitlements"][0].clone();
        assert!(entitlement.is_object(), "the demo has an entitlement: {entitlements}");
        let entitlement_input = json!({
            "account_id": entitlement["account"]["id"],
            "contact_id": entitlement["contact"]["id"],
            "name": entitlement["name"],
            "kind": entitlement["kind"],
            "total_terms": entitlement["total_terms"],
            "remaining_terms": entitlement["remaining_terms"],
            "valid_from": entitlement["valid_from"],
            "valid_to": entitlement["valid_to"],
            "policy_id": entitlement["policy"]["id"],
            "decrement_on": entitlement["decrement_on"],
            "active": entitlement["active"],
        });

        let invitation = self.call(admin, "invite_user", json!({ "name": "Fuzz Invited", "email": "fuzz-invited@example.com", "role": "agent" })).await;
        let mut settings = self.call(admin, "get_team_settings", json!({ "team_id": team_id })).await;
        // The admin joins the team too (pulling from a team needs membership).
        if let Some(members) = settings["settings"]["members"].as_array().filter(|members| !members.contains(&json!(admin_id))) {
            let mut input = settings["settings"].clone();
            let mut members = members.clone();
            members.push(json!(admin_id));
            input["members"] = Value::Array(members);
            self.call(admin, "save_team_settings", json!({ "team_id": team_id, "version": settings["version"], "settings": input })).await;
            settings = self.call(admin, "get_team_settings", json!({ "team_id": team_id })).await;
        }

        Snap {
            team_id,
            stage_a: from["stage"]["id"].as_i64().expect("a stage id"),
            stage_a_name: from["stage"]["name"].as_str().unwrap_or("Stage").to_string(),
            stage_b: to["stage"]["id"].as_i64().expect("a stage id"),
            stage_ids,
            reference,
            before,
            lead_ticket,
            sales_team_id,
            ticket_input,
            new_ticket_input,
            queue_id: queue["id"].as_i64().expect("a queue id"),
            queue_members: Value::Array(queue_members),
            routing_rule_id: routing_rule["id"].as_i64().expect("a routing rule id"),
            routing_rule: routing_rule["rule"].clone(),
            automation_rule_id: automation_rule["id"].as_i64().expect("an automation rule id"),
            automation_rule: automation_rule["rule"].clone(),
            calendar_id: calendar["id"].as_i64().expect("a calendar id"),
            calendar_input: json!({
                "name": calendar["name"],
                "time_zone": calendar["time_zone"],
                "hours": ["09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "", ""],
                "holidays": "2026-12-25",
            }),
            priority: priority_code["priority"].as_str().expect("a priority code").to_string(),
            priority_code_input: json!({
                "code": priority_code["code"],
                "follow_up": minutes(&priority_code["follow_up_minutes"]),
                "warning": minutes(&priority_code["warning_minutes"]),
                "late": minutes(&priority_code["late_minutes"]),
            }),
            policy_id: policy["id"].as_i64().expect("a policy id"),
            policy_input,
            entitlement_id: entitlement["id"].as_i64().expect("an entitlement id"),
            entitlement_input,
            qualification_id,
            person_id,
            settings_input: settings["settings"].clone(),
            time_off: days_ahead(30),
            time_off_target: days_ahead(60),
            account_id: entitlement["account"]["id"].as_i64().expect("the entitlement's account"),
            contact_id,
            duplicate_contact_id,
            merge_pair,
            invited_id: invitation["user_id"].as_i64().expect("the invited user's id"),
            invitation_token: invitation["token"].as_str().expect("the invitation's token").to_string(),
        }
    }

    /// Reads the current versions of what `groups` covers into `live`; re-creates deleted targets.
    async fn refresh(&self, admin: &str, snap: &Snap, live: &mut Live, groups: Groups) {
        let version_of = |list: &Value, id: i64| {
            list.as_array().into_iter().flatten().find(|item| item["id"] == json!(id)).and_then(|item| item["version"].as_i64()).unwrap_or(1)
        };
        let target_in = |list: &Value| {
            list.as_array()
                .into_iter()
                .flatten()
                .filter(|item| item["name"] == json!(DELETE_TARGET) || item["rule"]["name"] == json!(DELETE_TARGET))
                .find_map(|item| Some((item["id"].as_i64()?, item["version"].as_i64()?)))
        };
        if groups.has(Groups::TICKET) {
            let (_, detail) = self.try_call(admin, "ticket", json!({ "reference": snap.reference })).await;
            live.ticket = detail["version"].as_i64().unwrap_or(live.ticket);
        }
        if groups.has(Groups::STAGES) {
            let limits: Vec<Value> = snap.stage_ids.iter().map(|id| json!({ "stage_id": id, "limit": 0 })).collect();
            let (_, board) = self.try_call(admin, "board", json!({ "team_id": snap.team_id, "limits": limits })).await;
            for column in board["columns"].as_array().into_iter().flatten() {
                if let (Some(id), Some(version)) = (column["stage"]["id"].as_i64(), column["stage"]["version"].as_i64()) {
                    live.stages.insert(id, version);
                }
            }
        }
        if groups.has(Groups::SETTINGS) {
            let (_, settings) = self.try_call(admin, "get_team_settings", json!({ "team_id": snap.team_id })).await;
            live.settings = settings["version"].as_i64().unwrap_or(live.settings);
        }
        if groups.has(Groups::QUEUE) {
            let (_, queues) = self.try_call(admin, "queues", json!({})).await;
            live.queue = version_of(&queues["queues"], snap.queue_id);
        }
        if groups.has(Groups::ROUTING) {
            let (_, mut routing) = self.try_call(admin, "routing_rules", json!({})).await;
            if target_in(&routing["rules"]).is_none() {
                self.try_call(admin, "save_routing_rule", json!({ "id": null, "version": null, "rule": routing_rule_body(DELETE_TARGET, snap.team_id) })).await;
                routing = self.try_call(admin, "routing_rules", json!({})).await.1;
            }
            live.routing_rule = version_of(&routing["rules"], snap.routing_rule_id);
            live.routing_target = target_in(&routing["rules"]).unwrap_or((0, 0));
        }
        if groups.has(Groups::AUTOMATION) {
            let (_, mut automation) = self.try_call(admin, "automation_rules", json!({})).await;
            if target_in(&automation["rules"]).is_none() {
                self.try_call(admin, "save_automation_rule", json!({ "id": null, "version": null, "rule": automation_rule_body(DELETE_TARGET) })).await;
                automation = self.try_call(admin, "automation_rules", json!({})).await.1;
            }
            live.automation_rule = version_of(&automation["rules"], snap.automation_rule_id);
            live.automation_target = target_in(&automation["rules"]).unwrap_or((0, 0));
        }
        if groups.has(Groups::SLA) {
            let (_, mut sla) = self.try_call(admin, "sla_setup", json!({})).await;
            if target_in(&sla["policies"]).is_none() {
                self.try_call(admin, "save_sla_policy", json!({ "id": null, "version": null, "policy": policy_body(DELETE_TARGET, snap.team_id) })).await;
                sla = self.try_call(admin, "sla_setup", json!({})).await.1;
            }
            live.calendar = version_of(&sla["calendars"], snap.calendar_id);
            live.policy = version_of(&sla["policies"], snap.policy_id);
            live.policy_target = target_in(&sla["policies"]).unwrap_or((0, 0));
            live.priority_code = sla["priority_codes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|code| code["priority"] == json!(snap.priority))
                .and_then(|code| code["version"].as_i64())
                .unwrap_or(1);
        }
        if groups.has(Groups::ENTITLEMENT) {
            let (_, entitlements) = self.try_call(admin, "entitlements", json!({})).await;
            live.entitlement = version_of(&entitlements["entitlements"], snap.entitlement_id);
        }
        if groups.has(Groups::USER) {
            let (_, user) = self.try_call(admin, "user_detail", json!({ "user_id": snap.invited_id })).await;
            live.user = user["version"].as_i64().unwrap_or(live.user);
            let (_, profile) = self.try_call(admin, "my_profile", json!({})).await;
            live.profile = profile["version"].as_i64().unwrap_or(live.profile);
        }
        if groups.has(Groups::TIME_OFF) {
            let (_, absences) = self.try_call(admin, "my_time_off", json!({})).await;
            let existing = absences.as_array().into_iter().flatten().find_map(|absence| absence["id"].as_i64());
            live.time_off_target = match existing {
                Some(id) => id,
                None => {
                    let (first, last) = &snap.time_off_target;
                    let (_, created) = self.try_call(admin, "add_time_off", json!({ "first_day": first, "last_day": last })).await;
                    created["id"].as_i64().unwrap_or(0)
                }
            };
        }
    }
}

/// A two-day absence starting `days` from today.
fn days_ahead(days: u64) -> (String, String) {
    let first = chrono::Utc::now().date_naive() + chrono::Days::new(days);
    (first.to_string(), (first + chrono::Days::new(1)).to_string())
}

fn routing_rule_body(name: &str, team_id: i64) -> Value {
    json!({
        "name": name,
        "enabled": false,
        "conditions": { "keywords": ["fuzz-never-matches"] },
        "actions": { "team_id": team_id, "queue_id": null, "assignee_id": null, "priority": null },
    })
}

fn automation_rule_body(name: &str) -> Value {
    json!({
        "name": name,
        "enabled": false,
        "trigger": "created",
        "conditions": { "ticket": { "keywords": ["fuzz-never-matches"] } },
        "actions": [{ "kind": "add_tag", "tag": "fuzz" }],
    })
}

fn calendar_body(name: &str) -> Value {
    json!({ "name": name, "time_zone": "UTC", "hours": ["09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "09:00-17:00", "", ""], "holidays": "" })
}

fn policy_body(name: &str, team_id: i64) -> Value {
    json!({
        "team_id": team_id,
        "name": name,
        "enabled": false,
        "calendar_id": 1,
        "priorities": ["low"],
        "account_ids": [],
        "requires_entitlement": false,
        "first_response": "1h",
        "resolution": "8h",
        "next_response": "",
        "warning_percent": 80,
    })
}

/// Endpoints whose successful changes feed the background jobs (SLA clocks and alerts, quiet-ticket
/// automation, automatic assignment): after each, one round of those jobs runs over the result.
fn feeds_background_jobs(endpoint: &str) -> bool {
    matches!(
        endpoint,
        "save_automation_rule"
            | "save_calendar"
            | "save_priority_code"
            | "save_sla_policy"
            | "save_entitlement"
            | "save_team_settings"
            | "set_stage_pausing"
            | "add_time_off"
            | "add_user_time_off"
            | "save_user"
            | "deactivate_user"
            | "reactivate_user"
            | "create_ticket"
            | "update_ticket"
            | "save_and_route"
    )
}

/// One round of the work `server::jobs` does on its timers, each job in its own task (so that a
/// panic is caught): what failed, if anything.
async fn background_round(state: &app::state::AppState) -> Vec<String> {
    use app::store::{pull, sla, sla_work, timed};
    let mut problems = Vec::new();
    let now = chrono::Utc::now();
    let jobs: [(&str, tokio::task::JoinHandle<Result<(), String>>); 5] = [
        ("SLA recalculation", {
            let db = state.db.clone();
            tokio::spawn(async move { sla_work::run_pending_work(&db, now).await.map(drop).map_err(|e| e.to_string()) })
        }),
        ("SLA alerts", {
            let db = state.db.clone();
            tokio::spawn(async move { sla::raise_due_alerts(&db, now).await.map(drop).map_err(|e| e.to_string()) })
        }),
        ("next SLA alert", {
            let db = state.db.clone();
            tokio::spawn(async move { sla::next_alert_at(&db).await.map(drop).map_err(|e| e.to_string()) })
        }),
        ("quiet-ticket automation", {
            let db = state.db.clone();
            tokio::spawn(async move { timed::run_quiet_rules(&db, now).await.map(drop).map_err(|e| e.to_string()) })
        }),
        ("assigning waiting tickets", {
            let db = state.db.clone();
            tokio::spawn(async move { pull::assign_waiting(&db, now).await.map(drop).map_err(|e| e.to_string()) })
        }),
    ];
    for (job, handle) in jobs {
        match tokio::time::timeout(REQUEST_TIMEOUT, handle).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => problems.push(format!("background job \"{job}\" failed: {error}")),
            Ok(Err(join)) => problems.push(format!("background job \"{job}\" panicked: {join}")),
            Err(_) => problems.push(format!("background job \"{job}\" did not finish within {} s", REQUEST_TIMEOUT.as_secs())),
        }
    }
    problems
}

// ---------------------------------------------------------------------------------------------
// Judging and reporting.

struct Violation {
    endpoint: String,
    case: String,
    problem: String,
    status: String,
    time: String,
    answer: String,
}

fn table(violations: &[Violation]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} violation(s):", violations.len());
    let _ = writeln!(out, "| # | endpoint | problem | status | time | body sent | answer |");
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for (i, v) in violations.iter().enumerate() {
        let cell = |text: &str, max: usize| truncate(&text.replace('|', "\\|").replace('\n', " "), max);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            i + 1,
            v.endpoint,
            cell(&v.problem, 300),
            v.status,
            v.time,
            cell(&v.case, 200),
            if v.answer.is_empty() { "(empty)".to_string() } else { cell(&v.answer, 200) }
        );
    }
    out
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

/// Whether a mutation's description names a value that is valid JSON of the right type but odd
/// for the field: extreme or negative numbers, far dates, huge texts and lists, odd durations…
fn looks_odd(label: &str) -> bool {
    const MARKERS: &[&str] = &[
        "9223372036854775807",
        "-9223372036854775808",
        "-9223372036854775807",
        ": -1",
        ":-1",
        "9007199254740993",
        "2147483648",
        "4294967295",
        "262142",
        "262143",
        "-262144",
        "-0001",
        "0000-01-01",
        "9999-12-31",
        "bytes)",
        " × ",
        "distinct",
        "25:00",
        "99999",
        "-1:00",
        "09:60",
        "17:00-09:00",
        "09:00-09:00",
        "Mars/",
        "+99:00",
        "-5m",
        "-1h",
        "\"0m\"",
        "1e9h",
        "\"hours\":0",
        "1000000000",
        "items (at most",
    ];
    MARKERS.iter().any(|marker| label.contains(marker))
}

/// Endpoints in a useful order: the ones that delete or end sessions last, sign-in very last
/// (its throttle then refuses every further attempt).
fn order(mut names: Vec<String>) -> Vec<String> {
    // Accepting invitations and changing passwords count failures against the client address,
    // as sign-in does: they come late, so that the throttle they trigger holds up little else.
    const LAST: &[&str] = &[
        "delete_automation_rule",
        "delete_routing_rule",
        "delete_sla_policy",
        "remove_time_off",
        "change_password",
        "accept_invitation",
        "logout",
        "logout_everywhere",
        "login",
    ];
    let rank = |name: &str| LAST.iter().position(|last| *last == name).map_or(0, |i| i + 1);
    names.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refuses_wrong_types_extreme_numbers_and_huge_lists_quickly() {
    count_panics();
    let started = Instant::now();
    let fuzz = Fuzz::demo().await;
    let admin = fuzz.login("admin@demo.test").await;
    // Sessions for the endpoints that end them; the admin's must survive the whole pass.
    let ended_by_logout = fuzz.login("agent1@demo.test").await;
    let ended_by_logout_everywhere = fuzz.login("agent2@demo.test").await;
    let snap = fuzz.snapshot(&admin).await;
    let mut live = Live::default();
    fuzz.refresh(&admin, &snap, &mut live, Groups::ALL).await;
    let setup_done = started.elapsed();
    let setup_panics = new_panics();

    let mut paths: Vec<(String, Method)> = leptos::server_fn::axum::server_fn_paths().map(|(path, method)| (path.to_string(), method)).collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    paths.dedup_by(|a, b| a.0 == b.0);
    let name_of = |path: &str| path.strip_prefix("/api/").unwrap_or(path).to_string();
    let methods: HashMap<String, Method> = paths.iter().map(|(path, method)| (name_of(path), method.clone())).collect();
    let endpoints = order(paths.iter().map(|(path, _)| name_of(path)).collect());
    assert!(endpoints.len() >= 40, "the server functions are registered: {endpoints:?}");

    let mut violations: Vec<Violation> = setup_panics
        .into_iter()
        .map(|panic| Violation {
            endpoint: "(setup)".into(),
            case: "signing in and reading the demo data".into(),
            problem: format!("panic: {panic}"),
            status: "-".into(),
            time: "-".into(),
            answer: String::new(),
        })
        .collect();
    let mut notes: Vec<String> = Vec::new();
    let mut accepted_odd: Vec<String> = Vec::new();
    let mut requests = 0usize;
    let mut answering = Duration::ZERO;
    let mut rendering = Duration::ZERO;
    let mut generating = Duration::ZERO;
    let mut refreshing = Duration::ZERO;
    let mut background = Duration::ZERO;
    let mut retries = 0usize;
    let mut statuses: HashMap<u16, usize> = HashMap::new();
    let mut slowest: Vec<(Duration, String, String)> = Vec::new();
    let mut per_endpoint: Vec<(String, usize, usize, Duration, Duration)> = Vec::new();

    for endpoint in &endpoints {
        let path = format!("/api/{endpoint}");
        if methods.get(endpoint) != Some(&Method::POST) {
            notes.push(format!("{endpoint}: not a POST endpoint ({:?}); skipped", methods.get(endpoint)));
            continue;
        }
        let schema = schema(endpoint, &snap);
        if schema.is_none() {
            notes.push(format!("{endpoint}: no argument description in this test; sent the generic bodies only"));
        }
        let cookie = match endpoint.as_str() {
            "logout" => ended_by_logout.as_str(),
            "logout_everywhere" => ended_by_logout_everywhere.as_str(),
            _ => admin.as_str(),
        };
        fuzz.refresh(&admin, &snap, &mut live, needs(endpoint)).await;
        let generate_started = Instant::now();
        let (cases, mutations) = cases_for(endpoint, schema.as_ref(), &template(endpoint, &snap, &live));
        generating += generate_started.elapsed();
        let endpoint_started = Instant::now();
        for case in &cases {
            let render_started = Instant::now();
            let body = template(endpoint, &snap, &live);
            let bytes = Bytes::from(render(&case.shape, &body, schema.as_ref()));
            rendering += render_started.elapsed();
            let expect = if bytes.len() > BODY_LIMIT { Expect::Status(413) } else { case.expect };
            let shown_case = format!("{} [{} bytes]", case.kind, bytes.len());
            let mut times = Vec::new();
            let mut last = None;
            for attempt in 0..TRIES {
                if attempt > 0 {
                    // Let a burst of load elsewhere on the machine pass before trying again.
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                let shot = fuzz.send(&path, Some(cookie), &bytes, &case.framing).await;
                requests += 1;
                answering += shot.elapsed;
                if attempt > 0 {
                    retries += 1;
                }
                times.push(shot.elapsed);
                let refused = shot.status.is_some_and(|status| (400..500).contains(&status));
                let slow = refused && shot.elapsed > REFUSAL_BUDGET;
                last = Some(shot);
                if !slow {
                    break;
                }
            }
            let shot = last.expect("at least one try");
            let time = times.iter().map(|t| ms(*t)).collect::<Vec<_>>().join(" / ");
            let mut problems = Vec::new();
            match (shot.status, &shot.failure) {
                (_, Some(failure)) => problems.push(failure.clone()),
                (Some(status), None) => {
                    *statuses.entry(status).or_default() += 1;
                    if !ALLOWED.contains(&status) {
                        problems.push(format!("status {status} is not an allowed answer"));
                    }
                    match expect {
                        Expect::Refuse if status == 200 => problems.push("accepted an invalid body".into()),
                        Expect::Status(wanted) if status != wanted => problems.push(format!("expected {wanted}")),
                        _ => {}
                    }
                    let ran_jobs = status == 200 && feeds_background_jobs(endpoint);
                    if ran_jobs {
                        let round_started = Instant::now();
                        for problem in background_round(&fuzz.state).await {
                            problems.push(format!("after this change: {problem}"));
                        }
                        background += round_started.elapsed();
                    }
                    if status == 200 && needs(endpoint) != Groups::NONE {
                        let answer: Value = serde_json::from_str(&shot.body).unwrap_or(Value::Null);
                        // The jobs may have changed the ticket again (assigned it, raised an alert).
                        if ran_jobs || !absorb(endpoint, &answer, &snap, &mut live) {
                            let refresh_started = Instant::now();
                            fuzz.refresh(&admin, &snap, &mut live, needs(endpoint)).await;
                            refreshing += refresh_started.elapsed();
                        }
                    }
                }
                (None, None) => problems.push("no status".into()),
            }
            if shot.status == Some(200) && matches!(&case.shape, Shape::Template(ops) if !ops.is_empty()) && looks_odd(&case.kind) {
                accepted_odd.push(format!("{endpoint}: {}", truncate(&case.kind, 160)));
            }
            if case.kind == "the template" && shot.status != Some(200) {
                notes.push(format!(
                    "{endpoint}: its realistic template was answered {} {}",
                    shot.status.map_or("-".into(), |s| s.to_string()),
                    truncate(&shot.body, 160)
                ));
            }
            let fastest = times.iter().min().copied().unwrap_or_default();
            if shot.status.is_some_and(|s| (400..500).contains(&s)) {
                slowest.push((fastest, endpoint.clone(), shown_case.clone()));
            }
            for panic in new_panics() {
                problems.push(format!("panic: {panic}"));
            }
            if !problems.is_empty() {
                violations.push(Violation {
                    endpoint: endpoint.clone(),
                    case: shown_case,
                    problem: problems.join("; "),
                    status: shot.status.map_or("-".into(), |s| s.to_string()),
                    time,
                    answer: shot.body,
                });
            }
        }
        per_endpoint.push((endpoint.clone(), cases.len(), mutations, generate_started.elapsed() - endpoint_started.elapsed(), endpoint_started.elapsed()));
    }

    for problem in background_round(&fuzz.state).await {
        violations.push(Violation {
            endpoint: "(background)".into(),
            case: "after the pass".into(),
            problem,
            status: "-".into(),
            time: "-".into(),
            answer: String::new(),
        });
    }
    // The server still answers, and the admin is still signed in.
    let me = fuzz.send("/api/me", Some(&admin), &Bytes::from_static(b"{}"), &Framing::Length).await;
    requests += 1;
    let me_body: Value = serde_json::from_str(&me.body).unwrap_or(Value::Null);
    if me.status != Some(200) || me_body["email"] != json!("admin@demo.test") {
        violations.push(Violation {
            endpoint: "me".into(),
            case: "after the pass: {}".into(),
            problem: format!("the server no longer answers as before: {:?}", me.failure),
            status: me.status.map_or("-".into(), |s| s.to_string()),
            time: ms(me.elapsed),
            answer: me.body.clone(),
        });
    }
    for panic in new_panics() {
        violations.push(Violation {
            endpoint: "(after the pass)".into(),
            case: "-".into(),
            problem: format!("panic: {panic}"),
            status: "-".into(),
            time: "-".into(),
            answer: String::new(),
        });
    }

    let mut report = String::new();
    let _ = writeln!(
        report,
        "HTTP fuzz pass: {} endpoints, {} fuzz requests ({} of them retries of slow refusals), {} setup/refresh requests; setup {}, waiting for fuzz answers {:.1} s, generating cases {:.1} s, rendering bodies {:.1} s, refreshing versions {:.1} s, background job rounds {:.1} s, total {:.1} s",
        endpoints.len(),
        requests,
        retries,
        fuzz.setup_requests.get(),
        ms(setup_done),
        answering.as_secs_f64(),
        generating.as_secs_f64(),
        rendering.as_secs_f64(),
        refreshing.as_secs_f64(),
        background.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    let mut counts: Vec<_> = statuses.into_iter().collect();
    counts.sort();
    let _ = writeln!(report, "statuses: {counts:?}");
    for (endpoint, cases, mutations, generated, took) in &per_endpoint {
        let _ = writeln!(report, "  {endpoint:<24} {cases:>4} bodies (drawn from {mutations:>4} field mutations; made in {}) sent in {}", ms(*generated), ms(*took));
    }
    slowest.sort_by(|a, b| b.0.cmp(&a.0));
    let over = slowest.iter().filter(|(took, ..)| *took > REFUSAL_BUDGET).count();
    let _ = writeln!(report, "refusals over the {} ms budget: {over} of {}", REFUSAL_BUDGET.as_millis(), slowest.len());
    let _ = writeln!(report, "slowest refusals (best of the tries):");
    for (took, endpoint, case) in slowest.iter().take(8) {
        let _ = writeln!(report, "  {} {endpoint}: {}", ms(*took), truncate(case, 160));
    }
    for note in &notes {
        let _ = writeln!(report, "note: {note}");
    }
    let _ = writeln!(report, "accepted (200) although odd; not a failure, for the validators' authors to judge ({}):", accepted_odd.len());
    for odd in &accepted_odd {
        let _ = writeln!(report, "  {odd}");
    }
    println!("{report}");
    if !violations.is_empty() {
        println!("{}", table(&violations));
    }
    assert!(violations.is_empty(), "{} violation(s) of the HTTP contract; the table is printed above", violations.len());
}
