-- SLA (SPEC S4) and entitlements (SPEC S2): calendars, priority codes with their escalation
-- ladder, SLA policies per team, KPI clocks per ticket, customer entitlements.

CREATE TABLE calendars (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    -- IANA name, e.g. Europe/Berlin.
    time_zone   TEXT NOT NULL,
    always_open INTEGER NOT NULL DEFAULT 0,
    -- JSON: [{"weekday":"Mon","start_minute":540,"end_minute":1020}, ...]
    periods     TEXT NOT NULL DEFAULT '[]',
    -- JSON: ["2026-12-25", ...]
    holidays    TEXT NOT NULL DEFAULT '[]',
    version     INTEGER NOT NULL DEFAULT 1
);

-- The built-in round-the-clock calendar; it cannot be edited or deleted.
INSERT INTO calendars (id, name, time_zone, always_open) VALUES (1, '24×7', 'UTC', 1);

-- One code per priority: what response is expected, and when each escalation level is raised
-- (business time of the ticket's calendar since the ticket was opened, pauses excluded).
CREATE TABLE priority_codes (
    priority          TEXT PRIMARY KEY CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    code              TEXT NOT NULL UNIQUE,
    follow_up_minutes INTEGER NOT NULL CHECK (follow_up_minutes > 0),
    warning_minutes   INTEGER NOT NULL,
    late_minutes      INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1,
    CHECK (follow_up_minutes < warning_minutes AND warning_minutes < late_minutes)
);

INSERT INTO priority_codes (priority, code, follow_up_minutes, warning_minutes, late_minutes) VALUES
    ('urgent', 'P1', 30, 60, 120),
    ('high', 'P2', 120, 240, 480),
    ('normal', 'P3', 480, 960, 1440),
    ('low', 'P4', 960, 1920, 2880);

CREATE TABLE sla_policies (
    id                     INTEGER PRIMARY KEY,
    team_id                INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    name                   TEXT NOT NULL,
    -- First enabled matching policy of the team wins.
    position               INTEGER NOT NULL,
    enabled                INTEGER NOT NULL DEFAULT 1,
    calendar_id            INTEGER NOT NULL REFERENCES calendars(id),
    -- Conditions; empty lists match everything. JSON arrays.
    priorities             TEXT NOT NULL DEFAULT '[]',
    account_ids            TEXT NOT NULL DEFAULT '[]',
    requires_entitlement   INTEGER NOT NULL DEFAULT 0,
    -- KPI targets in business minutes; next response is optional.
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes     INTEGER NOT NULL CHECK (resolution_minutes > 0),
    next_response_minutes  INTEGER CHECK (next_response_minutes > 0),
    -- A KPI is nearing breach once this share of its time is used.
    warning_percent        INTEGER NOT NULL CHECK (warning_percent BETWEEN 1 AND 99),
    version                INTEGER NOT NULL DEFAULT 1,
    UNIQUE (team_id, name)
);

CREATE TABLE entitlements (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts(id),
    -- Set when the entitlement belongs to one contact of the account only.
    contact_id      INTEGER REFERENCES contacts(id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('cases', 'hours')),
    total_terms     INTEGER NOT NULL CHECK (total_terms > 0),
    remaining_terms INTEGER NOT NULL CHECK (remaining_terms >= 0),
    valid_from      TEXT NOT NULL,
    valid_to        TEXT NOT NULL,
    policy_id       INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL,
    decrement_on    TEXT NOT NULL CHECK (decrement_on IN ('creation', 'resolution')),
    active          INTEGER NOT NULL DEFAULT 1,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (account_id, name)
);

ALTER TABLE tickets ADD COLUMN entitlement_id INTEGER REFERENCES entitlements(id);
ALTER TABLE tickets ADD COLUMN do_not_decrement INTEGER NOT NULL DEFAULT 0;
-- Set once the ticket has used a term of its entitlement, so that it never counts twice.
ALTER TABLE tickets ADD COLUMN entitlement_charged INTEGER NOT NULL DEFAULT 0;
-- Earliest deadline and warning moment of the ticket's running KPI clocks, for sorting and
-- filtering boards by urgency; NULL when nothing runs.
ALTER TABLE tickets ADD COLUMN sla_due_at TEXT;
ALTER TABLE tickets ADD COLUMN sla_warning_at TEXT;
CREATE INDEX tickets_sla_due ON tickets (team_id, stage_id, sla_due_at);

ALTER TABLE stages ADD COLUMN pauses_sla INTEGER NOT NULL DEFAULT 0;
UPDATE stages SET pauses_sla = 1 WHERE category = 'waiting';

-- One clock per ticket and kind: the KPIs of its SLA policy, and the priority code's
-- escalation ladder. Durations in seconds of business time.
CREATE TABLE sla_clocks (
    id                INTEGER PRIMARY KEY,
    ticket_id         INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('first_response', 'next_response', 'resolution', 'escalation')),
    policy_id         INTEGER REFERENCES sla_policies(id) ON DELETE SET NULL,
    calendar_id       INTEGER NOT NULL REFERENCES calendars(id),
    started_at        TEXT NOT NULL,
    target_secs       INTEGER NOT NULL,
    warn_after_secs   INTEGER NOT NULL,
    -- Escalation clocks only: the first rung of the ladder.
    follow_up_secs    INTEGER,
    paused_total_secs INTEGER NOT NULL DEFAULT 0,
    paused_since      TEXT,
    met_at            TEXT,
    cancelled_at      TEXT,
    -- Cached from the above for the board and the escalation job.
    due_at            TEXT,
    warning_at        TEXT,
    -- How many alerts of the clock's ladder were raised, and when the next one is due.
    alerts_raised     INTEGER NOT NULL DEFAULT 0,
    next_alert_at     TEXT,
    warned_at         TEXT,
    breached_at       TEXT,
    UNIQUE (ticket_id, kind)
);

CREATE INDEX sla_clocks_next_alert ON sla_clocks (next_alert_at) WHERE next_alert_at IS NOT NULL;
CREATE INDEX sla_clocks_policy ON sla_clocks (policy_id) WHERE met_at IS NULL AND cancelled_at IS NULL;
