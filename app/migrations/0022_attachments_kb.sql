-- Attachments (SPEC S5): file contents stored once per distinct content, under
-- `<attachments dir>/<first two hex digits>/<sha256>`; a row here for each stored file.
CREATE TABLE blobs (
    sha256       TEXT PRIMARY KEY,
    size         INTEGER NOT NULL,
    -- Sniffed from the bytes on upload, never taken from the browser.
    content_type TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

-- A file attached to a ticket, and to one of its messages once a reply or note is sent with it.
-- Soft-deleted (`deleted_at`); the blob goes when no live attachment names it any more.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    message_id  INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    file_name   TEXT NOT NULL,
    -- The stored content (`blobs.sha256`). No foreign key: a removed attachment keeps naming
    -- the content it had after the blob itself is gone with its last live reference.
    blob_sha256 TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users(id),
    created_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX attachments_by_ticket ON attachments (ticket_id, created_at, id);
CREATE INDEX attachments_by_blob ON attachments (blob_sha256);
CREATE INDEX attachments_by_message ON attachments (message_id);

-- Knowledge base (SPEC S2): articles in Markdown with their sanitized HTML rendering.
CREATE TABLE kb_articles (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    published  INTEGER NOT NULL DEFAULT 0,
    author_id  INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX kb_articles_by_title ON kb_articles (published, title);

-- Articles linked to a ticket (answers the agent used or recommends).
CREATE TABLE ticket_articles (
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    article_id INTEGER NOT NULL REFERENCES kb_articles(id) ON DELETE CASCADE,
    linked_by  INTEGER REFERENCES users(id),
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (ticket_id, article_id)
);
CREATE INDEX ticket_articles_by_article ON ticket_articles (article_id);
