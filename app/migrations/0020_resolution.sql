-- Resolution, child tickets and conversion to a lead (issue 12, parts 7, 8 and 10).

-- Resolution codes (SPEC S2): a catalog tree like the reason codes, general › specific, required
-- when a person moves a ticket to a solved stage.
CREATE TABLE resolution_codes (
    id             INTEGER PRIMARY KEY,
    parent_id      INTEGER REFERENCES resolution_codes(id),
    name           TEXT NOT NULL,
    deactivated_at TEXT,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX resolution_codes_sibling_name ON resolution_codes (COALESCE(parent_id, 0), lower(name));
INSERT INTO resolution_codes (id, parent_id, name) VALUES
    (1, NULL, 'Solved'),
    (2, 1, 'Fixed'),
    (3, 1, 'Workaround'),
    (4, 1, 'Explained'),
    (5, NULL, 'Not solved'),
    (6, 5, 'Duplicate'),
    (7, 5, 'Customer unreachable'),
    (8, 5, 'Won''t fix');

-- The last resolution stays on a reopened ticket (the timeline keeps every one).
ALTER TABLE tickets ADD COLUMN resolution_code_id INTEGER REFERENCES resolution_codes(id);
ALTER TABLE tickets ADD COLUMN resolution_note TEXT NOT NULL DEFAULT '';
-- A free service order reference (SPEC S2 "service order cross-reference").
ALTER TABLE tickets ADD COLUMN service_order TEXT NOT NULL DEFAULT '';
-- Child tickets (subtasks) point to their parent.
ALTER TABLE tickets ADD COLUMN parent_id INTEGER REFERENCES tickets(id);
-- Archived tickets (converted to a lead) leave the board but stay readable by reference.
ALTER TABLE tickets ADD COLUMN archived_at TEXT;
CREATE INDEX tickets_by_parent ON tickets (parent_id);

-- The minimal sales side: sales teams by name, and leads converted from tickets.
CREATE TABLE sales_teams (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
CREATE UNIQUE INDEX sales_teams_name_nocase ON sales_teams (lower(name));
INSERT INTO sales_teams (name) VALUES ('Direct sales');

CREATE TABLE leads (
    id             INTEGER PRIMARY KEY,
    title          TEXT NOT NULL,
    contact_id     INTEGER REFERENCES contacts(id),
    account_id     INTEGER REFERENCES accounts(id),
    sales_team_id  INTEGER NOT NULL REFERENCES sales_teams(id),
    salesperson_id INTEGER REFERENCES users(id),
    -- The ticket the lead was converted from; the ticket finds its lead through this column.
    ticket_id      INTEGER UNIQUE REFERENCES tickets(id),
    created_by     INTEGER REFERENCES users(id),
    created_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX leads_by_created ON leads (created_at);
