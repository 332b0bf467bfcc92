-- Core schema: people, teams with their pipelines, customers, tickets and their timeline.
-- Timestamps are UTC, stored as sqlx's chrono text encoding.

CREATE TABLE accounts (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER REFERENCES accounts(id),
    name       TEXT NOT NULL,
    email      TEXT UNIQUE COLLATE NOCASE,
    phone      TEXT
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'lead', 'agent', 'customer')),
    password_hash TEXT NOT NULL,
    contact_id    INTEGER REFERENCES contacts(id),
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'company', 'public')),
    version     INTEGER NOT NULL DEFAULT 1
);

-- Members work the team's tickets; followers are invited/notified. Either may see a private team.
CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE team_followers (
    team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE stages (
    id       INTEGER PRIMARY KEY,
    team_id  INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    name     TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('new', 'in_progress', 'waiting', 'solved', 'cancelled')),
    position INTEGER NOT NULL,
    folded   INTEGER NOT NULL DEFAULT 0,
    version  INTEGER NOT NULL DEFAULT 1,
    UNIQUE (team_id, name)
);

CREATE TABLE subjects (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES subjects(id),
    name      TEXT NOT NULL
);

CREATE TABLE products (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE tickets (
    id          INTEGER PRIMARY KEY,
    number      INTEGER NOT NULL UNIQUE,
    team_id     INTEGER NOT NULL REFERENCES teams(id),
    stage_id    INTEGER NOT NULL REFERENCES stages(id),
    -- Order inside a column; fractional so that a move rewrites one row only.
    position    REAL NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    priority    TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    status      TEXT NOT NULL CHECK (status IN ('active_new', 'active_assigned', 'resolved', 'cancelled')),
    assignee_id INTEGER REFERENCES users(id),
    account_id  INTEGER REFERENCES accounts(id),
    contact_id  INTEGER REFERENCES contacts(id),
    origin      TEXT NOT NULL,
    subject_id  INTEGER REFERENCES subjects(id),
    product_id  INTEGER REFERENCES products(id),
    created_by  INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    closed_at   TEXT,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX tickets_board ON tickets (team_id, stage_id, position);
CREATE INDEX tickets_assignee ON tickets (assignee_id);

CREATE TABLE ticket_tags (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);

CREATE TABLE ticket_followers (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE timeline_entries (
    id        INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL,
    actor_id  INTEGER REFERENCES users(id),
    at        TEXT NOT NULL,
    summary   TEXT NOT NULL
);

CREATE INDEX timeline_by_ticket ON timeline_entries (ticket_id, at);
