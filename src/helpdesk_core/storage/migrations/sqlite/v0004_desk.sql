-- The live desk: the out-box of domain events, how far each consumer acknowledged it,
-- named gap-free sequences (ticket numbers) and each ticket's next wake-up.
-- outbox_head is the out-box's counter row: appending updates it, so writers take
-- positions one after the other in commit order.
CREATE TABLE outbox (position INTEGER PRIMARY KEY, document TEXT NOT NULL);
CREATE TABLE outbox_head (only_row INTEGER PRIMARY KEY CHECK (only_row = 1), position INTEGER NOT NULL);
INSERT INTO outbox_head (only_row, position) VALUES (1, 0);
CREATE TABLE outbox_consumers (consumer TEXT PRIMARY KEY, acknowledged INTEGER NOT NULL);
CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- wake_us: UTC microseconds, -4611686018427387904 (-2^62) while stale, NULL with nothing ahead.
CREATE TABLE ticket_schedule (ticket_id TEXT PRIMARY KEY, wake_us INTEGER, checked_us INTEGER);
CREATE INDEX ticket_schedule_by_wakeup ON ticket_schedule (wake_us, ticket_id);
-- Every ticket already stored is stale: the first run of the scheduler looks at it.
INSERT INTO ticket_schedule (ticket_id, wake_us, checked_us) SELECT id, -4611686018427387904, NULL FROM tickets
