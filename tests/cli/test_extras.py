"""A lean install: PostgreSQL, Excel and charts are extras of the package, a
desk on SQLite imports none of them, and a command that needs a missing one
says which extra to install (exit code 2)."""

from __future__ import annotations

import importlib.abc
import json
import subprocess
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.errors import HelpdeskError, MissingExtra
from helpdesk_core.extras import EXTRAS
from helpdesk_core.sample import DEMO_CONFIGURATION
from helpdesk_core.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("matplotlib", "numpy", "openpyxl", "psycopg", "psycopg_pool", "psycopg_binary", "PIL", "pandas")
"""What a lean install lacks (the extras and what they pull in)."""


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import`` of each of ``modules`` fail as for a package that is not installed."""
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)


def _invoke(tmp_path: Path, db: str, *args: str) -> Result:
    config = tmp_path / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    return CliRunner().invoke(cli, list(args), obj=AppContext(db_url=db, config_path=config))


@pytest.fixture
def desk(tmp_path: Path) -> str:
    db = tmp_path / "desk.sqlite3"
    result = _invoke(tmp_path, str(db), "generate", "--tickets", "5")
    assert result.exit_code == 0, result.output
    return str(db)


def test_the_package_requires_no_extra_and_each_extra_names_its_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    required = " ".join(project["dependencies"]).lower()
    for package in ("psycopg", "openpyxl", "matplotlib", "numpy", "html-text", "lxml"):
        assert package not in required, f"{package} is required by a lean install"
    extras = project["optional-dependencies"]
    assert extras["postgresql"] == ["psycopg[binary,pool]>=3.1"]
    assert extras["xlsx"] == ["openpyxl>=3.1"]
    assert extras["charts"] == ["matplotlib>=3.8"]
    assert extras["intake"] == ["html-text>=0.6"]
    assert extras["all"] == ["helpdesk-core[postgresql,xlsx,charts,intake]"]
    assert "helpdesk-core[all]" in extras["dev"], "make test and make demo install everything"
    assert set(EXTRAS) == {"postgresql", "xlsx", "charts", "intake"}


def test_xlsx_without_openpyxl_names_the_extra_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, desk: str
) -> None:
    _without(monkeypatch, "openpyxl")
    out = tmp_path / "sla.xlsx"
    result = _invoke(tmp_path, desk, "sla", "report", "--format", "xlsx", "--output", str(out))
    assert (result.exit_code, result.stderr) == (
        2, "Error: --format xlsx needs openpyxl, which is not installed: pip install 'helpdesk-core[xlsx]'\n"
    )
    assert result.stdout == "" and not out.exists()


def test_a_chart_without_matplotlib_names_the_extra_and_draws_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, desk: str
) -> None:
    _without(monkeypatch, "matplotlib")
    chart = tmp_path / "dashboard.png"
    result = _invoke(tmp_path, desk, "report", "dashboard", "--chart", str(chart))
    assert (result.exit_code, result.stderr) == (
        2, "Error: --chart needs matplotlib, which is not installed: pip install 'helpdesk-core[charts]'\n"
    )
    assert result.stdout == "" and not chart.exists()


@pytest.mark.parametrize("module", ["psycopg", "psycopg_pool"])
def test_a_postgresql_store_without_psycopg_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, module: str
) -> None:
    _without(monkeypatch, module)
    result = _invoke(tmp_path, "postgresql://helpdesk@127.0.0.1:9/desk", "sla", "report")
    assert (result.exit_code, result.stderr) == (
        2,
        f"Error: a PostgreSQL store needs {module}, which is not installed: "
        "pip install 'helpdesk-core[postgresql]'\n",
    )


def test_the_library_raises_an_import_error_that_is_a_helpdesk_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _without(monkeypatch, "psycopg")
    with pytest.raises(MissingExtra) as raised:
        open_store("postgresql://helpdesk@127.0.0.1:9/desk")
    assert isinstance(raised.value, ImportError) and isinstance(raised.value, HelpdeskError)
    assert (raised.value.extra, raised.value.name, raised.value.exit_code) == ("postgresql", "psycopg", 2)


class _Broken(importlib.abc.MetaPathFinder):
    """Finds ``openpyxl`` and fails to import it, as a damaged install does."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if name == "openpyxl":
            raise ImportError("libxml is missing")
        return None


def test_an_extra_that_is_installed_but_broken_says_why(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, desk: str
) -> None:
    monkeypatch.delitem(sys.modules, "openpyxl", raising=False)
    monkeypatch.setattr(sys, "meta_path", [_Broken(), *sys.meta_path])
    result = _invoke(tmp_path, desk, "sla", "report", "--format", "xlsx", "--output", str(tmp_path / "x.xlsx"))
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --format xlsx needs openpyxl, which cannot be imported (libxml is missing): "
        "pip install 'helpdesk-core[xlsx]'\n",
    )


LIBRARY_PROBE = """
import json, sys
import helpdesk_core
from helpdesk_core.config import parse_configuration
from helpdesk_core.reports import report_lines
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.storage import open_store, save_all

config = parse_configuration(DEMO_CONFIGURATION)
store = open_store(sys.argv[1])
customers = sample_customers(1, companies=5)
with store.unit_of_work() as uow:
    save_all(uow.companies, customers.companies)
    for ticket in sample_tickets(1, 20, customers=customers, end=DEMO_END, days=60):
        uow.tickets.add(ticket)
    uow.commit()
tickets = [stored.value for stored in store.tickets.iter_tickets()]
lines = list(report_lines(tickets, policy=config.sla, graph=config.graph, as_of=DEMO_END))
store.close()
print(json.dumps([len(lines), sorted(sys.modules)]))
"""


def _modules_after(code: str, *args: str) -> tuple[int, set[str]]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    count, modules = json.loads(done.stdout.splitlines()[-1])
    return count, set(modules)


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in HEAVY}


def test_an_sqlite_desk_imports_no_extra_and_only_its_holiday_countries(tmp_path: Path) -> None:
    count, modules = _modules_after(LIBRARY_PROBE, str(tmp_path / "desk.sqlite3"))
    assert count == 20
    assert _heavy(modules) == set()
    assert {m for m in modules if m.startswith("holidays.countries.")} == {
        "holidays.countries.czechia", "holidays.countries.slovakia"  # the demo's calendars, not all ~250
    }


CLI_PROBE = """
import json, sys
from helpdesk_cli.main import cli
try:
    cli(sys.argv[1:], prog_name="helpdesk")
except SystemExit as stop:
    assert stop.code == 0, stop.code
print(json.dumps([0, sorted(sys.modules)]))
"""


def test_an_sla_report_loads_no_extra_nor_the_commands_it_does_not_run(tmp_path: Path, desk: str) -> None:
    config = tmp_path / "demo.toml"
    _, modules = _modules_after(CLI_PROBE, "--db", desk, "--config", str(config), "sla", "report")
    assert _heavy(modules) == set()
    assert {m for m in modules if m.startswith("holidays.countries.")} == {
        "holidays.countries.czechia", "holidays.countries.slovakia"
    }
    assert {"multiprocessing", "phonenumbers"} & modules == set(), "one process, no phone numbers read"
