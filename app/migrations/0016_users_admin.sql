-- Invitations (issue "set up your own helpdesk"): an admin invites someone by email; the link
-- carries a secret token of which only the digest is stored (as for sessions). It is valid for
-- 7 days and used once. The invited user exists from the start, with a password hash nothing
-- matches, so they cannot sign in until they accept and choose a password.
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    invited_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX invitations_by_user ON invitations (user_id);

-- Which in-app notifications a user gets: those of automation rules ("notify" actions) and
-- those of SLA alerts (warnings, breaches, escalations). Both on unless the user turns them off.
ALTER TABLE users ADD COLUMN notify_rules INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN notify_sla INTEGER NOT NULL DEFAULT 1;
