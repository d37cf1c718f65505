"""The live desk from the terminal: ``helpdesk ticket new|comment|move|assign|
priority|type|due|sla`` (the fixed format "The live desk from the terminal").

Each command is one call into :class:`helpdesk_core.desk.Desk`; this module
only parses options and prints what the desk returns. Every write takes
``--by`` (default ``$HELPDESK_BY``, else ``system``), ``--at`` (default now),
``--expected-version`` (refused with exit 4 once the ticket has moved on) and
``--format text|json``; ``json`` prints the ticket-history object of the
ticket as stored, with its ``version`` and its ``sla`` row as of ``--at``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.instants import instant
from helpdesk_cli.terminal import shown

if TYPE_CHECKING:
    from helpdesk_core.desk import Desk, Outcome, SlaStatus
    from helpdesk_core.model.ticket import Assignee, AuthorKind

pass_app = click.make_pass_decorator(AppContext)
F = TypeVar("F", bound=Callable[..., Any])

SYSTEM = "system"
"""The actor of a write without ``--by`` nor ``HELPDESK_BY``."""


def writes(command: F) -> F:
    """The options every write shares: ``--by``, ``--at``, ``--expected-version``, ``--format``."""
    options = (
        click.option("--by", envvar="HELPDESK_BY", default=SYSTEM, show_default=True, metavar="ID",
                     help="Who does it: an employee or contact id, or system (env HELPDESK_BY)."),
        click.option("--at", callback=instant, metavar="DATETIME",
                     help="When it happens, with a UTC offset (default: now); "
                          "not before the ticket's last event."),
        click.option("--expected-version", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Refuse (exit 4) unless the ticket is still at version N "
                          "(as the last write showed)."),
        click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True),
    )
    for option in reversed(options):
        command = option(command)
    return command


# -- output ----------------------------------------------------------------------------


def sla_json(status: SlaStatus) -> dict[str, Any]:
    """The SLA row of docs/formats.md with ``reaction_left`` / ``resolution_left``."""
    return {**status.row.to_json(), "reaction_left": status.reaction_left,
            "resolution_left": status.resolution_left}


def ticket_json(desk: Desk, outcome: Outcome, at: datetime) -> dict[str, Any]:
    """The ticket as stored (ticket-history object) + ``version`` + ``sla`` as of ``at``."""
    from helpdesk_core.serialization import ticket_to_json

    data = ticket_to_json(outcome.ticket)
    data["version"] = outcome.version
    data["sla"] = sla_json(desk.sla_status(outcome.ticket.id, as_of=at))
    if outcome.routing is not None:
        from helpdesk_core.serialization import routing_decision_to_json

        data["routing"] = routing_decision_to_json(outcome.routing)
    if outcome.follow_up_of is not None:
        data["follow_up_of"] = outcome.follow_up_of
    return data


def report(desk: Desk, outcome: Outcome, at: datetime, fmt: str, done: str) -> None:
    """Print a write's outcome: warnings on stderr, then the JSON object or
    one line ``T-1001 version 3: <done>; status <status>``."""
    for warning in outcome.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    if fmt == "json":
        click.echo(json.dumps(ticket_json(desk, outcome, at), ensure_ascii=False, indent=2))
        return
    ticket = outcome.ticket
    if outcome.follow_up_of is not None:
        done = f"registered as a follow-up of {outcome.follow_up_of} ({done})"
    click.echo(shown(f"{ticket.id} version {outcome.version}: {done}; status {ticket.status}"))


def _minutes(minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    return f"{hours}h{rest:02d}m" if hours else f"{rest}m"


def _target(row: dict[str, Any], due: str, achieved: str, breached: str, left: int | None) -> str:
    """One SLA target as a person reads it."""
    if row[due] is None:
        return "-"
    text = f"due {row[due]}"
    if row[achieved] is not None:
        return f"{text}, done {row[achieved]}" + (" (breached)" if row[breached] else " (met)")
    if left is None:
        return text
    if left < 0:
        return f"{text}, breached {_minutes(left)} of working time ago"
    return f"{text}, {_minutes(left)} of working time left"


def sla_lines(status: SlaStatus) -> list[str]:
    """``ticket sla`` as text: one fact a line."""
    row = status.row.to_json()
    rule = "-" if row["rule"] is None else f"{row['rule']} (calendar {row['calendar']})"
    return [
        f"ticket      {row['ticket']}",
        f"rule        {rule}",
        f"state       {row['state']}",
        "reaction    " + _target(row, "reaction_due", "reacted_at", "reaction_breached",
                                 status.reaction_left),
        "resolution  " + _target(row, "resolution_due", "resolved_at", "resolution_breached",
                                 status.resolution_left),
        f"paused      {row['paused_minutes']} minutes",
    ]


# -- the commands ----------------------------------------------------------------------


def assignee_of(app: AppContext, assignee: str) -> Assignee:
    """An ``--assignee`` / ``assign ID`` as the desk takes it (a group or an employee)."""
    from helpdesk_core.desk.staff import assignee_named

    return assignee_named(app.store, assignee)


@click.command("new")
@click.option("--subject", required=True, help="What the ticket is about (one line).")
@click.option("--description", default="", help="The customer's words.")
@click.option("--type", "type_", default=None, metavar="T", help="A ticket type of the catalog.")
@click.option("--priority", default=None, metavar="P", help="A priority of the catalog.")
@click.option("--channel", default=None, metavar="C", help="How it came in (email, phone, portal…).")
@click.option("--company", default=None, metavar="ID", help="The customer company.")
@click.option("--contact", default=None, metavar="ID", help="The contact person (of that company).")
@click.option("--assignee", default=None, metavar="ID", help="An active employee or an employee group.")
@click.option("--contract", default=None, metavar="ID",
              help="The company's contract (one not covering the day is a warning on stderr).")
@click.option("--service-object", default=None, metavar="ID", help="The company's site or object served.")
@click.option("--equipment", default=None, metavar="ID", help="The company's piece of equipment concerned.")
@click.option("--id", "ticket_id", default=None, metavar="ID",
              help="The ticket's id (default: the next of the configured sequence, T-1001, …).")
@writes
@pass_app
def new(app: AppContext, subject: str, description: str, type_: str | None, priority: str | None,
        channel: str | None, company: str | None, contact: str | None, assignee: str | None,
        contract: str | None, service_object: str | None, equipment: str | None, ticket_id: str | None,
        by: str, at: datetime | None, expected_version: int | None, fmt: str) -> None:
    """Register a ticket: its id from the configured sequence unless --id, the
    company, contact, assignee and catalog values checked, the contract-coverage
    warning on stderr."""
    if expected_version is not None:
        raise click.UsageError("--expected-version is for a ticket that exists already")
    desk = app.creating_desk
    when = at or desk.clock.now()
    given = None if assignee is None else assignee_of(app, assignee)
    # a registration reads no version: retried when a concurrent one moved a round-robin cursor
    outcome = desk.retrying(lambda: desk.register_ticket(
        subject=subject, description=description, type=type_, priority=priority, channel=channel,
        company=company, contact=contact, contract=contract, service_object=service_object,
        equipment=equipment, assignee=given, id=ticket_id, by=by, at=when,
    ))
    ticket = outcome.ticket
    assigned = "" if ticket.assignee is None else f", assigned to {ticket.assignee.id}"
    if outcome.routing is not None:
        assigned += f" (routed: {outcome.routing.headline})"
    report(desk, outcome, when, fmt, f"registered{assigned}")


@click.command("comment")
@click.argument("ticket_id", metavar="TICKET")
@click.option("--author", type=Choice(["employee", "contact"]), required=True,
              help="Who writes: an employee of the desk, or the ticket's contact (as a customer reply).")
@click.option("--public/--private", default=True, show_default=True,
              help="Whether the customer sees it (a contact's comment is always public).")
@click.option("--body", required=True, metavar="TEXT", help="The comment.")
@writes
@pass_app
def comment(app: AppContext, ticket_id: str, author: str, public: bool, body: str, by: str,
            at: datetime | None, expected_version: int | None, fmt: str) -> None:
    """Add a comment. A contact's comment is a customer reply: it may reopen a
    resolved ticket, or register a linked follow-up of a closed one."""
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.comment(ticket_id, body=body, author=cast("AuthorKind", author), public=public, by=by,
                           at=when, expected_version=expected_version)
    visibility = "public" if public else "private"
    report(desk, outcome, when, fmt, f"{visibility} comment by {author} {by}")


@click.command("move")
@click.argument("ticket_id", metavar="TICKET")
@click.argument("status")
@click.option("--until", callback=instant, metavar="DATETIME",
              help="When a waiting status (postponed) ends by itself.")
@writes
@pass_app
def move(app: AppContext, ticket_id: str, status: str, until: datetime | None, by: str,
         at: datetime | None, expected_version: int | None, fmt: str) -> None:
    """Move a ticket to STATUS, as the status graph allows."""
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.transition(ticket_id, status, until=until, by=by, at=when,
                              expected_version=expected_version)
    until_text = "" if until is None else f" until {until.isoformat()}"
    report(desk, outcome, when, fmt, f"moved to {status}{until_text}")


@click.command("assign")
@click.argument("ticket_id", metavar="TICKET")
@click.argument("assignee", metavar="ID")
@writes
@pass_app
def assign(app: AppContext, ticket_id: str, assignee: str, by: str, at: datetime | None,
           expected_version: int | None, fmt: str) -> None:
    """Make ID responsible for the ticket: an active employee or an employee group."""
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.assign(ticket_id, assignee_of(app, assignee), by=by, at=when,
                          expected_version=expected_version)
    report(desk, outcome, when, fmt, f"assigned to {assignee}")


@click.command("priority")
@click.argument("ticket_id", metavar="TICKET")
@click.argument("priority", metavar="P")
@writes
@pass_app
def priority(app: AppContext, ticket_id: str, priority: str, by: str, at: datetime | None,
             expected_version: int | None, fmt: str) -> None:
    """Change the ticket's priority (one of the catalog)."""
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.change_priority(ticket_id, priority, by=by, at=when, expected_version=expected_version)
    report(desk, outcome, when, fmt, f"priority {priority}")


