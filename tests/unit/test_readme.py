"""The README's Python tour runs and says what it prints."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from helpdesk_core.model import Ticket
from helpdesk_core.worktime import WorkingCalendar

README = Path(__file__).resolve().parents[2] / "README.md"
PRAGUE = ZoneInfo("Europe/Prague")


def test_the_python_tour_runs_as_written() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert blocks, "the README has a Python tour"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)
    ticket, later, office = namespace["ticket"], namespace["later"], namespace["office"]
    assert isinstance(ticket, Ticket) and isinstance(later, Ticket)
    assert isinstance(office, WorkingCalendar)
    assert ticket.status == "postponed"
    assert later.status == "open" and later.status_since == datetime(2026, 3, 3, 9, tzinfo=PRAGUE)
    due = office.add(datetime(2026, 12, 23, 16, tzinfo=PRAGUE), timedelta(hours=4))
    assert due == datetime(2026, 12, 28, 12, tzinfo=PRAGUE)
    assert "2026-12-28 12:00+01:00" in blocks[0], "the comment in the README shows this instant"
