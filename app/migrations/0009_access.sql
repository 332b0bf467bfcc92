-- Rules run with their author's rights: a lead's rule acts only on tickets of the teams that
-- lead may shape. Rules without an owner (shipped defaults, admins' rules) act on every team.
ALTER TABLE routing_rules ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE;
ALTER TABLE automation_rules ADD COLUMN owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE;

-- SLA recalculations after a settings change, queued in the change's transaction and removed
-- when done, so that a restart resumes what was left unfinished.
CREATE TABLE pending_sla_work (
    id        INTEGER PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('policy', 'calendar', 'priority_code', 'team')),
    target    TEXT NOT NULL,
    queued_at TEXT NOT NULL
);
