-- Automation rules (SPEC S3) and in-app notifications. Trigger, conditions and actions are JSON
-- documents (model::Trigger / AutomationConditions / AutomationAction), validated on save.
CREATE TABLE automation_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    trigger    TEXT NOT NULL,
    conditions TEXT NOT NULL,
    actions    TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- When a rule last fired on a ticket: time-based rules fire once per quiet period.
CREATE TABLE automation_runs (
    rule_id   INTEGER NOT NULL REFERENCES automation_rules(id) ON DELETE CASCADE,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    fired_at  TEXT NOT NULL,
    PRIMARY KEY (rule_id, ticket_id)
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    ticket_id  INTEGER REFERENCES tickets(id) ON DELETE CASCADE,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at    TEXT
);
CREATE INDEX notifications_unread ON notifications (user_id, read_at, id);

-- Quiet tickets are found by their last change.
CREATE INDEX tickets_open_by_update ON tickets (updated_at) WHERE status IN ('active_new', 'active_assigned');

-- Shipped defaults: status follows the conversation (on once replies exist); the reminder is opt-in.
INSERT INTO automation_rules (name, enabled, trigger, conditions, actions) VALUES
    ('Agent replied: wait on the customer', 1, '"agent_replied"',
     '{"stages":["new","in_progress"]}', '[{"kind":"set_stage","category":"waiting"}]'),
    ('Customer replied: back to in progress', 1, '"customer_replied"',
     '{"stages":["waiting"]}', '[{"kind":"set_stage","category":"in_progress"}]'),
    ('Quiet for two days: remind the assignee', 0, '{"no_update_for":{"hours":48}}',
     '{"stages":["new","in_progress"]}', '[{"kind":"notify","user_id":null,"message":"No update for two days: please look at this ticket."}]');
