"""``helpdesk sla queue``: an agent's work list — overdue, at risk or due
today — sorted by due instant, from the stored SLA states' index.

Start-up is kept lean: this module loads the configuration, the store and the
queue reader, not the report's machinery (worker pools, report tables,
what-ifs); the SLA engine's fold is imported only when the store's states are
not trusted and every ticket is folded.
"""

from __future__ import annotations

from datetime import datetime

import click

from helpdesk_cli.choices import Choice
from helpdesk_cli.context import AppContext
from helpdesk_cli.instants import instant
from helpdesk_cli.instants import now as system_now
from helpdesk_cli.output import TEXT_FORMATS, emit_rows
from helpdesk_cli.terminal import shown
from helpdesk_core.desk.filters import check_list_filter
from helpdesk_core.desk.sla_queue import read_queue
from helpdesk_core.sla_states.queues import DEFAULT_LIMIT, QUEUE_COLUMNS, QueueState

pass_app = click.make_pass_decorator(AppContext)

_INSTANTS = ("due", "at_risk_from")


@click.command("queue")
@click.option("--overdue", is_flag=True, help="Tickets owing a target past its due instant.")
@click.option("--at-risk", is_flag=True, help="Tickets at risk: little time left before the due instant.")
@click.option(
    "--due-today", is_flag=True, help="Tickets due between now and the end of today (the desk's home zone)."
)
@click.option("--assignee", default=None, help="Only tickets this employee or group id is responsible for.")
@click.option("--unassigned", is_flag=True, help="Only tickets nobody is responsible for.")
@click.option("--company", default=None, help="Only tickets of this company id (an unknown id is refused).")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=DEFAULT_LIMIT,
    show_default=True,
    help="At most this many tickets, the earliest due first.",
)
@click.option("--now", "when", callback=instant, help="The queue as of this instant (default: now).")
@click.option("--format", "fmt", type=Choice(TEXT_FORMATS), default="table", show_default=True)
@pass_app
def queue_command(
    app: AppContext,
    overdue: bool,
    at_risk: bool,
    due_today: bool,
    assignee: str | None,
    unassigned: bool,
    company: str | None,
    limit: int,
    when: datetime | None,
    fmt: str,
) -> None:
    """An agent's work list, the earliest due first: tickets still owing a
    reaction or a resolution, --overdue, --at-risk or --due-today (without
    one of them: every ticket owing something). Read from the stored SLA
    states; a store whose states were built under another configuration is
    folded instead (slower) and a warning names `helpdesk sla rebuild`."""
    flags = (("overdue", overdue), ("at_risk", at_risk), ("due_today", due_today))
    chosen = [name for name, on in flags if on]
    if len(chosen) > 1:
        raise click.UsageError("choose one of --overdue, --at-risk and --due-today")
    if assignee is not None and unassigned:
        raise click.UsageError("--assignee and --unassigned exclude each other")
    config = app.config
    store = app.existing_store
    check_list_filter(store, company=company, assignee=assignee, graph=config.graph)
    state: QueueState | None = chosen[0] if chosen else None  # type: ignore[assignment]
    found = read_queue(
        store, config, now=when or system_now(), state=state, assignee=assignee, company=company,
        without_responsible=unassigned, limit=limit,
    )  # fmt: skip
    for warning in found.warnings:
        click.echo(f"Warning: {shown(warning)}", err=True)
    emit_rows(
        (entry.to_json() for entry in found.entries),
        QUEUE_COLUMNS,
        fmt,
        None,
        instants=_INSTANTS,
        zone=config.home_zone,
    )


__all__ = ["queue_command"]
