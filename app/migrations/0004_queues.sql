-- Named queues (SPEC S3): tickets are put into queues, and the queue's members pull from them.
CREATE TABLE queues (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE queue_members (
    queue_id INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (queue_id, user_id)
);

CREATE TABLE queue_tickets (
    queue_id  INTEGER NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    added_at  TEXT NOT NULL,
    PRIMARY KEY (queue_id, ticket_id)
);
CREATE INDEX queue_tickets_by_ticket ON queue_tickets (ticket_id);
