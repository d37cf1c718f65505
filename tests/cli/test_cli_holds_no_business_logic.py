"""The CLI holds no business logic: the commands that read or change tickets
and staff call the library, they never open a unit of work themselves nor
look customers up in the store (the SLA's customer lookup lives in
``helpdesk_core.reports.customers.customer_directory``, the desk's in
``Desk.customer_facts``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "src" / "helpdesk_cli"
DESK_COMMANDS = [
    "desk_commands.py", "tickets.py", "staff.py", "sla.py", "reports.py", "report_jobs.py", "routing.py",
    "sla_queue.py", "sla_rebuild.py", "intake.py",
]
"""The modules of the commands over tickets and staff (the demo and the
sample generator build sample data, the importers hand files to the library)."""
STORE_INTERNALS = {"unit_of_work", "companies", "customer_groups", "contacts", "employees", "employee_groups",
                   "schedule", "outbox", "sequences"}
LIBRARY_LOOKUPS = {"CustomerDirectory", "customer_facts"}


def offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in STORE_INTERNALS:
            found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in LIBRARY_LOOKUPS:
            found.append(f"line {node.lineno}: builds {node.func.id}(…)")
    return found


@pytest.mark.parametrize("name", DESK_COMMANDS)
def test_a_command_module_calls_the_library(name: str) -> None:
    assert offences((CLI / name).read_text(encoding="utf-8")) == []


def test_the_check_catches_a_customer_lookup_in_the_cli() -> None:
    old = (
        "def customer_directory(store):\n"
        "    def find(company_id):\n"
        "        found = store.companies.find(company_id)\n"
        "        return None if found is None else found.value\n"
        "    return CustomerDirectory(find, (s.value for s in store.customer_groups.iter()))\n"
    )
    assert sorted(offences(old)) == ["line 3: .companies", "line 5: .customer_groups", "line 5: builds CustomerDirectory(…)"]
