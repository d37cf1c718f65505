-- The stored SLA state's columns for the dashboard and the batch report:
-- breached_us (the first instant the row is breached), the ticket's status
-- after its last event, and an index on each ticket's last event, so that
-- the latest event of the store is one index probe.
ALTER TABLE ticket_sla ADD COLUMN breached_us INTEGER;
ALTER TABLE ticket_sla ADD COLUMN status TEXT;
CREATE INDEX ticket_sla_by_breach ON ticket_sla (breached_us, ticket_id);
CREATE INDEX ticket_sla_by_category ON ticket_sla (status_category, due_us, ticket_id);
CREATE INDEX tickets_by_last_event ON tickets (last_us)
