"""The SLA table as a person sees it: in a pseudo-terminal of 80, 100 and 120
columns, in a pipe with and without ``COLUMNS``, streamed rather than held."""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import select
import struct
import subprocess
import sys
import termios
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_cli.output import write_rows
from helpdesk_cli.sla_table import plain_layouts, report_layouts
from helpdesk_cli.table import CHUNK
from helpdesk_core.sample import DEMO_CONFIGURATION
from helpdesk_core.sla import REPORT_COLUMNS

AS_OF = "2026-04-08T12:00:00+02:00"
PRAGUE = ZoneInfo("Europe/Prague")
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict[str, Any]]]:
    """A generated desk of 150 tickets, the demo configuration and its report rows (JSON)."""
    folder = tmp_path_factory.mktemp("table")
    config = folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    db = folder / "desk.sqlite3"
    app = AppContext(db_url=str(db), config_path=config)
    made = CliRunner().invoke(cli, ["generate", "--tickets", "150", "--seed", "5", "--days", "60"], obj=app)
    assert made.exit_code == 0, made.output
    app = AppContext(db_url=str(db), config_path=config)
    report = CliRunner().invoke(cli, ["sla", "report", "--as-of", AS_OF, "--format", "jsonl"], obj=app)
    rows = [json.loads(line) for line in report.stdout.splitlines()]
    assert len(rows) == 150 and {row["state"] for row in rows} >= {"breached", "met", "running"}
    assert any(row["reaction_breached"] for row in rows) and any(row["resolution_breached"] for row in rows)
    return db, config, rows


def _command(db: Path, config: Path) -> list[str]:
    return [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "--config", str(config),
            "sla", "report", "--as-of", AS_OF]


