"""``helpdesk`` imports a command's module only when that command runs, and
``helpdesk --help`` still lists every command with its own short help."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from helpdesk_cli.main import COMMANDS, DeskGroup, cli

COMMAND_MODULES = sorted(
    {module for module, _, _ in COMMANDS.values()} | {"helpdesk_cli.sla", "helpdesk_cli.sla_queue"}
)
"""The top-level commands' modules, and those the ``sla`` group loads per command."""


def _loaded_after(code: str) -> set[str]:
    """The command modules a fresh interpreter holds after running ``code``."""
    probe = f"{code}\nimport sys\nprint('loaded:', *(m for m in {COMMAND_MODULES!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return set(done.stdout.rsplit("loaded:", 1)[1].split())


def _real(name: str) -> click.Command:
    module, attribute, _ = COMMANDS[name]
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    return command


@pytest.mark.parametrize("width", [60, 80, 200])
def test_help_lists_every_command_as_click_lists_the_commands_themselves(width: int) -> None:
    lazy = DeskGroup("cli", params=cli.params, help=cli.help)
    eager = click.Group("cli", params=cli.params, help=cli.help, commands={n: _real(n) for n in COMMANDS})
    listed = CliRunner().invoke(lazy, ["--help"], terminal_width=width)
    assert listed.exit_code == 0 and lazy.commands == {}, "--help loaded a command"
    assert listed.stdout == CliRunner().invoke(eager, ["--help"], terminal_width=width).stdout
    names = [line.split()[0] for line in listed.stdout.split("Commands:\n", 1)[1].splitlines() if line[2] != " "]
    assert names == sorted(COMMANDS)


def test_the_listed_help_is_the_first_sentence_of_the_commands_own() -> None:
    for name in COMMANDS:
        assert _real(name).name == name
        for limit in (30, 45, 80, 400):
            listed = click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)
            assert listed == _real(name).get_short_help_str(limit), (name, limit)


def test_help_imports_no_command_module() -> None:
    loaded = _loaded_after(
        "from helpdesk_cli.main import cli\n"
        "try:\n    cli(['--help'], prog_name='helpdesk')\nexcept SystemExit:\n    pass"
    )
    assert loaded == set()


def test_an_sla_report_imports_only_the_sla_commands() -> None:
    loaded = _loaded_after(
        "from helpdesk_cli.main import cli\n"
        "try:\n    cli(['--db', 'memory://', 'sla', 'report', '--format', 'jsonl'], prog_name='helpdesk')\n"
        "except SystemExit:\n    pass"
    )
    assert loaded == {"helpdesk_cli.sla_commands", "helpdesk_cli.sla"}


def test_an_sla_queue_imports_its_own_module_not_the_other_sla_commands() -> None:
    loaded = _loaded_after(
        "from helpdesk_cli.main import cli\n"
        "try:\n    cli(['--db', 'memory://', 'sla', 'queue', '--overdue'], prog_name='helpdesk')\n"
        "except SystemExit:\n    pass"
    )
    assert loaded == {"helpdesk_cli.sla_commands", "helpdesk_cli.sla_queue"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_answers_its_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {name}" in result.stdout


def test_an_unknown_command_is_still_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["no-such-command"])
    assert result.exit_code == 2 and "No such command 'no-such-command'" in result.output


def test_the_import_group_has_its_customer_base_commands_and_bundle_option() -> None:
    result = CliRunner().invoke(cli, ["import", "--help"])
    assert result.exit_code == 0
    assert "--bundle" in result.stdout and "tickets" in result.stdout and "contacts" in result.stdout
