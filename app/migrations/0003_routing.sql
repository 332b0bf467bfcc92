-- Routing rules (SPEC S3): ordered; the first enabled rule whose conditions hold decides.
-- Conditions and actions are JSON documents (model::RoutingConditions / RoutingActions),
-- validated on save; ids inside them are checked when the rule is saved.
CREATE TABLE routing_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    enabled    INTEGER NOT NULL DEFAULT 1,
    conditions TEXT NOT NULL,
    actions    TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX routing_rules_order ON routing_rules (position, id);
