-- Customers (issue 11): accounts with their details and an optional parent account, contacts
-- with their details and portal access; both carry a version for optimistic concurrency.
-- A merged duplicate contact is deleted: its tickets say so on their timelines, the audit log
-- keeps who merged what.
ALTER TABLE accounts ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN website TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN parent_id INTEGER REFERENCES accounts(id);
ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE accounts ADD COLUMN created_at TEXT;

ALTER TABLE contacts ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN job_title TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN portal_access INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE INDEX contacts_by_account ON contacts (account_id);
CREATE INDEX tickets_by_contact ON tickets (contact_id, created_at);
CREATE INDEX tickets_by_account ON tickets (account_id, created_at);
CREATE INDEX units_by_account ON units (account_id);
