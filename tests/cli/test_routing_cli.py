"""``helpdesk routing lint``: the routing table checked against the store's
staff, the same findings as the library's one call."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import load_configuration
from helpdesk_core.desk.routing_check import routing_findings
from helpdesk_core.storage import open_store

CALENDAR = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]] }
"""

MISTAKES = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"

[[routing.rules]]
name = "Outages again"
when = { type = ["outage"] }
assignee = "E-9"

[[routing.rules]]
name = "Nobody"
when = { priority = ["high"] }
assignee = "E-99"
observer_groups = ["G-nowhere"]
"""

CLEAN = CALENDAR + """
[routing]
default_assignee = "E-1"

[[routing.rules]]
name = "Outages"
when = { type = ["outage"] }
assignee = { group = "G-field" }
strategy = "round_robin"

[[routing.rules]]
name = "Everything else"
assignee = { group = "G-support" }
"""


def invoke(db: Path, config: Path, *args: str) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture(scope="module")
def store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("routing")
    db, config = folder / "desk.sqlite3", folder / "plain.toml"
    config.write_text(CALENDAR, encoding="utf-8")
    assert invoke(db, config, "generate", "--tickets", "5").exit_code == 0  # staff: E-1…E-12, G-field, G-support
    return db


def test_every_mistake_is_one_line_and_the_exit_code_is_1(store_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "mistakes.toml"
    config.write_text(MISTAKES, encoding="utf-8")
    result = invoke(store_file, config, "routing", "lint")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("shadowed [Outages again]: ") for line in lines), lines
    assert any(line.startswith("unknown_employee [Nobody]: ") and "'E-99'" in line for line in lines), lines
    assert any(line.startswith("unknown_group [Nobody]: ") and "'G-nowhere'" in line for line in lines), lines
    assert any(line.startswith("no_catch_all: ") for line in lines), lines
    store = open_store(str(store_file))
    try:  # the command prints what the library's one call finds, in its order
        found = routing_findings(store, load_configuration(config))
    finally:
        store.close()
    assert [f.kind.value for f in found] == [line.split(" ")[0].split(":")[0] for line in lines]


def test_a_clean_table_says_so(store_file: Path, tmp_path: Path) -> None:
    config = tmp_path / "clean.toml"
    config.write_text(CLEAN, encoding="utf-8")
    result = invoke(store_file, config, "routing", "lint")
    assert result.exit_code == 0, result.output
    assert result.stdout == "no findings\n"


def test_a_missing_store_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "clean.toml"
    config.write_text(CLEAN, encoding="utf-8")
    result = invoke(tmp_path / "typo.sqlite3", config, "routing", "lint")
    assert result.exit_code == 3
    assert not (tmp_path / "typo.sqlite3").exists()