def _environment(columns: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env["PYTHONPATH"] = SRC
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return env


def in_terminal(args: list[str], columns: int, *, env_columns: bool = True) -> str:
    """What ``args`` print on a pseudo-terminal ``columns`` wide (its real
    size set with TIOCSWINSZ, and ``COLUMNS`` too unless told not to)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=subprocess.DEVNULL,
                               env=_environment(columns if env_columns else None))
    os.close(slave)
    written = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 60)
            if not ready:
                raise AssertionError("the report wrote nothing for 60 s")
            try:
                part = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not part:
                break
            written += part
    finally:
        os.close(master)
        assert process.wait(timeout=60) == 0
    return _SGR.sub("", written.decode("utf-8").replace("\r\n", "\n"))


_SGR = re.compile("\x1b\\[[0-9;]*m")
"""Colours and bold: not what a person reads."""


def _rows_shown(text: str) -> tuple[dict[str, slice], dict[str, str]]:
    """Each column's span (from the rule under the heading) by heading, and each ticket's line."""
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("ticket "))
    heading, rule = lines[at], lines[at + 1]
    spans = {heading[m.start():m.end()].strip(): slice(m.start(), m.end()) for m in re.finditer("─+", rule)}
    body = {line.split()[0]: line for line in lines if line.startswith("T-")}
    return spans, body


def _local(value: object) -> str:
    assert isinstance(value, str)
    return datetime.fromisoformat(value).astimezone(PRAGUE).strftime("%Y-%m-%d %H:%M")


def _check_table(text: str, rows: list[dict[str, Any]], columns: int | None) -> dict[str, str]:
    """Every row with its full ticket id, its state, both due instants and
    ✗ exactly where a target is breached; no line wider than ``columns``."""
    words = [line.split() for line in text.splitlines()]
    shown_ids = {word for line in words for word in line if re.fullmatch(r"T-\d+", word)}
    assert shown_ids == {row["ticket"] for row in rows}, "every ticket id in full"
    by_ticket = {line[0]: line for line in words if line and line[0] in shown_ids}
    assert [row["state"] in by_ticket[row["ticket"]] for row in rows] == [True] * len(rows), "every state"
    assert "times in Europe/Prague" in text
    spans, body = _rows_shown(text)
    assert set(body) == shown_ids
    if columns is not None:
        assert max(len(line) for line in text.splitlines()) <= columns
    reaction = next(span for name, span in spans.items() if name.startswith("reaction due"))
    resolution = next(span for name, span in spans.items() if name.startswith("resolution due"))
    for row in rows:
        line = body[row["ticket"]]
        assert line.split()[1] == row["state"], line
        for cell, kind in ((line[reaction], "reaction"), (line[resolution], "resolution")):
            due = row[f"{kind}_due"]
            if due is not None:
                assert _local(due) in cell, (kind, line)
            assert ("✗" in cell) == row[f"{kind}_breached"], (kind, line)
    return body


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_the_table_reads_in_a_terminal_of_that_width(desk: tuple[Path, Path, list[dict[str, Any]]],
                                                     columns: int) -> None:
    db, config, rows = desk
    text = in_terminal(_command(db, config), columns)
    body = _check_table(text, rows, columns)
    done = next(row for row in rows if row["reacted_at"] and not row["reaction_breached"])
    if columns >= 100:  # room for due → reacted in one column
        assert f"{_local(done['reaction_due'])} → {_local(done['reacted_at'])}" in body[done["ticket"]]
    else:
        assert f"{_local(done['reaction_due'])} ✓" in body[done["ticket"]]
    if columns == 120:
        assert "rule" in text.splitlines()[1]


def test_a_terminal_without_columns_in_the_environment_gets_its_own_width(
    desk: tuple[Path, Path, list[dict[str, Any]]],
) -> None:
    db, config, rows = desk
    _check_table(in_terminal(_command(db, config), 90, env_columns=False), rows, 90)


def test_a_pipe_with_columns_fits_them(desk: tuple[Path, Path, list[dict[str, Any]]]) -> None:
    db, config, rows = desk
    done = subprocess.run(_command(db, config), capture_output=True, text=True, env=_environment(80),
                          stdin=subprocess.DEVNULL, check=True, timeout=60)
    _check_table(done.stdout, rows, 80)


def test_a_pipe_without_columns_gets_the_plain_layout_every_column_whole(
    desk: tuple[Path, Path, list[dict[str, Any]]],
) -> None:
    db, config, rows = desk
    done = subprocess.run(_command(db, config), capture_output=True, text=True, env=_environment(None),
                          stdin=subprocess.DEVNULL, check=True, timeout=60)
    body = _check_table(done.stdout, rows, None)
    spans, _ = _rows_shown(done.stdout)
    assert list(spans)[-3:] == ["rule", "paused min", "calendar"]
    assert "…" not in done.stdout, "nothing cropped"
    widths = {len(line) for line in done.stdout.splitlines()[2:]}
    assert max(widths) < 200, "as wide as its rows, not a fixed 200 columns"
    for row in rows:
        line = body[row["ticket"]]
        assert line.endswith(row["calendar"]) and f" {row['rule']} " in line
        if row["reacted_at"]:
            assert f"{_local(row['reaction_due'])} → {_local(row['reacted_at'])}" in line


def _report_row(number: int, **changes: object) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ticket": f"T-{190000 + number}", "rule": "VIP urgent incidents", "calendar": "prague-office",
        "reaction_due": "2026-03-02T09:15:00+01:00", "reacted_at": "2026-03-02T10:00:00+01:00",
        "reaction_breached": True, "resolution_due": "2026-03-03T09:15:00+01:00", "resolved_at": None,
        "resolution_breached": False, "paused_minutes": 125, "state": "breached",
    }
    return row | changes


def test_rows_are_written_a_chunk_at_a_time_not_held() -> None:
    out = io.StringIO()
    seen_when_asked: list[int] = []

    def rows() -> Iterator[Mapping[str, Any]]:
        for number in range(5 * CHUNK):
            if number % CHUNK == 0:
                seen_when_asked.append(out.getvalue().count("\nT-"))
            yield _report_row(number)

    assert write_rows(rows(), REPORT_COLUMNS, "table", out, table=report_layouts(PRAGUE), width=80) == 5 * CHUNK
    assert seen_when_asked == [0, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK]


def test_a_longer_ticket_id_later_widens_its_column_under_a_new_heading() -> None:
    out = io.StringIO()
    rows = [_report_row(0, ticket=f"T-{n}") for n in range(1, CHUNK + 1)] + [_report_row(0, ticket="T-1234567")]
    write_rows(rows, REPORT_COLUMNS, "table", out, table=report_layouts(PRAGUE), width=80)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines if line.startswith("ticket")] == ["ticket", "ticket"]
    last = lines[-1]
    assert last.startswith("T-1234567  breached  2026-03-02 09:15 ✗") and len(last) <= 80
    assert lines[-3].index("state") == last.index("breached")


def test_stored_text_is_escaped_and_only_the_optional_columns_are_cropped() -> None:
    out = io.StringIO()
    row = _report_row(1, ticket="T-\x1b[2J1", rule="A very long rule name that cannot fit " * 3)
    write_rows([row], REPORT_COLUMNS, "table", out, table=report_layouts(PRAGUE), width=80)
    text = out.getvalue()
    assert "\x1b" not in text and "T-\\x1b[2J1" in text
    line = text.splitlines()[-1]
    assert len(line) <= 80 and line.endswith("…") and "breached" in line


def test_an_output_that_cannot_write_the_marks_gets_ascii() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="latin-1")
    write_rows([_report_row(1)], REPORT_COLUMNS, "table", out, table=report_layouts(PRAGUE), width=100)
    out.flush()
    text = raw.getvalue().decode("latin-1")
    assert "2026-03-02 09:15 -> 2026-03-02 10:00 x" in text and "x breached" in text


def test_whatif_rows_keep_ticket_states_and_instants_and_fold_nothing_else_away() -> None:
    columns = ("ticket", "state_before", "state_after", "rule_before", "rule_after",
               "resolution_due_before", "resolution_due_after")
    row = {"ticket": "T-190001", "state_before": "met", "state_after": "breached",
           "rule_before": "Default", "rule_after": "Stricter default",
           "resolution_due_before": "2026-03-03T09:15:00+01:00", "resolution_due_after": "2026-03-02T15:00:00Z"}
    out = io.StringIO()
    write_rows([row], columns, "table", out, table=plain_layouts(columns, columns[-2:], PRAGUE), width=80)
    line = out.getvalue().splitlines()[-1]
    assert line.split()[:3] == ["T-190001", "met", "breached"]
    assert "2026-03-03 09:15" in line and "2026-03-02 16:00" in line and len(line) <= 80


def test_ticket_list_keeps_ids_and_statuses_whole_in_a_narrow_terminal(tmp_path: Path) -> None:
    """The same table elsewhere: ``ticket list`` used to crop ids to ``T-19…`` and hold every row."""
    lines = [json.dumps({"id": f"T-{190000 + n}", "subject": "Printer jams on the third floor " * 3,
                         "created_at": f"2026-03-02T09:{n:02}:00+01:00",
                         "events": [{"at": "2026-03-02T10:00:00+01:00", "kind": "status", "to": "in_progress"}]
                         if n % 2 else []}) for n in range(12)]
    (tmp_path / "t.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "desk.sqlite3"
    made = CliRunner().invoke(cli, ["import", "tickets", str(tmp_path / "t.jsonl")],
                              obj=AppContext(db_url=str(db), config_path=None))
    assert made.exit_code == 0, made.output
    args = [sys.executable, "-m", "helpdesk_cli", "--db", str(db), "ticket", "list"]
    for columns in (40, 80):
        text = in_terminal(args, columns)
        rows = [line.split() for line in text.splitlines() if line.startswith("T-")]
        assert [row[0] for row in rows] == [f"T-{190000 + n}" for n in range(12)]
        assert [row[1 if columns == 40 else 2] for row in rows] == ["in_progress" if n % 2 else "open"
                                                                    for n in range(12)]
        assert max(len(line) for line in text.splitlines()) <= columns
        assert text.endswith("12 tickets\n")
