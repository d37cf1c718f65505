-- Each ticket's responsible beside its status: the employee's or group's id
-- (NULL: nobody) and whether it is a group (1) or an employee (0), kept by
-- every writer as the status is. The partial index holds the tickets an
-- employee is responsible for by status: routing's load and the workload
-- report count them from it alone.
ALTER TABLE tickets ADD COLUMN assignee TEXT COLLATE "C";
ALTER TABLE tickets ADD COLUMN assignee_group INTEGER NOT NULL DEFAULT 0;
-- Tickets already stored: the responsible of the last assign event (its "to",
-- null for nobody, and "group": true for a group), else the header's
-- registered "assignee" (an employee id as a string, a group as
-- {"id": ..., "group": true}), else nobody. Read as json, not jsonb, which
-- refuses the escape of a NUL character a stored text may hold. The strpos test
-- only spares parsing the other events.
UPDATE tickets t SET
    assignee = w.who ->> 'id',
    assignee_group = CASE WHEN w.who ->> 'id' IS NOT NULL AND w.who ->> 'group' = 'true' THEN 1 ELSE 0 END
FROM (
    SELECT h.id, coalesce(
        (
            SELECT json_build_object('id', e.document::json -> 'to', 'group', e.document::json -> 'group')
            FROM ticket_events e
            WHERE e.ticket_id = h.id AND strpos(e.document, '"assign"') > 0
              AND e.document::json ->> 'kind' = 'assign'
            ORDER BY e.seq DESC LIMIT 1
        ),
        CASE json_typeof(h.header::json -> 'assignee')
            WHEN 'string' THEN json_build_object('id', h.header::json -> 'assignee')
            WHEN 'object' THEN h.header::json -> 'assignee'
        END
    ) AS who
    FROM tickets h
) w
WHERE w.id = t.id AND w.who IS NOT NULL;
CREATE INDEX tickets_by_assignee ON tickets (assignee, status) WHERE assignee_group = 0
