-- Users are deactivated, never deleted: history keeps their name (SPEC S1, issue "set up your
-- own helpdesk"). A deactivated user cannot sign in and is never assigned.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
