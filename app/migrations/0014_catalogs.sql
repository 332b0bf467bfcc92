-- Catalogs (issue 11): admins add, rename, move and deactivate values. A value in use is
-- deactivated, never deleted: it is no longer offered, and stays on the tickets that carry it.
ALTER TABLE subjects ADD COLUMN deactivated_at TEXT;
ALTER TABLE subjects ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reason_codes ADD COLUMN deactivated_at TEXT;
ALTER TABLE reason_codes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN deactivated_at TEXT;
ALTER TABLE products ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE regions ADD COLUMN deactivated_at TEXT;
ALTER TABLE regions ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE service_types ADD COLUMN deactivated_at TEXT;
ALTER TABLE service_types ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE unit_types ADD COLUMN deactivated_at TEXT;
ALTER TABLE unit_types ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE units ADD COLUMN deactivated_at TEXT;
ALTER TABLE units ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- Names are unique ignoring case: among siblings in the trees, across the flat catalogs.
CREATE UNIQUE INDEX subjects_sibling_name ON subjects (COALESCE(parent_id, 0), lower(name));
CREATE UNIQUE INDEX reason_codes_sibling_name ON reason_codes (COALESCE(parent_id, 0), lower(name));
CREATE UNIQUE INDEX products_name_nocase ON products (lower(name));
CREATE UNIQUE INDEX regions_name_nocase ON regions (lower(name));
CREATE UNIQUE INDEX service_types_name_nocase ON service_types (lower(name));
CREATE UNIQUE INDEX unit_types_name_nocase ON unit_types (lower(name));
CREATE UNIQUE INDEX units_serial_nocase ON units (lower(serial));
