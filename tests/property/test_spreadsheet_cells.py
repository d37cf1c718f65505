"""Formula injection (issue 12, item 8): no cell written can start a formula,
and reading a written cell back gives exactly the text that was written."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk_core.imports.exporting import write_rows
from helpdesk_core.imports.kinds import KINDS
from helpdesk_core.imports.readers import SourceFile
from helpdesk_core.spreadsheets import FORMULA_STARTS, neutralised, restored

PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
texts = st.text(alphabet=st.sampled_from("=+-@'\t\r\n ,;\"ab1.é"), max_size=8) | st.text(max_size=12)


@given(texts)
def test_a_neutralised_text_runs_nothing_and_restores_exactly(text: str) -> None:
    cell = neutralised(text)
    assert isinstance(cell, str)
    assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.match(cell)
    assert restored(cell) == text


@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_an_exported_csv_reads_back_as_the_texts_written(
    tmp_path_factory: pytest.TempPathFactory, pairs: list[tuple[str, str]]) -> None:
    rows = [{"external_id": f"C-{i}", "name": name, "category": category} for i, (name, category) in enumerate(pairs)]
    out = io.StringIO()
    write_rows(iter(rows), ("external_id", "name", "category"), out, format="csv")
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "companies.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    read = [dict(r.values) for r in SourceFile(path, KINDS["companies"], "csv").rows()]
    expected = rows  # every row has a non-blank external id, so none is skipped
    assert read == expected
