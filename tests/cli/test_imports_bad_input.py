"""Import files and options a careless or hostile user gives (issue 12, items 4,
8, 10 and 11): each is refused with one line naming file, line and reason, or
read as it was meant, and a refused import leaves the store as it was."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.imports import readers
from helpdesk_core.imports.report import ImportRejected


def run(tmp_path: Path, *args: str) -> Result:
    app = AppContext(db_url=str(tmp_path / "desk.sqlite3"))
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def companies(tmp_path: Path) -> list[dict[str, object]]:
    if not (tmp_path / "desk.sqlite3").exists():
        return []
    result = run(tmp_path, "export", "companies", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def refused(tmp_path: Path, result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {message}\n"
    assert companies(tmp_path) == []


# -- item 4: a stray quote, too few or too many cells -------------------------


def test_a_stray_quote_does_not_swallow_the_rest_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", 'external_id,name\nU-1,"Alpha,client\nU-2,Beta\nU-3,Gamma\n')
    refused(tmp_path, run(tmp_path, "import", "companies", str(path)),
            "companies.csv line 2: a quoted cell opens on this line and is never closed (a stray quote?); "
            "it would run to the end of the file, line 4")


def test_a_quoted_cell_running_over_lines_is_reported_where_it_opened(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", 'external_id,name\nU-1,"Alpha\nU-2,Beta\nU-3,Gamma",x\nU-4,Delta\n')
    refused(tmp_path, run(tmp_path, "import", "companies", str(path)),
            "companies.csv line 2: 3 cells, but the header has 2 columns: a quoted cell opened on this "
            "line runs to line 4 (a stray quote, or a quote that is not closed?)")


def test_a_record_with_fewer_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", "external_id,name,category\nU-1,Alpha,vip\nU-2,Beta\n")
    refused(tmp_path, run(tmp_path, "import", "companies", str(path)),
            "companies.csv line 3: 2 cells, but the header has 3 columns (a cell or a delimiter missing?)")


def test_a_multi_line_cell_that_is_closed_still_imports(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", 'external_id,name\nU-1,"Alpha\nand Sons"\nU-2,Beta\n')
    result = run(tmp_path, "import", "companies", str(path))
    assert result.stdout == "companies.csv: 2 created, 0 updated, 0 unchanged, 0 rejected\n"


# -- item 10: bad files and options --------------------------------------------


def test_a_file_with_cr_only_line_ends_is_refused_clearly(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", "external_id,name\rU-1,Alpha\rU-2,Beta\r")
    refused(tmp_path, run(tmp_path, "import", "companies", str(path)),
            "companies.csv line 1: the lines end with a carriage return alone (CR, as on classic Mac OS); "
            "save the file with LF or CR LF line ends")


@pytest.mark.parametrize("delimiter", [",,", "", '"', "\n"])
def test_a_delimiter_of_other_than_one_character_is_refused(tmp_path: Path, delimiter: str) -> None:
    path = write(tmp_path, "companies.csv", "external_id,name\nU-1,Alpha\n")
    refused(tmp_path, run(tmp_path, "import", "companies", str(path), "--delimiter", delimiter),
            f"delimiter {delimiter!r}: expected one character such as , ; | or \\t (a tab), "
            "not a quote or a line end")


def test_a_tab_delimiter_may_be_written_as_backslash_t(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", "external_id\tname\nU-1\tAlpha, s.r.o.\n")
    result = run(tmp_path, "import", "companies", str(path), "--delimiter", "\\t")
    assert result.exit_code == 0, result.output
    assert companies(tmp_path)[0]["name"] == "Alpha, s.r.o."


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"external_id": "U-1", "name": NaN}', "NaN is not a JSON number (JSON has no NaN or infinities)"),
        ('{"external_id": "U-1", "name": "a\\ud800"}',
         "a text holds the lone surrogate '\\ud800', which is not a character (half of a UTF-16 pair?)"),
        ('{"external_id": "U-1", "name": ' + "[" * 5000 + "]" * 5000 + "}", "JSON nested deeper than 64 levels"),
        ('{"external_id": "U-1", "name": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "JSON nested deeper than 64 levels"),
    ],
    ids=["nan", "lone-surrogate", "nested", "nested-beyond-recursion"],
)
def test_json_lines_that_are_not_strict_json_are_refused_with_their_line(
    tmp_path: Path, line: str, reason: str
) -> None:
    path = write(tmp_path, "companies.jsonl", '{"external_id": "U-0", "name": "Good"}\n' + line + "\n")
    refused(tmp_path, run(tmp_path, "import", "companies", str(path)), f"companies.jsonl line 2: {reason}")


def test_rejects_in_a_missing_folder_are_refused_before_anything_is_stored(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", "external_id,name,email\nU-1,Alpha,\nU-2,Beta,not-an-address\n")
    target = tmp_path / "nonexistent" / "r.csv"
    result = run(tmp_path, "import", "companies", str(path), "--skip-invalid", "--rejects", str(target))
    refused(tmp_path, result,
            f"{target}: cannot write the rejected rows there: the folder {target.parent} does not exist")


def test_rejects_may_not_overwrite_the_file_being_imported(tmp_path: Path) -> None:
    text = "external_id,name,email\nU-1,Alpha,\nU-2,Beta,not-an-address\n"
    path = write(tmp_path, "companies.csv", text)
    result = run(tmp_path, "import", "companies", str(path), "--skip-invalid", "--rejects", str(path))
    refused(tmp_path, result,
            f"{path}: cannot write the rejected rows there: it is companies.csv, a file being imported")
    assert path.read_text(encoding="utf-8") == text


# -- item 11: a line-size limit, refused early ----------------------------------


def test_a_line_longer_than_the_limit_is_refused_before_it_is_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 4096)
    long = "x" * 10_000
    csv_path = write(tmp_path, "companies.csv", f"external_id,name\nU-1,Alpha\nU-2,{long}\n")
    refused(tmp_path, run(tmp_path, "import", "companies", str(csv_path)),
            "companies.csv line 3: longer than 4,096 bytes, the most a line may hold "
            "(is this a text file with line ends?)")
    jsonl = write(tmp_path, "companies.jsonl", json.dumps({"external_id": "U-1", "name": long}) + "\n")
    refused(tmp_path, run(tmp_path, "import", "companies", str(jsonl)),
            "companies.jsonl line 1: longer than 4,096 bytes, the most a line may hold "
            "(is this a text file with line ends?)")
    tickets = write(tmp_path, "t.jsonl", json.dumps({"id": "T-1", "subject": long,
                                                    "created_at": "2026-03-02T09:00:00+01:00"}) + "\n")
    result = run(tmp_path, "import", "tickets", str(tickets))
    assert result.exit_code == 2
    assert result.stderr == ("Error: t.jsonl line 1: longer than 4,096 bytes, the most a line may hold "
                             "(is this a text file with line ends?)\n")


def test_the_bounded_reader_never_asks_for_more_than_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_LINE_BYTES", 100)
    asked: list[int] = []

    class Handle(io.BytesIO):
        def readline(self, size: int | None = -1) -> bytes:
            asked.append(-1 if size is None else size)
            return super().readline(size)

    with pytest.raises(ImportRejected, match="line 2: longer than 100 bytes"):
        list(readers.bounded_lines(Handle(b"short\n" + b"y" * 10_000), "f.csv"))
    assert asked and all(0 < size <= 101 for size in asked)


# -- item 8: formula injection ---------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_exports_and_rejects_neutralise_formulas_and_round_trip_byte_identical(tmp_path: Path) -> None:
    rows = [
        ["external_id", "name", "phone", "category"],
        ["C-1", FORMULA, "+420 224 812 345", ""],
        ["C-2", "-Minus s.r.o.", "", ""],
        ["C-3", "@home", "", ""],
        ["C-4", "'=quoted already", "", ""],
    ]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    result = run(tmp_path, "import", "companies", str(write(tmp_path, "in.csv", text.getvalue())))
    assert result.exit_code == 0, result.output
    stored = {c["external_id"]: c for c in companies(tmp_path)}
    assert stored["C-1"]["name"] == FORMULA  # the file held it raw: it is the company's name
    assert stored["C-4"]["name"] == "=quoted already"  # OWASP's quote is taken away on import
    first = tmp_path / "first.csv"
    assert run(tmp_path, "export", "companies", "--output", str(first)).exit_code == 0
    exported = list(csv.reader(first.open(encoding="utf-8")))
    names = {row[0]: row[1] for row in exported[1:]}
    assert names == {"C-1": "'" + FORMULA, "C-2": "'-Minus s.r.o.", "C-3": "'@home", "C-4": "'=quoted already"}
    assert exported[1][4] == "+420224812345"  # a plain number runs nothing: left as it is
    again = run(tmp_path, "import", "companies", str(first))
    assert again.stdout == "first.csv: 0 created, 0 updated, 4 unchanged, 0 rejected\n"
    second = tmp_path / "second.csv"
    assert run(tmp_path, "export", "companies", "--output", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()

    bad = write(tmp_path, "bad.csv", "external_id,name,email\nC-9,=1+2,not-an-address\n")
    rejects = tmp_path / "rejects.csv"
    result = run(tmp_path, "import", "companies", str(bad), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 8, result.output  # rows left out
    rejected = list(csv.reader(rejects.open(encoding="utf-8")))
    assert rejected[1][2:4] == ["C-9", "'=1+2"]


def test_the_consent_audience_csv_neutralises_formulas(tmp_path: Path) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(
        [["external_id", "first_name", "last_name", "email"], ["P-1", "@SUM(A1)", FORMULA, "a@b.cz"]]
    )
    result = run(tmp_path, "import", "contacts", str(write(tmp_path, "contacts.csv", text.getvalue())))
    assert result.exit_code == 0, result.output
    assert run(tmp_path, "privacy", "consent", "opt-in", "P-1", "newsletter").exit_code == 0
    audience = run(tmp_path, "privacy", "consent", "audience", "newsletter")
    assert audience.exit_code == 0, audience.output
    assert list(csv.reader(io.StringIO(audience.output)))[1] == ["P-1", "a@b.cz", f"'@SUM(A1) {FORMULA}"]


def test_an_export_into_a_missing_folder_is_refused_in_one_line(tmp_path: Path) -> None:
    assert run(tmp_path, "import", "companies", str(write(tmp_path, "c.csv", "external_id,name\nU-1,A\n"))).exit_code == 0
    target = tmp_path / "nonexistent" / "x.csv"
    result = run(tmp_path, "export", "companies", "--output", str(target))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {target}: cannot write the output: No such file or directory\n"


def test_an_export_of_a_missing_store_makes_no_file(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    result = run(tmp_path, "export", "companies", "--output", str(target))
    assert result.exit_code == 3
    assert not target.exists()
