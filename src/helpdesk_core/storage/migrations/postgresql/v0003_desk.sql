-- The live desk: the out-box of domain events, how far each consumer acknowledged it,
-- named gap-free sequences (ticket numbers) and each ticket's next wake-up.
-- outbox_head is the out-box's counter row: UPDATE … RETURNING locks it until commit,
-- so writers take positions one after the other in commit order.
CREATE TABLE outbox (position BIGINT PRIMARY KEY, document TEXT NOT NULL);
CREATE TABLE outbox_head (only_row INTEGER PRIMARY KEY CHECK (only_row = 1), position BIGINT NOT NULL);
INSERT INTO outbox_head (only_row, position) VALUES (1, 0);
CREATE TABLE outbox_consumers (consumer TEXT COLLATE "C" PRIMARY KEY, acknowledged BIGINT NOT NULL);
CREATE TABLE sequences (name TEXT COLLATE "C" PRIMARY KEY, value BIGINT NOT NULL);
-- wake_us: UTC microseconds, -4611686018427387904 (-2^62) while stale, NULL with nothing ahead.
CREATE TABLE ticket_schedule (ticket_id TEXT COLLATE "C" PRIMARY KEY, wake_us BIGINT, checked_us BIGINT);
CREATE INDEX ticket_schedule_by_wakeup ON ticket_schedule (wake_us, ticket_id);
-- Every ticket already stored is stale: the first run of the scheduler looks at it.
INSERT INTO ticket_schedule (ticket_id, wake_us, checked_us) SELECT id, -4611686018427387904, NULL FROM tickets
