-- Assignment (SPEC S3): team settings, time off, qualifications held and required.

-- NULL method = manual assignment only. `last_assigned_id` is the round-robin turn, so the
-- order survives restarts.
ALTER TABLE teams ADD COLUMN assignment_method TEXT CHECK (assignment_method IN ('equal_total', 'equal_open', 'round_robin'));
ALTER TABLE teams ADD COLUMN queue_user_id INTEGER REFERENCES users(id);
ALTER TABLE teams ADD COLUMN last_assigned_id INTEGER REFERENCES users(id);

CREATE TABLE time_off (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    from_at  TEXT NOT NULL,
    until_at TEXT NOT NULL,
    CHECK (from_at < until_at)
);
CREATE INDEX time_off_by_user ON time_off (user_id, until_at);

CREATE TABLE qualifications (
    id        INTEGER PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    kind      TEXT NOT NULL CHECK (kind IN ('technical', 'soft')),
    scale_max INTEGER NOT NULL CHECK (scale_max BETWEEN 1 AND 100)
);

CREATE TABLE user_qualifications (
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    qualification_id INTEGER NOT NULL REFERENCES qualifications(id) ON DELETE CASCADE,
    rating           INTEGER NOT NULL CHECK (rating >= 1),
    PRIMARY KEY (user_id, qualification_id)
);

CREATE TABLE ticket_requirements (
    ticket_id        INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    qualification_id INTEGER NOT NULL REFERENCES qualifications(id) ON DELETE CASCADE,
    min_rating       INTEGER NOT NULL CHECK (min_rating >= 1),
    PRIMARY KEY (ticket_id, qualification_id)
);

-- Pull-next walks each team's waiting tickets best first: priority, then age.
ALTER TABLE tickets ADD COLUMN priority_rank INTEGER GENERATED ALWAYS AS
    (CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END) VIRTUAL;
CREATE INDEX tickets_waiting ON tickets (team_id, priority_rank DESC, created_at, id) WHERE assignee_id IS NULL AND status = 'active_new';
-- Only assigned tickets are looked up by assignee; unassigned ones go through tickets_waiting.
DROP INDEX tickets_assignee;
CREATE INDEX tickets_assignee ON tickets (assignee_id) WHERE assignee_id IS NOT NULL;
-- Members' loads (open and total tickets) for automatic assignment.
CREATE INDEX tickets_team_load ON tickets (team_id, assignee_id, status) WHERE assignee_id IS NOT NULL;

-- Manual assignments, so that the picker can suggest whom an agent assigned to recently.
CREATE TABLE assignment_history (
    id          INTEGER PRIMARY KEY,
    actor_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    assignee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    at          TEXT NOT NULL
);
CREATE INDEX assignment_history_by_actor ON assignment_history (actor_id, at);
