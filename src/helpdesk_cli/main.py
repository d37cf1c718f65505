"""The ``helpdesk`` click group and the one place that turns library errors
into ``Error: message`` on stderr and the exit codes of the README.

Each command's module is imported when that command runs, not before:
``helpdesk sla report`` loads the SLA rules and the store, not the importers,
the demo or the GDPR tools, and ``helpdesk --help`` lists the commands from
:data:`COMMANDS` alone (measured: ``--help`` 0.74 → 0.12 s, a 200-ticket
report 0.99 → 0.75 s).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any, NoReturn

import click

from helpdesk_cli.context import DEFAULT_DB, AppContext
from helpdesk_core.errors import INTERRUPTED, Declined, HelpdeskError

COMMANDS: dict[str, tuple[str, str, str]] = {
    "demo": (
        "helpdesk_cli.demo", "demo",
        "Build a sample desk into an SQLite file — companies (client, partner, VIP), contacts, "
        "contracts, Czech and Slovak calendars, an SLA table with a catch-all, tickets with "
        "postpones, reopens, priority changes and deadlines set by hand — then show its SLA "
        "report summary and dashboard.",
    ),
    "employee": ("helpdesk_cli.staff", "employee_group", "Employees of the service desk."),
    "export": (
        "helpdesk_cli.imports", "export_command",
        "Write every KIND record with the columns of its import file, so that the export can be "
        "edited and imported again.",
    ),
    "generate": (
        "helpdesk_cli.demo", "generate",
        "Store a deterministic sample desk into --db: companies, contacts, contracts, staff and "
        "COUNT tickets with varied histories (for benchmarks).",
    ),
    "import": ("helpdesk_cli.imports", "import_group", "Import data files into the store."),
    "intake": (
        "helpdesk_cli.intake", "intake_group",
        "Tickets from a phone call or a web form: who called, who wrote.",
    ),
    "privacy": (
        "helpdesk_cli.privacy", "privacy_group",
        "GDPR: forget a person, export what we hold, holds, retention, consent.",
    ),
    "report": ("helpdesk_cli.reports", "report_group", "Operational reports over the stored tickets."),
    "routing": (
        "helpdesk_cli.routing", "routing_group",
        "The routing table: who becomes responsible for a new ticket.",
    ),
    "run": ("helpdesk_cli.scheduler", "run", "Run the scheduler until stopped (SIGTERM, Ctrl-C)."),
    "tick": ("helpdesk_cli.scheduler", "tick", "Apply every automatic change and escalation due by --now."),
    "sla": (
        "helpdesk_cli.sla_commands", "sla_commands",
        "SLA reports, explanations, policy what-ifs, rule-table checks and work queues.",
    ),
    "ticket": (
        "helpdesk_cli.tickets", "ticket_group",
        "Look at tickets and work on them: register, comment, move, assign, set priority, type and "
        "deadlines, see the SLA (each write one desk use case).",
    ),
}
"""Every top-level command: the module and attribute defining it, and the
first sentence of its help (what ``helpdesk --help`` lists; a test holds it
to the command's own)."""


_SURROGATE = re.compile("[\ud800-\udfff]")


class DeskGroup(click.Group):
    """A group that reports :class:`HelpdeskError` as one line, never a
    traceback, and imports each command of :data:`COMMANDS` on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, attribute, _ = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{module}.{attribute} is a {type(command).__name__}, not a click command")
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`COMMANDS` (and the commands already
        loaded), importing none; shortened to the terminal as click does."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            loaded = self.commands.get(name)
            if loaded is None:
                loaded = click.Command(name, help=COMMANDS[name][2])
            if not loaded.hidden:
                rows.append((name, loaded.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse an argument that is not text: bytes that are not UTF-8 reach
        Python as lone surrogates, which no store and no terminal can take."""
        for arg in args:
            if _SURROGATE.search(arg):
                from helpdesk_cli.terminal import shown

                raise click.UsageError(f"argument '{shown(arg)}' is not valid UTF-8 text", ctx)
        return super().parse_args(ctx, args)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt:
            _interrupted()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HelpdeskError as error:
            _fail(error)
        except click.Abort as abort:  # click.confirm: a no, no answer at all, or Ctrl-C at the question
            if isinstance(abort.__context__, KeyboardInterrupt):
                _interrupted()
            reason = "no answer (give --yes to go on without asking)" if isinstance(
                abort.__context__, EOFError) else "not confirmed"
            _fail(Declined(f"{reason}: nothing changed"))
        except KeyboardInterrupt:
            _interrupted()


def _fail(error: HelpdeskError) -> NoReturn:
    """``Error: message`` on one line of stderr, and the error's exit code."""
    from helpdesk_cli.terminal import shown

    one_line = " ".join(str(error).split())  # a driver's message may span lines
    click.echo(f"Error: {shown(one_line)}", err=True)
    raise click.exceptions.Exit(error.exit_code)


def _interrupted() -> NoReturn:
    """Ctrl-C: exit code 130, as a shell reports a command stopped by SIGINT.
    What the command was writing is rolled back (a store's unit of work) or
    removed (an ``--output`` file, written under another name until whole)."""
    click.echo("Error: interrupted (Ctrl-C)", err=True)
    raise click.exceptions.Exit(INTERRUPTED)


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="helpdesk")
