-- The installation itself: its name and home time zone, set by the first admin's setup.
-- No row yet means the setup has not been finished.
CREATE TABLE organisation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT NOT NULL,
    -- IANA name, e.g. Europe/Berlin: the default for new business-hours calendars.
    time_zone  TEXT NOT NULL,
    set_up_at  TEXT NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- Customer contacts who follow a team (SPEC S1: followers are users and customer contacts):
-- they hear about the team's new tickets once mail goes out.
CREATE TABLE team_contact_followers (
    team_id    INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, contact_id)
);