@click.command("type")
@click.argument("ticket_id", metavar="TICKET")
@click.argument("type_", metavar="T")
@writes
@pass_app
def type_command(app: AppContext, ticket_id: str, type_: str, by: str, at: datetime | None,
                 expected_version: int | None, fmt: str) -> None:
    """Change the ticket's type (one of the catalog)."""
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.change_type(ticket_id, type_, by=by, at=when, expected_version=expected_version)
    report(desk, outcome, when, fmt, f"type {type_}")


@click.command("due")
@click.argument("ticket_id", metavar="TICKET")
@click.option("--resolution", callback=instant, metavar="DATETIME",
              help="The resolution deadline set by hand (overrides the SLA rule's).")
@click.option("--reaction", callback=instant, metavar="DATETIME",
              help="The reaction deadline set by hand.")
@writes
@pass_app
def due(app: AppContext, ticket_id: str, resolution: datetime | None, reaction: datetime | None, by: str,
        at: datetime | None, expected_version: int | None, fmt: str) -> None:
    """Set the ticket's deadlines by hand."""
    if resolution is None and reaction is None:
        raise click.UsageError("give --resolution DATETIME (or --reaction DATETIME)")
    desk = app.desk
    when = at or desk.clock.now()
    outcome = desk.set_due(ticket_id, resolution=resolution, reaction=reaction, by=by, at=when,
                           expected_version=expected_version)
    deadlines = [f"{name} due {value.isoformat()}" for name, value in
                 (("resolution", resolution), ("reaction", reaction)) if value is not None]
    report(desk, outcome, when, fmt, ", ".join(deadlines))


@click.command("sla")
@click.argument("ticket_id", metavar="TICKET")
@click.option("--as-of", callback=instant, metavar="DATETIME",
              help="Evaluate as of this instant (default: now).")
@click.option("--format", "fmt", type=Choice(["text", "json"]), default="text", show_default=True)
@pass_app
def sla(app: AppContext, ticket_id: str, as_of: datetime | None, fmt: str) -> None:
    """The ticket's SLA row, with the working minutes left to each deadline
    (negative once breached; none once achieved or without SLA)."""
    status = app.desk.sla_status(ticket_id, as_of=as_of)
    if fmt == "json":
        click.echo(json.dumps(sla_json(status), ensure_ascii=False))
        return
    for line in sla_lines(status):
        click.echo(shown(line))


COMMANDS: tuple[click.Command, ...] = (new, comment, move, assign, priority, type_command, due, sla)
"""The live-desk commands of the ``ticket`` group."""


__all__ = ["COMMANDS", "SYSTEM", "assignee_of", "report", "sla_json", "sla_lines", "ticket_json", "writes"]
