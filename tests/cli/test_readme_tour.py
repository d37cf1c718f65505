"""The README's CLI tour, run as written: every command of its ``sh`` blocks,
in order, on a fresh store, from a copy of the repository folder (the tour's
paths, ``examples/…``, are relative to it), as separate processes.

Each command must exit 0, except those whose comment in the README promises
otherwise — and those promises are read from the README too, so the README,
the shipped ``examples/`` and the commands can never drift apart again."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"

PROMISES = {
    "exit 1 on any breach": 1,
    "exit 1 on any finding": 1,
    "refused while they hold unclosed tickets": 2,
    "refused with exit 9": 9,
}
"""README comments that promise a non-zero exit, and the code (README "Exit codes")."""

DEMO_TICKETS = "200"
"""`helpdesk demo` builds 2,000 tickets by default (some seconds); the tour's
test asks for fewer — the command is the same."""


def tour_commands(readme: str) -> list[str]:
    """The lines of the README's ``sh`` blocks that run ``helpdesk`` or set
    the environment (``export``), without the ``make`` lines of a fresh clone."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL):
        for line in block.splitlines():
            if line.startswith(("helpdesk ", "export ")):
                commands.append(line)
    return commands


def expected_exit(line: str) -> int:
    _, _, comment = line.partition("#")
    codes = [code for promise, code in PROMISES.items() if promise in comment]
    return codes[0] if codes else 0


def test_the_readme_names_the_commands_this_test_expects() -> None:
    commands = tour_commands(README.read_text(encoding="utf-8"))
    assert sum(line.startswith("helpdesk ") for line in commands) >= 15
    for promise in PROMISES:
        assert any(promise in line for line in commands), promise
    assert "helpdesk demo" in " ".join(commands)


def test_every_command_of_the_readme_tour_does_what_the_readme_says(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELPDESK_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env["COLUMNS"] = "120"
    helpdesk = f"{shlex.quote(sys.executable)} -m helpdesk_cli"
    ran: dict[str, subprocess.CompletedProcess[str]] = {}
    for line in tour_commands(README.read_text(encoding="utf-8")):
        if line.startswith("export "):
            command, _, _ = line.partition("#")
            for assignment in shlex.split(command)[1:]:
                name, _, value = assignment.partition("=")
                env[name] = value
            continue
        command = helpdesk + line.removeprefix("helpdesk")
        if line.startswith("helpdesk demo"):
            command, _, comment = command.partition("#")
            command = f"{command.rstrip()} --tickets {DEMO_TICKETS}  #{comment}"
        result = subprocess.run(
            command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        expected = expected_exit(line)
        assert result.returncode == expected, (
            f"{line}\nexited {result.returncode}, the README says {expected}\n"
            f"stdout: {result.stdout[-2000:]}\nstderr: {result.stderr[-2000:]}"
        )
        if expected >= 2:  # a refusal, not a --fail-on-… finding
            assert result.stderr.startswith("Error: "), (line, result.stderr)
        assert "Traceback" not in result.stderr, (line, result.stderr)
        ran[line.partition("#")[0].strip()] = result
    assert (tmp_path / "demo.sqlite3").is_file()
    assert (tmp_path / "desk.sqlite3").is_file()
    assert len((tmp_path / "sla.csv").read_text(encoding="utf-8").splitlines()) == 1 + 8
    assert (tmp_path / "dashboard.png").read_bytes().startswith(b"\x89PNG")
    assert "8 created" in ran["helpdesk import tickets examples/tickets.jsonl"].stdout
    queue = ran["helpdesk sla queue --overdue --now 2026-03-10T12:00+01:00"].stdout
    assert [queue.index(t) for t in ("T-1004", "T-1007", "T-1008")] == sorted(
        queue.index(t) for t in ("T-1004", "T-1007", "T-1008")
    ), "the overdue tickets, the earliest due first"
    assert '"P-19"' in ran["helpdesk privacy export P-19"].stdout
    assert "T-1007" in ran["helpdesk employee deactivate E-3"].stderr
    assert len(ran) >= 15
    # the live desk (README "The live desk")
    new = ran["helpdesk ticket new --subject \"Espresso machine leaks\" --type incident --priority high "
              "--company C-1 --contact P-1 --assignee E-3 --at 2026-03-10T09:00+01:00"]
    assert new.stdout == "T-1009 version 1: registered, assigned to E-3; status open\n"
    sla = ran["helpdesk ticket sla T-1009 --as-of 2026-03-10T10:00+01:00"].stdout
    assert "reaction    due 2026-03-10T09:30:00+01:00, done 2026-03-10T09:10:00+01:00 (met)" in sla
    assert "resolution  due 2026-03-11T10:00:00+01:00, 7h00m of working time left" in sla
    assert "T-1009" in ran["helpdesk tick --now 2026-03-13T12:00+01:00"].stdout
    assert "3 tickets (more: --after " in ran["helpdesk ticket list --status closed --limit 3"].stdout
    handed = ran["helpdesk employee deactivate E-3 --reassign-to G-1 --by E-1"].stdout
    assert "deactivated E-3 " in handed and "reassigned to G-1" in handed
