-- Idle timeout: a session unused for hours ends before its absolute expiry.
-- New sessions set last_seen_at; the empty default would read as long idle (fail closed).
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
-- Sessions open at upgrade time count as used now (the format sqlx writes for whole seconds).
UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now');
-- "Sign out everywhere" and the cascade on user deletion look sessions up by user.
CREATE INDEX sessions_by_user ON sessions (user_id);
