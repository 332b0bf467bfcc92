-- Who changed what in the installation's setup (users, teams, customers, catalogs): the
-- administration's counterpart of a ticket's timeline. Rows are only ever added.
CREATE TABLE audit_entries (
    id        INTEGER PRIMARY KEY,
    actor_id  INTEGER REFERENCES users(id),
    at        TEXT NOT NULL,
    -- What kind of object changed: 'user', 'team', 'account', 'contact', 'catalog:subjects', …
    area      TEXT NOT NULL,
    object_id INTEGER,
    summary   TEXT NOT NULL
);
CREATE INDEX audit_by_object ON audit_entries (area, object_id, at);
CREATE INDEX audit_by_time ON audit_entries (at);
