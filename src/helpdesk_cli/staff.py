"""``helpdesk employee deactivate``."""

from __future__ import annotations

import click

from helpdesk_cli.context import AppContext
from helpdesk_cli.terminal import shown
from helpdesk_core.desk import deactivate_employee

pass_app = click.make_pass_decorator(AppContext)


@click.group("employee")
def employee_group() -> None:
    """Employees of the service desk."""


@employee_group.command("deactivate")
@click.argument("employee_id")
@pass_app
def deactivate(app: AppContext, employee_id: str) -> None:
    """Deactivate an employee; refused while they are responsible for unclosed tickets."""
    employee = deactivate_employee(app.existing_store, employee_id, graph=app.config.graph)
    click.echo(shown(f"deactivated {employee.id} ({employee.display_name})"))
