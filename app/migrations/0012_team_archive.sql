-- An archived team takes no new tickets; its tickets stay readable to those who saw them.
ALTER TABLE teams ADD COLUMN archived_at TEXT;
