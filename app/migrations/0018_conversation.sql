-- The conversation of a ticket (SPEC S5): replies to the customer and internal notes.
-- `kind` 'note' is never shown to customers; every customer-facing query filters on it.
CREATE TABLE messages (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('reply', 'note')),
    -- Staff or customer who wrote it; NULL for mail from an unknown sender later.
    author_id  INTEGER REFERENCES users(id),
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

-- Users who muted a ticket: no notifications about its messages.
CREATE TABLE ticket_mutes (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id   INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (ticket_id, user_id)
);
