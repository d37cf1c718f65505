"""``whole_output`` leaves no partial file behind, even when interrupted in
the instant right after making it (a Ctrl-C under load did, between
``mkstemp`` and the guard)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpdesk_cli.output_files import whole_output


def test_an_interrupt_right_after_the_partial_file_is_made_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "sla.csv"
    target.write_text("the older report\n", encoding="utf-8")
    real_close = os.close

    def interrupted(descriptor: int) -> None:
        real_close(descriptor)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "close", interrupted)
    with pytest.raises(KeyboardInterrupt), whole_output(target):
        pytest.fail("the block must not run")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sla.csv"]
    assert target.read_text(encoding="utf-8") == "the older report\n"
