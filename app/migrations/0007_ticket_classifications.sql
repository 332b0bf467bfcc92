-- Classifications a ticket can carry (SPEC S2, S3): reason codes (general › specific), region,
-- service type, and the customer's unit (serial number and item, with warranty and contract).
CREATE TABLE reason_codes (
    id        INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES reason_codes(id),
    name      TEXT NOT NULL
);
CREATE TABLE regions (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE service_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE unit_types (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE units (
    id             INTEGER PRIMARY KEY,
    serial         TEXT NOT NULL UNIQUE,
    item           TEXT NOT NULL,
    unit_type_id   INTEGER REFERENCES unit_types(id),
    account_id     INTEGER REFERENCES accounts(id),
    warranty_until TEXT,
    contract       TEXT NOT NULL DEFAULT ''
);
ALTER TABLE tickets ADD COLUMN reason_id INTEGER REFERENCES reason_codes(id);
ALTER TABLE tickets ADD COLUMN region_id INTEGER REFERENCES regions(id);
ALTER TABLE tickets ADD COLUMN service_type_id INTEGER REFERENCES service_types(id);
ALTER TABLE tickets ADD COLUMN unit_id INTEGER REFERENCES units(id);
