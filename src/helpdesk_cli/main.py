"""The ``helpdesk`` click group and the one place that turns library errors
into ``Error: message`` on stderr and the exit codes of the README."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from helpdesk_cli.context import DEFAULT_DB, AppContext
from helpdesk_core.errors import HelpdeskError


class DeskGroup(click.Group):
    """A group that reports :class:`HelpdeskError` as one line, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HelpdeskError as error:
            one_line = " ".join(str(error).split())  # a driver's message may span lines
            click.echo(f"Error: {one_line}", err=True)
            ctx.exit(error.exit_code)


@click.group(cls=DeskGroup)
@click.option(
    "--db",
    "db_url",
    envvar="HELPDESK_DB",
    default=DEFAULT_DB,
    show_default=True,
    help="Store URL: a SQLite file path, sqlite:///PATH, postgresql://… or memory:// (env HELPDESK_DB).",
)
@click.option(
    "--config",
    "config_path",
    envvar="HELPDESK_CONFIG",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The helpdesk.toml configuration (env HELPDESK_CONFIG); none means the defaults.",
)
@click.version_option(package_name="helpdesk-core")
@click.pass_context
def cli(ctx: click.Context, db_url: str, config_path: Path | None) -> None:
    """helpdesk-core: the rules of a service desk, from the terminal."""
    if ctx.obj is None:
        ctx.obj = AppContext(db_url=db_url, config_path=config_path)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from helpdesk_cli import demo, imports, privacy, reports, sla, staff, tickets

    imports.attach(tickets.import_group)
    cli.add_command(tickets.import_group)
    cli.add_command(imports.export_command)
    cli.add_command(tickets.ticket_group)
    cli.add_command(sla.sla_group)
    cli.add_command(reports.report_group)
    cli.add_command(demo.demo)
    cli.add_command(demo.generate)
    cli.add_command(staff.employee_group)
    cli.add_command(privacy.privacy_group)


_register()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="helpdesk")
