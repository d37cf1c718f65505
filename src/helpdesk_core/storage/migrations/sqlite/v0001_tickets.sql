-- The foundation's ticket store: one JSON document per ticket.
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    created_us INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX tickets_by_creation ON tickets (created_us, id);
CREATE INDEX tickets_by_status ON tickets (status);
