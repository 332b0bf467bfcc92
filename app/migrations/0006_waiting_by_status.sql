-- A waiting ticket is one in status Active – New: unassigned, or held by the team's default
-- queue user until someone takes it. Pull-next walks this index.
DROP INDEX tickets_waiting;
CREATE INDEX tickets_waiting ON tickets (team_id, priority_rank DESC, created_at, id) WHERE status = 'active_new';
