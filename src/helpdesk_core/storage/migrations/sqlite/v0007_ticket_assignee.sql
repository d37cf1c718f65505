-- Each ticket's responsible beside its status: the employee's or group's id
-- (NULL: nobody) and whether it is a group (1) or an employee (0), kept by
-- every writer as the status is. The partial index holds the tickets an
-- employee is responsible for by status: routing's load and the workload
-- report count them from it alone.
ALTER TABLE tickets ADD COLUMN assignee TEXT;
ALTER TABLE tickets ADD COLUMN assignee_group INTEGER NOT NULL DEFAULT 0;
-- Tickets already stored: the responsible of the last assign event (its "to",
-- null for nobody, and "group": true for a group), else the header's
-- registered "assignee" (an employee id as a string, a group as
-- {"id": ..., "group": true}), else nobody. The instr test only spares parsing
-- the other events.
UPDATE tickets SET (assignee, assignee_group) = (
    SELECT
        CASE WHEN last.document IS NOT NULL THEN json_extract(last.document, '$.to')
             WHEN json_type(tickets.header, '$.assignee') = 'object' THEN json_extract(tickets.header, '$.assignee.id')
             WHEN json_type(tickets.header, '$.assignee') = 'text' THEN json_extract(tickets.header, '$.assignee')
        END,
        CASE WHEN last.document IS NOT NULL THEN
                 CASE WHEN json_type(last.document, '$.to') = 'text'
                       AND json_type(last.document, '$.group') = 'true' THEN 1 ELSE 0 END
             WHEN json_type(tickets.header, '$.assignee') = 'object' THEN
                 CASE WHEN json_type(tickets.header, '$.assignee.group') = 'true' THEN 1 ELSE 0 END
             ELSE 0
        END
    FROM (
        SELECT (
            SELECT e.document FROM ticket_events e
            WHERE e.ticket_id = tickets.id AND instr(e.document, '"assign"') > 0
              AND json_extract(e.document, '$.kind') = 'assign'
            ORDER BY e.seq DESC LIMIT 1
        ) AS document
    ) AS last
);
-- assignee_group is in the index although always 0 there: SQLite reads a partial
-- index alone only when it holds every column the query names, its condition's too.
CREATE INDEX tickets_by_assignee ON tickets (assignee, status, assignee_group) WHERE assignee_group = 0
