"""The functional core stays pure: no database driver, no click, no hidden clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "helpdesk_core"
SHELL = {"desk", "storage", "imports", "testing"}
"""The imperative shell: application services, adapters, file imports and the shipped
contract suite. Everything else is the functional core."""
SHELL_MODULES = {"sla_states/keeping.py", "sla_states/rebuild.py"}
"""Shell modules inside a core package: keeping a ticket's stored SLA state writes it
through the unit of work the caller passes; a rebuild opens the store in worker
processes and times itself."""
ALLOWED_IMPORTS = {"sla_states/state.py": {"helpdesk_core.storage.protocols"}}
"""A core module building a store's value (``SlaStateRecord``, a frozen value): no I/O."""
FORBIDDEN_IMPORTS = ("sqlite3", "psycopg", "psycopg_pool", "click", "rich", "helpdesk_cli",
                     "helpdesk_core.desk", "helpdesk_core.storage")
CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
               ("time", "time"), ("time", "monotonic")}


def pure_modules() -> list[Path]:
    return sorted(
        path for path in SRC.rglob("*.py")
        if path.relative_to(SRC).parts[0] not in SHELL
        and path.relative_to(SRC).as_posix() not in SHELL_MODULES
    )


def offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    allowed = ALLOWED_IMPORTS.get(path.relative_to(SRC).as_posix(), set()) if path.is_relative_to(SRC) else set()
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name in allowed:
                continue
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_IMPORTS):
                found.append(f"line {line}: imports {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
            if (owner_name, node.func.attr) in CLOCK_CALLS:
                found.append(f"line {line}: calls {owner_name}.{node.func.attr}()")
    return found


def test_the_walk_sees_the_pure_packages() -> None:
    parts = {p.relative_to(SRC).parts[0] for p in pure_modules()}
    assert {"model", "workflow", "worktime", "rules", "sla", "routing"} <= parts


@pytest.mark.parametrize("path", pure_modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_pure_module_has_no_io_driver_cli_or_clock(path: Path) -> None:
    assert offences(path) == []


def test_the_check_catches_an_offender(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import sqlite3\nfrom datetime import datetime\nx = datetime.now()\n", encoding="utf-8")
    assert offences(bad) == ["line 1: imports sqlite3", "line 3: calls datetime.now()"]


@pytest.mark.parametrize(
    "package", ["helpdesk_core.routing", "helpdesk_core.desk", "helpdesk_core.reports", "helpdesk_core.intake"]
)
def test_a_lazy_export_stays_itself_after_its_modules_are_imported(package: str) -> None:
    """Importing a submodule sets the package attribute of its name: a module
    ``route.py`` next to a lazily exported function ``route`` made
    ``from helpdesk_core.routing import route`` hand out the module once
    anything had imported ``helpdesk_core.routing.route`` directly."""
    import importlib
    import pkgutil
    import types

    module = importlib.import_module(package)
    for info in pkgutil.iter_modules(module.__path__):
        importlib.import_module(f"{package}.{info.name}")
    modules = [name for name in module.__all__ if isinstance(getattr(module, name), types.ModuleType)]
    assert modules == [], f"{package} exports modules instead of its names: {modules}"
