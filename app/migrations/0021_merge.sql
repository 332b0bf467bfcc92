-- Merged tickets (issue 12): a ticket merged into another is closed and points to the survivor,
-- which took over its conversation, followers, tags, time and timeline.
ALTER TABLE tickets ADD COLUMN merged_into_id INTEGER REFERENCES tickets(id);
CREATE INDEX tickets_merged_into ON tickets (merged_into_id) WHERE merged_into_id IS NOT NULL;
