"""``helpdesk employee deactivate``."""

from __future__ import annotations

from datetime import datetime

import click

from helpdesk_cli.context import AppContext
from helpdesk_cli.desk_commands import SYSTEM, assignee_of
from helpdesk_cli.instants import instant
from helpdesk_cli.terminal import shown
from helpdesk_core.desk.staff import deactivate_employee, hand_over_and_deactivate
from helpdesk_core.model.staff import StillResponsible

pass_app = click.make_pass_decorator(AppContext)


@click.group("employee")
def employee_group() -> None:
    """Employees of the service desk."""


@employee_group.command("deactivate")
@click.argument("employee_id")
@click.option("--reassign-to", default=None, metavar="ID",
              help="First hand their unclosed tickets over to this active employee or group.")
@click.option("--by", envvar="HELPDESK_BY", default=SYSTEM, show_default=True, metavar="ID",
              help="Who reassigns the tickets: an employee id or system (env HELPDESK_BY).")
@click.option("--at", callback=instant, metavar="DATETIME",
              help="When the tickets are reassigned, with a UTC offset (default: now).")
@pass_app
def deactivate(
    app: AppContext, employee_id: str, reassign_to: str | None, by: str, at: datetime | None
) -> None:
    """Deactivate an employee; refused while they are responsible for unclosed
    tickets, unless --reassign-to hands those over first (one assignment per
    ticket, through the desk)."""
    if reassign_to is None:
        try:
            employee = deactivate_employee(app.existing_store, employee_id, graph=app.config.graph)
        except StillResponsible as refused:
            raise StillResponsible(
                refused.tickets,
                f"{refused}: give --reassign-to ID to hand them all over, "
                "or reassign each with helpdesk ticket assign TICKET ID",
            ) from None
        click.echo(shown(f"deactivated {employee.id} ({employee.display_name})"))
        return
    handover = hand_over_and_deactivate(app.desk, employee_id, to=assignee_of(app, reassign_to), by=by, at=at)
    for ticket_id, version in handover.reassigned:
        click.echo(shown(f"{ticket_id} version {version}: assigned to {handover.to.id}"))
    employee = handover.employee
    click.echo(shown(f"deactivated {employee.id} ({employee.display_name}), "
                     f"{len(handover.reassigned)} ticket(s) reassigned to {handover.to.id}"))
