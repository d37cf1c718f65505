"""``helpdesk import tickets``, ``helpdesk ticket show`` and ``helpdesk ticket list``; the
writes of the ``ticket`` group are in :mod:`helpdesk_cli.desk_commands`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.desk_commands import COMMANDS as DESK_COMMANDS
from helpdesk_cli.instants import instant
from helpdesk_cli.output import write_rows
from helpdesk_cli.table import Column, Layout, Symbols
from helpdesk_cli.terminal import cell, shown
from helpdesk_core.desk import import_ticket_histories
from helpdesk_core.desk.filters import check_list_filter
from helpdesk_core.model.ticket import Comment, Event, Ticket
from helpdesk_core.serialization import ticket_to_json, unstructure
from helpdesk_core.storage.protocols import Stored

pass_app = click.make_pass_decorator(AppContext)


@click.group("import")
def import_group() -> None:
    """Import data files into the store."""


@import_group.command("tickets")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and count, store nothing.")
@click.option(
    "--skip-invalid", is_flag=True, help="Import the good lines; name each bad one on stderr."
)
@pass_app
def import_tickets(app: AppContext, file: Path, dry_run: bool, skip_invalid: bool) -> None:
    """Import ticket histories from a JSON Lines FILE, all or nothing unless
    --skip-invalid.

    Every history is replayed through the status workflow; a history that could
    not have happened is refused with its line number, and nothing is stored.
    The company, contact, assignee and comment authors a ticket names must be
    in the store: import the customer base and the staff first
    (helpdesk import --bundle).
    Histories are append-only: a stored ticket is left unchanged by an older
    copy, gets the new events of a longer one, and a copy that differs from it
    is refused.
    """
    config = app.config
    summary = import_ticket_histories(
        file,
        store=app.store_for(dry_run=dry_run),
        graph=config.graph,
        policy=config.automation,
        catalogs=config.catalogs,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        config=config,
    )
    for reason in summary.skipped:
        click.echo(f"Skipped: {reason}", err=True)
    verb = "would import" if dry_run else "imported"
    events = f" ({summary.events_appended} events)" if summary.appended else ""
    skipped = f", {len(summary.skipped)} skipped" if skip_invalid else ""
    click.echo(
        f"{verb} {file}: {summary.created} created, {summary.appended} appended{events}, "
        f"{summary.unchanged} unchanged{skipped}"
    )


@click.group("ticket")
def ticket_group() -> None:
    """Look at tickets and work on them: register, comment, move, assign, set
    priority, type and deadlines, see the SLA (each write one desk use case)."""


for _command in DESK_COMMANDS:
    ticket_group.add_command(_command)


def _when(instant: datetime | None) -> str:
    return "" if instant is None else instant.isoformat(timespec="minutes")


def _describe(event: Event) -> str:
    """One line for a person: a comment as its text, any other event as its
    JSONL fields (``status to=resolved (by E-1)``)."""
    if isinstance(event, Comment):
        visibility = "public" if event.public else "private"
        author = " ".join(filter(None, (event.author, event.by)))
        return f"{visibility} comment by {author}: {event.body}"
    fields: dict[str, object] = unstructure(event)
    text = " ".join(f"{k}={v}" for k, v in fields.items() if k not in ("kind", "at", "by"))
    return f"{event.kind} {text}" + (f" (by {event.by})" if event.by else "")


@ticket_group.command("show")
@click.argument("ticket_id")
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def show(app: AppContext, ticket_id: str, fmt: str) -> None:
    """Show one ticket with its whole history and its version (what
    --expected-version of a write compares with)."""
    stored = app.existing_store.tickets.get(ticket_id)
    ticket = stored.value
    if fmt == "json":
        data = {**ticket_to_json(ticket), "version": stored.version}
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(Text.assemble(cell(ticket.id, "bold"), "  ", cell(ticket.subject)))
    for label, value in [*_facts(ticket), ("version", str(stored.version))]:
        console.print(cell(f"  {label:<10} {value}"))
    table = Table("at", "event", box=None, show_header=False)
    table.add_row(_when(ticket.created_at), "registered")
    for event in ticket.events:
        table.add_row(_when(event.at), cell(_describe(event)))
    console.print(table)


def _facts(ticket: Ticket) -> list[tuple[str, str]]:
    assignee = ticket.assignee
    return [
        ("status", ticket.status),
        ("type", ticket.type or "-"),
        ("priority", ticket.priority or "-"),
        ("channel", ticket.channel or "-"),
        ("company", ticket.company or "-"),
        ("contact", ticket.contact or "-"),
        ("assignee", "-" if assignee is None else f"{assignee.id}{' (group)' if assignee.group else ''}"),
    ]


_LIST_COLUMNS = ("id", "created_at", "status", "priority", "subject")


def _list_layouts(symbols: Symbols) -> tuple[Layout]:
    """``ticket list`` as a table: ticket and status whole, the rest as the width allows."""
    return (Layout((
        Column("ticket", lambda row: shown(row["id"]), kept=True),
        Column("created", lambda row: _when(datetime.fromisoformat(row["created_at"])),
               width=len("2026-04-08T15:00+02:00")),
        Column("status", lambda row: shown(row["status"]), kept=True),
        Column("priority", lambda row: shown(row["priority"] or "-")),
        Column("subject", lambda row: shown(row["subject"])),
    )),)


@ticket_group.command("list")
@click.option("--status", default=None, help="Only tickets now in this status id (unknown ones are refused).")
@click.option("--assignee", default=None, metavar="ID",
              help="Only tickets an employee or group is now responsible for (unknown ids are refused).")
@click.option("--company", default=None, metavar="ID",
              help="Only tickets of this company (unknown ids are refused).")
@click.option("--overdue", is_flag=True,
              help="Only unclosed tickets whose reaction or resolution deadline passed (as of --as-of).")
@click.option("--as-of", callback=instant, metavar="DATETIME",
              help="The instant --overdue is judged at (default: now).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N", help="At most N tickets.")
@click.option("--after", default=None, metavar="ID",
              help="Start after this ticket (the last one of the previous page).")
@click.option("--format", "fmt", type=Choice(["table", "jsonl"]), default="table", show_default=True)
@pass_app
def list_tickets(app: AppContext, status: str | None, assignee: str | None, company: str | None,
                 overdue: bool, as_of: datetime | None, limit: int | None, after: str | None,
                 fmt: str) -> None:
    """List tickets with their current status, oldest first (by registration,
    then id). A status, company or assignee the desk does not know is refused,
    with the closest known ones. With --limit, the table ends with the --after
    that shows the next page."""
    if as_of is not None and not overdue:
        raise click.UsageError("--as-of only tells when --overdue is judged: give --overdue too")
    desk = app.desk
    check_list_filter(desk.store, status=status, company=company, assignee=assignee, graph=desk.config.graph)
    overdue_at = (as_of or desk.clock.now()) if overdue else None
    page = desk.tickets(status=status, company=company, assignee=assignee, overdue_at=overdue_at, after=after,
                        limit=None if limit is None else limit + 1)
    more = limit is not None and len(page) > limit
    shown_page = page[:limit] if more else page
    rows = (_list_row(stored) for stored in shown_page)
    if fmt == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    count = write_rows(rows, _LIST_COLUMNS, "table", sys.stdout, table=_list_layouts)
    next_page = f" (more: --after {shown(shown_page[-1].value.id)})" if more else ""
    click.echo(f"{count} tickets{next_page}")


def _list_row(stored: Stored[Ticket]) -> dict[str, object]:
    """A ``ticket list`` row (the JSON Lines object)."""
    ticket = stored.value
    return {"id": ticket.id, "status": ticket.status, "priority": ticket.priority, "subject": ticket.subject,
            "created_at": ticket.created_at.isoformat(),
            "assignee": None if ticket.assignee is None else ticket.assignee.id, "version": stored.version}
