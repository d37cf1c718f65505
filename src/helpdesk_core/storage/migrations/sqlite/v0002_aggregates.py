"""Split each ticket into a header row and one row per event (so that an
appended event is one small insert), and add a table per kind of aggregate.

Tickets already stored as whole documents are moved over, keeping versions.
"""

from __future__ import annotations

from helpdesk_core.serialization import ticket_from_json
from helpdesk_core.storage.documents import KINDS, event_documents, ticket_header, utc_microseconds
from helpdesk_core.storage.sql import Session

TICKETS = """
CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    created_us INTEGER NOT NULL,
    status TEXT NOT NULL,
    company TEXT,
    version INTEGER NOT NULL,
    event_count INTEGER NOT NULL,
    last_us INTEGER NOT NULL,
    header TEXT NOT NULL
);
CREATE INDEX tickets_by_creation ON tickets (created_us, id);
CREATE INDEX tickets_by_status ON tickets (status, created_us, id);
CREATE INDEX tickets_by_company ON tickets (company, created_us, id);
CREATE TABLE ticket_events (
    ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
) WITHOUT ROWID
"""

AGGREGATE = """
CREATE TABLE {name} (
    id TEXT PRIMARY KEY,
    external_id TEXT UNIQUE,
    version INTEGER NOT NULL,
    document TEXT NOT NULL
)
"""


def migrate(session: Session) -> None:
    session.run("DROP INDEX tickets_by_creation")
    session.run("DROP INDEX tickets_by_status")
    session.run("ALTER TABLE tickets RENAME TO tickets_v1")
    for statement in TICKETS.split(";"):
        session.run(statement)
    for kind in KINDS:
        session.run(AGGREGATE.format(name=kind.name))
    for id, version, document in session.rows("SELECT id, version, document FROM tickets_v1"):
        ticket = ticket_from_json(document)
        session.run(
            "INSERT INTO tickets (id, created_us, status, company, version, event_count, last_us, header)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                id,
                utc_microseconds(ticket.created_at),
                ticket.status,
                ticket.company,
                version,
                len(ticket.events),
                utc_microseconds(ticket.updated_at),
                ticket_header(ticket),
            ),
        )
        session.run_many(
            "INSERT INTO ticket_events (ticket_id, seq, document) VALUES (?, ?, ?)",
            [(id, seq, doc) for seq, doc in enumerate(event_documents(ticket.events))],
        )
    session.run("DROP TABLE tickets_v1")
