-- The conversation of a ticket (SPEC S5): replies to the customer and internal notes.
-- `kind` 'note' is never shown to customers; every customer-facing query filters on it.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply', 'note')),
    -- Staff or customer who wrote it; NULL for mail from an unknown sender later.
    author_id  INTEGER REFERENCES users(id),
    -- Written by the customer side (portal, later mail) rather than staff: decides which SLA
    -- clock a reply meets or starts.
    from_customer INTEGER NOT NULL DEFAULT 0,
    -- Markdown as written, and the sanitized HTML rendered from it on the server.
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    edited_at  TEXT,
    deleted_at TEXT,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, created_at, id);

-- Earlier wordings of edited or deleted messages: a message's history is never lost.
CREATE TABLE message_revisions (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    replaced_by INTEGER REFERENCES users(id),
    replaced_at TEXT NOT NULL
);
CREATE INDEX message_revisions_by_message ON message_revisions (message_id);

-- Customer contacts who follow a ticket without a portal account of their own (the requester
-- always follows and is not listed here).
CREATE TABLE ticket_contact_followers (
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, contact_id)
);
CREATE INDEX ticket_contact_followers_by_contact ON ticket_contact_followers (contact_id);

-- Users who muted a ticket: no notifications about its messages.
CREATE TABLE ticket_mutes (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, user_id)
);

-- New messages on followed tickets are an in-app notification kind of their own.
ALTER TABLE users ADD COLUMN notify_messages INTEGER NOT NULL DEFAULT 1;


-- Next response runs once per unanswered customer reply, so a ticket keeps one clock per KPI
-- and round (rounds start at different moments) instead of one per KPI. SQLite changes a
-- table's constraints only by copying it.
CREATE TABLE sla_clocks_by_round (
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
    UNIQUE (ticket_id, kind, started_at)
);
INSERT INTO sla_clocks_by_round SELECT * FROM sla_clocks;
DROP TABLE sla_clocks;
ALTER TABLE sla_clocks_by_round RENAME TO sla_clocks;
CREATE INDEX sla_clocks_next_alert ON sla_clocks (next_alert_at) WHERE next_alert_at IS NOT NULL;
CREATE INDEX sla_clocks_policy ON sla_clocks (policy_id) WHERE met_at IS NULL AND cancelled_at IS NULL;
