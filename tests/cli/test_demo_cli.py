"""``helpdesk demo`` and ``helpdesk generate``: what they print is what the engine computes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import parse_configuration
from helpdesk_core.reports import CustomerDirectory, SlaTally, sla_rows
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.storage import open_store


def invoke(db: Path, *args: str, config: Path | None = None) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def test_demo_numbers_are_the_engines_over_the_same_data(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    path.write_text("an old demo file", encoding="utf-8")
    result = invoke(tmp_path / "unused.sqlite3", "demo", "--path", str(path), "--tickets", "300", "--seed", "4")
    assert result.exit_code == 0, result.output
    summary = re.search(r"^ *all +300 +(\d+) +(\d+) +(\d+) +(\d+) ", result.stdout, re.MULTILINE)
    assert summary is not None, result.stdout

    config = parse_configuration(DEMO_CONFIGURATION)
    assert config.sla is not None
    customers = sample_customers(4)
    companies = {c.id: c for c in customers.companies}
    tally = SlaTally()
    for row in sla_rows(sample_tickets(4, 300, customers=customers, end=DEMO_END, days=120),
                        policy=config.sla, graph=config.graph, as_of=DEMO_END,
                        customers=CustomerDirectory(companies.get, customers.customer_groups)):
        tally.add(row)
    states = tally.summary().states
    assert tuple(map(int, summary.groups())) == tuple(states.get(s, 0) for s in ("breached", "at_risk",
                                                                                  "running", "met"))
    assert states.get("breached", 0) > 0
    assert "without responsible" in result.stdout and "overdue" in result.stdout
    suggested = re.search(r"--config (\S+) sla explain (T-\d+)", result.stdout)
    assert suggested is not None
    assert Path(suggested.group(1)).read_text(encoding="utf-8") == DEMO_CONFIGURATION
    explained = invoke(path, "sla", "explain", suggested.group(2), "--as-of", DEMO_END.isoformat(),
                       config=Path(suggested.group(1)))
    assert explained.exit_code == 0 and ": breached" in explained.stdout.splitlines()[0]
    store = open_store(str(path))
    try:
        assert store.tickets.count() == 300 and store.companies.count() == len(customers.companies)
    finally:
        store.close()


def test_generate_is_deterministic_and_refuses_to_overwrite_tickets(tmp_path: Path) -> None:
    reports = []
    for name in ("a.sqlite3", "b.sqlite3"):
        db = tmp_path / name
        result = invoke(db, "generate", "--tickets", "40", "--seed", "11", "--companies", "5")
        assert result.exit_code == 0, result.output
        assert ": 40 tickets with " in result.stdout and "5 companies (seed 11)" in result.stdout
        reports.append(invoke(db, "ticket", "list", "--format", "jsonl").stdout)
    assert reports[0] == reports[1] and len(reports[0].splitlines()) == 40
    again = invoke(tmp_path / "a.sqlite3", "generate", "--tickets", "40", "--seed", "11", "--companies", "5")
    assert again.exit_code == 4
    assert again.stderr.startswith("Error: ticket T-") and "already exists" in again.stderr


def test_generate_needs_a_number_of_tickets(tmp_path: Path) -> None:
    result = invoke(tmp_path / "x.sqlite3", "generate", "--tickets", "-3")
    assert result.exit_code == 2
    assert "Invalid value for '--tickets': -3 is not in the range x>=0." in result.stderr


def test_demo_fits_a_screen_explains_its_words_and_draws_the_chart(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    result = invoke(tmp_path / "unused.sqlite3", "demo", "--path", str(path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) <= 30, result.stdout
    chart = tmp_path / "demo-dashboard.png"
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    words = lines[lines.index("Try next:") - 5:lines.index("Try next:")]
    assert words == [
        "  at risk:    running, less than 20% of a target's working time left",
        "  no SLA:     no rule applies, no deadline set by hand: nothing to judge",
        "  reaction %: in time / judged (achieved or past due); resolution % alike",
        "  breached:   in the report, a target missed, ever, even if resolved since",
        "  overdue:    on the dashboard, open now and breached (resolved: never)",
    ]
    assert "SLA report as of 2026-04-08 12:00 Europe/Prague, per rule" in lines[1]
    assert lines[lines.index(words[0]) - 3:lines.index(words[0])] == [
        f"Dashboard (chart: {chart}):",
        "  114 open, 85 overdue, 73 in progress, 6 due today, 6 without responsible",
        "  14 days to 2026-04-08 12:00 Europe/Prague: 228 created, 221 resolved",
    ]
    assert not re.search(r"\d:\d\d:\d\d\.\d|\.\d{6}", result.stdout), "no microseconds"


def _screen_rows(command: list[str], cwd: Path, columns: int) -> tuple[str, int]:
    """Run ``command`` in a pseudo-terminal ``columns`` wide and 30 rows high;
    its output without colours and the screen rows it fills (long lines wrap)."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env.update(TERM="xterm", PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    process = subprocess.Popen([sys.executable, "-m", "helpdesk_cli", *command], cwd=cwd, env=env,
                               stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    assert process.wait(timeout=120) == 0, out
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.decode()).replace("\r", "")
    lines = text.rstrip("\n").split("\n")
    return text, sum(max(1, -(-len(line.rstrip()) // columns)) for line in lines)


@pytest.mark.parametrize("columns", [80, 120])
def test_demo_fits_a_30_row_terminal(tmp_path: Path, columns: int) -> None:
    text, rows = _screen_rows(["demo", "--tickets", "300"], tmp_path, columns)
    assert rows <= 30, text
    assert "  overdue:    on the dashboard" in text and (tmp_path / "demo-dashboard.png").is_file()
    table = text[text.index("rule"):text.index("Dashboard (chart:")]
    assert "…" not in table and "reaction" in text and "VIP urgent incidents" in table, "nothing cropped"
    assert re.search(r"^all +300 +\d+ +\d+ +\d+ +\d+ +\d+ +[\d.]+ +[\d.]+$", table, re.MULTILINE), table
