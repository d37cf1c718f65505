"""Rows written as CSV cannot run as spreadsheet formulas; JSON stays valid when streamed."""

from __future__ import annotations

import csv
import io
import json

from helpdesk_cli.output import neutralised, write_rows


def test_formula_starts_are_neutralised() -> None:
    for text in ("=HYPERLINK(\"http://x\")", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralised(text) == "'" + text
    assert neutralised("T-1001") == "T-1001"
    assert neutralised(5) == 5
    for number in ("-5", "+420601123456", "-1.5"):  # plain numbers run nothing: left usable
        assert neutralised(number) == number


def test_csv_cells_are_neutralised_and_booleans_spelled() -> None:
    out = io.StringIO()
    count = write_rows([{"rule": "=cmd|' /C calc'!A0", "ok": True, "due": None}], ["rule", "ok", "due"], "csv", out)
    assert count == 1
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["rule", "ok", "due"], ["'=cmd|' /C calc'!A0", "true", ""]]


def test_json_array_is_valid_with_zero_one_and_many_rows() -> None:
    for n in (0, 1, 3):
        out = io.StringIO()
        write_rows(({"i": i} for i in range(n)), [], "json", out)
        assert json.loads(out.getvalue()) == [{"i": i} for i in range(n)]
