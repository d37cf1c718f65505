-- Tickets as a header row plus one row per event, and a table per kind of aggregate.
-- Ids use the "C" collation so that ordering is by code point, as in every backend.
CREATE TABLE tickets (
    id TEXT COLLATE "C" PRIMARY KEY,
    created_us BIGINT NOT NULL,
    status TEXT NOT NULL,
    company TEXT,
    version INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    last_us BIGINT NOT NULL,
    header TEXT NOT NULL
);
CREATE INDEX tickets_by_creation ON tickets (created_us, id);
CREATE INDEX tickets_by_status ON tickets (status, created_us, id);
CREATE INDEX tickets_by_company ON tickets (company, created_us, id);
CREATE TABLE ticket_events (
    ticket_id TEXT COLLATE "C" NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);
CREATE TABLE companies (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE contacts (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE customer_groups (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE contracts (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE service_objects (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE equipment (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE employees (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
CREATE TABLE employee_groups (id TEXT COLLATE "C" PRIMARY KEY, external_id TEXT UNIQUE, version INTEGER NOT NULL, document TEXT NOT NULL);
