-- Work log (SPEC S5): time agents spend on a ticket, by timer or by hand, billable or not.
-- A running timer is a row without `ended_at`; each agent has at most one.
CREATE TABLE time_entries (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    -- Whole minutes worked; 0 while the timer runs.
    minutes    INTEGER NOT NULL DEFAULT 0 CHECK (minutes >= 0),
    billable   BOOLEAN NOT NULL DEFAULT 1,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX time_entries_by_ticket ON time_entries (ticket_id, started_at);
CREATE INDEX time_entries_by_user ON time_entries (user_id, started_at);
CREATE UNIQUE INDEX time_entries_one_running ON time_entries (user_id) WHERE ended_at IS NULL;

-- Event types (SPEC S2), a catalog admins keep. The shipped ones carry a `code` so that
-- "add as an event" can pick the one matching a new ticket's channel whatever admins rename.
CREATE TABLE event_types (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    code           TEXT UNIQUE,
    deactivated_at TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX event_types_name_nocase ON event_types (lower(name));
INSERT INTO event_types (name, code) VALUES
    ('CallIn', 'call_in'), ('CallOut', 'call_out'), ('EmailIn', 'email_in'),
    ('EmailOut', 'email_out'), ('Scheduling', 'scheduling'), ('Notes', 'notes');

-- Events logged on a ticket: a call, a mail, an appointment, with a note and a duration.
CREATE TABLE ticket_events (
    id               INTEGER PRIMARY KEY,
    ticket_id        INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    event_type_id    INTEGER NOT NULL REFERENCES event_types(id),
    note             TEXT NOT NULL DEFAULT '',
    happened_at      TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 0 CHECK (duration_minutes >= 0),
    author_id        INTEGER REFERENCES users(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, happened_at);
