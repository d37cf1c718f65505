"""Reading import files: CSV with or without BOM, delimiters, JSON Lines,
line numbers as the file has them, and unreadable files refused early."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpdesk_core.imports.kinds import KINDS
from helpdesk_core.imports.readers import SourceFile, format_of
from helpdesk_core.imports.report import ImportRejected

CONTACTS = KINDS["contacts"]


def source(tmp_path: Path, name: str, content: str | bytes, delimiter: str | None = None) -> SourceFile:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return SourceFile(path, CONTACTS, format_of(path), delimiter)


def test_a_bom_and_semicolons_are_read_like_plain_csv(tmp_path: Path) -> None:
    text = "external_id;first_name;last_name\r\nP-1;Růžena;Šťastná\r\n"
    plain = source(tmp_path, "plain.csv", text.replace(";", ","))
    with_bom = source(tmp_path, "bom.csv", "\ufeff" + text)
    expected = {"external_id": "P-1", "first_name": "Růžena", "last_name": "Šťastná"}
    assert [dict(r.values) for r in plain.rows()] == [expected]
    assert [dict(r.values) for r in with_bom.rows()] == [expected]
    assert with_bom.columns() == ("external_id", "first_name", "last_name")


def test_a_given_delimiter_beats_the_guess(tmp_path: Path) -> None:
    file = source(tmp_path, "c.csv", "external_id|last_name,x\nP-1|Nováková,J.\n", delimiter="|")
    assert [dict(r.values) for r in file.rows()] == [{"external_id": "P-1", "last_name,x": "Nováková,J."}]
    assert file.unknown_columns() == ("last_name,x",)


def test_line_numbers_count_blank_lines_and_multi_line_cells(tmp_path: Path) -> None:
    file = source(
        tmp_path,
        "c.csv",
        'external_id,last_name\n\nP-1,"Nová\nková"\n,\nP-2,Horák\n',
    )
    assert [(r.line, r.values["external_id"]) for r in file.rows()] == [(3, "P-1"), (6, "P-2")]


def test_short_and_long_rows_are_refused_with_their_line(tmp_path: Path) -> None:
    file = source(tmp_path, "c.csv", "external_id,first_name,last_name\nP-1,Jana\nP-2,Petr,Svoboda,extra\n")
    rows = list(file.rows())
    assert [(r.line, r.problem) for r in rows] == [
        (2, "2 cells, but the header has 3 columns (a cell or a delimiter missing?)"),
        (3, "4 cells, but the header has 3 columns (is the delimiter ',' right?)"),
    ]
    assert [r.values for r in rows] == [{}, {}]


def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path: Path) -> None:
    file = source(tmp_path, "contacts.csv", "external_id,last_name\nP-1,Nováková\n".encode("cp1250"))
    with pytest.raises(ImportRejected) as caught:
        list(file.rows())
    assert str(caught.value) == (
        "contacts.csv line 2: not UTF-8 text (invalid continuation byte at byte 8 of the line); "
        "save the file as UTF-8"
    )


def test_a_missing_header_is_refused(tmp_path: Path) -> None:
    file = source(tmp_path, "contacts.csv", "P-1,Jana,Nováková\n")
    with pytest.raises(ImportRejected, match=r"^contacts.csv line 1: no header row: expected column names"):
        list(file.rows())


def test_a_header_without_the_identifying_key_is_refused(tmp_path: Path) -> None:
    file = source(tmp_path, "contacts.csv", "first_name,last_name\nJana,Nováková\n")
    with pytest.raises(ImportRejected) as caught:
        list(file.rows())
    assert str(caught.value) == (
        "contacts.csv line 1: the header has no 'external_id' column, which identifies each contact"
    )


def test_json_lines_keep_types_and_report_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"external_id": "P-1", "last_name": "Wójcik", "phone": None}),
        "",
        "{not json",
        "[1, 2]",
    ]
    file = source(tmp_path, "contacts.jsonl", "\n".join(lines) + "\n")
    rows = list(file.rows())
    assert rows[0].line == 1
    assert dict(rows[0].values) == {"external_id": "P-1", "last_name": "Wójcik", "phone": None}
    assert (rows[1].line, rows[1].problem) == (
        3, "malformed JSON: Expecting property name enclosed in double quotes at column 2"
    )
    assert (rows[2].line, rows[2].problem) == (4, "expected a JSON object per line, got list")


def test_the_format_comes_from_the_extension_unless_given(tmp_path: Path) -> None:
    assert format_of(tmp_path / "a.CSV") == "csv"
    assert format_of(tmp_path / "a.ndjson") == "jsonl"
    assert format_of(tmp_path / "a.txt", "jsonl") == "jsonl"
    with pytest.raises(ImportRejected, match=r"^a.xlsx: cannot tell the format"):
        format_of(tmp_path / "a.xlsx")
