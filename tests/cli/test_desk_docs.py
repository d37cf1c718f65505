"""docs/desk.md as written: its Python blocks run in order (on a memory
store, from the repository folder) and say what they print; the web app's
handlers it shows are those of examples/web_app.py, character for character."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "desk.md"
APP = ROOT / "examples" / "web_app.py"
FROM_THE_APP = "# examples/web_app.py\n"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE | re.DOTALL)


def test_the_handlers_shown_are_the_example_apps() -> None:
    shown = [block.removeprefix(FROM_THE_APP) for block in python_blocks() if block.startswith(FROM_THE_APP)]
    assert len(shown) >= 3
    source = APP.read_text(encoding="utf-8")
    for block in shown:
        assert block in source, block
    for handler in ("def register(", "def comment(", "def resolve(", "def sla("):
        assert any(handler in block for block in shown), handler


def test_the_python_blocks_run_and_show_what_they_say(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {}
    for block in python_blocks():
        if not block.startswith(FROM_THE_APP):
            exec(compile(block, str(DOC), "exec"), namespace)
    desk = namespace["desk"]
    try:
        assert (namespace["ticket_id"], namespace["version"]) == ("T-1001", 1)
        status = namespace["status"]
        assert (status.row.state.value, status.reaction_left, status.resolution_left) == ("met", None, None)
        printed = capsys.readouterr().out.splitlines()
        assert printed[0].startswith("2026-03-04T11:00:00+01:00 T-1001 status: auto-close: "), printed
        assert printed[0].endswith("→ closed"), printed
        delivered = [line.split()[:3] for line in printed[1:]]
        assert delivered[0] == ["1", "ticket_registered", "T-1001"]
        assert [kind for _, kind, _ in delivered] == [
            "ticket_registered", "comment_added", "status_changed", "status_changed"]
        assert [int(position) for position, _, _ in delivered] == [1, 2, 3, 4]
        assert desk.outbox.pending("notifications") == [], "everything acknowledged"
        assert len(desk.outbox.pending()) == 4, "another consumer keeps its own place"
    finally:
        desk.close()
