-- The store's own facts (store settings) and each ticket's stored SLA state.
CREATE TABLE store_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The scheduler's policy in force moves from the counters scheduler_policy and
-- scheduler_policy:<digest> (the digest whose counter equals the generation) to
-- the setting scheduler.policy.
INSERT INTO store_settings (key, value)
SELECT 'scheduler.policy', substr(name, 18) FROM sequences
WHERE substr(name, 1, 17) = 'scheduler_policy:'
  AND value = (SELECT value FROM sequences WHERE name = 'scheduler_policy');
DELETE FROM sequences WHERE name = 'scheduler_policy' OR substr(name, 1, 17) = 'scheduler_policy:';
-- One row per ticket: the SLA projection's JSON document (opaque to the store) and
-- the queue's columns, instants in UTC microseconds. ticket_version is the ticket's
-- version the row was computed from: a row whose ticket has another one is stale. Filled by the desk and by
-- `helpdesk sla rebuild`, empty after this migration.
CREATE TABLE ticket_sla (
    ticket_id TEXT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    clock TEXT NOT NULL,
    due_us INTEGER,
    at_risk_us INTEGER,
    next_change_us INTEGER,
    reaction_due_us INTEGER,
    resolution_due_us INTEGER,
    reacted INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    assignee TEXT,
    company TEXT,
    status_category TEXT,
    ticket_version INTEGER NOT NULL
);
CREATE INDEX ticket_sla_by_due ON ticket_sla (due_us, ticket_id);
CREATE INDEX ticket_sla_by_assignee ON ticket_sla (assignee, due_us, ticket_id);
CREATE INDEX ticket_sla_by_company ON ticket_sla (company, due_us, ticket_id)
