"""``helpdesk import KIND FILE``, ``import --bundle`` and ``export``, driven as
an admin would: exact output lines, exit codes, and a store left untouched
by any refused import."""

from __future__ import annotations

import csv
import gc
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.imports import KINDS

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"

CONTACTS_HEADER = "external_id,company,first_name,last_name,email,phone,mobile,responsible,portal_access\n"
GOOD_CONTACT_ROWS = [
    "P-10,C-1,Eva,Veselá,eva.vesela@zlatyklic.cz,,602 111 222,E-3,own_tickets\n",
    "P-11,C-2,Ondřej,Kříž,ondrej.kriz@pekarstvi-stastny.cz,,,,\n",
    "P-12,C-3,Łucja,Żak,lucja.zak@piekarnia-zolkiewski.pl,+48 22 628 31 42,,E-2,none\n",
    "P-13,,Zbyněk,Dvořák,zbynek@seznam.cz,,,,\n",
    "P-14,C-1,Marie,Kučerová,marie.kucerova@zlatyklic.cz,,,,\n",
]


def run(tmp_path: Path, *args: str) -> Result:
    app = AppContext(db_url=str(tmp_path / "desk.sqlite3"))
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A store holding the example bundle; returns the bundle's copy."""
    folder = tmp_path / "bundle"
    shutil.copytree(EXAMPLES, folder)
    result = run(tmp_path, "import", "--bundle", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def export(tmp_path: Path, kind: str) -> str:
    result = run(tmp_path, "export", kind, "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return result.output


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_a_bundle_import_prints_one_summary_line_per_file(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "--bundle", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "employee-groups.csv: 2 created, 0 updated, 0 unchanged, 0 rejected",
        "employees.csv: 6 created, 0 updated, 0 unchanged, 0 rejected",
        "customer-groups.csv: 2 created, 0 updated, 0 unchanged, 0 rejected",
        "companies.csv: 5 created, 0 updated, 0 unchanged, 0 rejected",
        "contacts.csv: 10 created, 0 updated, 0 unchanged, 0 rejected",
        "contracts.csv: 2 created, 0 updated, 0 unchanged, 0 rejected",
        "service-periods.csv: 3 created, 0 updated, 0 unchanged, 0 rejected",
        "service-objects.csv: 3 created, 0 updated, 0 unchanged, 0 rejected",
        "equipment.csv: 4 created, 0 updated, 0 unchanged, 0 rejected",
    ]
    assert result.stderr == "", "no progress bar when stderr is not a terminal"


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path, seeded: Path) -> None:
    before = export(tmp_path, "contacts")
    result = run(tmp_path, "import", "contacts", str(seeded / "contacts.csv"))
    assert result.stdout == "contacts.csv: 0 created, 0 updated, 10 unchanged, 0 rejected\n"
    assert export(tmp_path, "contacts") == before


def test_a_dry_run_lists_each_row_and_stores_nothing(tmp_path: Path, seeded: Path) -> None:
    path = write(
        tmp_path,
        "companies.csv",
        "external_id,name,phone\nC-1,Kavárna U Zlatého klíče s.r.o.,224 812 345\nC-2,Pekařství Šťastný,\n"
        "C-4,Cukrárna Vlasta,\n",
    )
    before = export(tmp_path, "companies")
    result = run(tmp_path, "import", "companies", str(path), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "companies.csv line 2: C-1 unchanged",
        "companies.csv line 3: C-2 would be updated (name, phone)",
        "companies.csv line 4: C-4 would be created",
        "companies.csv: 1 created, 1 updated, 1 unchanged, 0 rejected (dry run: nothing stored)",
    ]
    assert export(tmp_path, "companies") == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "contacts.csv",
            CONTACTS_HEADER + "".join(GOOD_CONTACT_ROWS) + "P-15,C-1,Jan,Malý,jan.maly@@zlatyklic.cz,,,,\n",
            "contacts.csv line 7: email: 'jan.maly@@zlatyklic.cz' is not an e-mail address "
            "(The part after the @-sign contains invalid characters: '@'.)",
        ),
        (
            "contacts.csv",
            CONTACTS_HEADER + GOOD_CONTACT_ROWS[0] + GOOD_CONTACT_ROWS[1]
            + "P-15,C-99,Jan,Malý,,,,,\n",
            "contacts.csv line 4: company 'C-99' is not known (not in the store nor in this import)",
        ),
        (
            "contacts.csv",
            CONTACTS_HEADER + GOOD_CONTACT_ROWS[0] + GOOD_CONTACT_ROWS[1] + GOOD_CONTACT_ROWS[0],
            "contacts.csv line 4: external_id: 'P-10' appears again (first on line 2)",
        ),
        (
            "contacts.csv",
            (CONTACTS_HEADER + "P-15,C-1,Jan,Malý,,,,,\n").encode("cp1250"),
            "contacts.csv line 2: not UTF-8 text (invalid start byte at byte 17 of the line); "
            "save the file as UTF-8",
        ),
        (
            "contacts.csv",
            "".join(GOOD_CONTACT_ROWS),
            "contacts.csv line 1: no header row: expected column names such as external_id, company, "
            "first_name, last_name, email, phone, mobile, responsible, portal_access; got 'P-10', 'C-1', "
            "'Eva', 'Veselá', 'eva.vesela@zlatyklic.cz', '', '602 111 222', 'E-3', 'own_tickets'",
        ),
        (
            "contacts.jsonl",
            '{"external_id": "P-15", "company": "C-1", "last_name": "Malý"}\n{"external_id": "P-16",\n',
            "contacts.jsonl line 2: malformed JSON: Expecting property name enclosed in double quotes "
            "at column 24",
        ),
    ],
    ids=["bad-email-line-7", "unknown-company", "duplicate-id", "wrong-encoding", "no-header", "bad-json"],
)
def test_a_bad_file_is_refused_with_one_line_and_the_store_is_unchanged(
    tmp_path: Path, seeded: Path, name: str, content: str | bytes, message: str
) -> None:
    before = export(tmp_path, "contacts")
    result = run(tmp_path, "import", "contacts", str(write(tmp_path, name, content)))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert export(tmp_path, "contacts") == before


def test_several_bad_rows_are_counted_in_the_one_line(tmp_path: Path, seeded: Path) -> None:
    content = CONTACTS_HEADER + "P-15,C-98,Jan,Malý,,,,,\nP-16,C-99,Eva,Malá,,,,,\n"
    result = run(tmp_path, "import", "contacts", str(write(tmp_path, "contacts.csv", content)))
    assert result.stderr == (
        "Error: contacts.csv line 2: company 'C-98' is not known (not in the store nor in this import)"
        " (and 1 more rejected rows)\n"
    )


def test_skip_invalid_writes_rejects_where_asked(tmp_path: Path, seeded: Path) -> None:
    content = CONTACTS_HEADER + GOOD_CONTACT_ROWS[0] + "P-15,C-1,Jan,Malý,,+420 12,,,\n"
    rejects = tmp_path / "out" / "bad.csv"
    rejects.parent.mkdir()
    path = write(tmp_path, "contacts.csv", content)
    result = run(tmp_path, "import", "contacts", str(path), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 8  # the good rows are stored, and a cron job notices the others
    assert result.stderr == "Error: 1 rejected row(s) left out (--skip-invalid); the rest is stored\n"
    assert result.stdout.splitlines() == [
        "contacts.csv: 1 created, 0 updated, 0 unchanged, 1 rejected",
        f"contacts.csv: rejected rows written to {rejects}",
    ]
    with rejects.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[1][:3] == [
        "3", "phone: '+420 12' is not a valid phone number (numbers without a +prefix are read as CZ)", "P-15"
    ]
    assert "P-10" in export(tmp_path, "contacts")
    assert "P-15" not in export(tmp_path, "contacts")


def test_an_unknown_column_is_warned_about_once(tmp_path: Path, seeded: Path) -> None:
    content = "external_id,last_name,fax\nP-20,Horák,+420 224 000 001\nP-21,Černá,+420 224 000 002\n"
    result = run(tmp_path, "import", "contacts", str(write(tmp_path, "contacts.csv", content)))
    assert result.exit_code == 0
    assert result.stderr.count("Warning:") == 1
    assert result.stderr.startswith("Warning: contacts.csv: unknown column 'fax' is ignored (known: ")


def test_semicolons_and_a_bom_with_an_explicit_delimiter_and_region(tmp_path: Path, seeded: Path) -> None:
    content = "\ufeffexternal_id;company;last_name;phone\r\nP-31;C-3;Wiśniewska;22 628 31 49\r\n"
    path = write(tmp_path, "kontakty.txt", content.encode("utf-8"))
    result = run(
        tmp_path, "import", "contacts", str(path), "--format", "csv", "--delimiter", ";", "--region", "PL"
    )
    assert result.stdout == "kontakty.txt: 1 created, 0 updated, 0 unchanged, 0 rejected\n"
    row = next(json.loads(r) for r in export(tmp_path, "contacts").splitlines() if "P-31" in r)
    assert (row["last_name"], row["phone"], row["company"]) == ("Wiśniewska", "+48226283149", "C-3")


def test_export_to_a_file_then_edit_and_import_it_back(tmp_path: Path, seeded: Path) -> None:
    out = tmp_path / "companies-export.csv"
    result = run(tmp_path, "export", "companies", "--format", "csv", "--output", str(out))
    assert result.exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(KINDS["companies"].keys)
    assert "C-1,Kavárna U Zlatého klíče s.r.o.,vip,info@zlatyklic.cz,+420224812345,zlatyklic.cz,E-3,CG-1;CG-2" in text
    out.write_text(text.replace("CG-1;CG-2", "CG-2"), encoding="utf-8")
    result = run(tmp_path, "import", "companies", str(out))
    assert result.stdout == "companies-export.csv: 0 created, 1 updated, 4 unchanged, 0 rejected\n"
    assert json.loads(export(tmp_path, "companies").splitlines()[0])["customer_groups"] == ["CG-2"]


def test_bundle_and_a_kind_together_is_a_usage_error(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "--bundle", str(EXAMPLES), "contacts", str(EXAMPLES / "contacts.csv"))
    assert result.exit_code == 2
    assert "--bundle imports a directory" in result.stderr


def test_every_import_and_export_command_has_help(tmp_path: Path) -> None:
    for kind in KINDS:
        result = run(tmp_path, "import", kind, "--help")
        assert result.exit_code == 0
        assert f"Import {kind} from FILE" in result.output
    assert "Write every KIND record" in run(tmp_path, "export", "--help").output
    assert "--bundle" in run(tmp_path, "import", "--help").output


def test_an_import_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    thresholds = gc.get_threshold()
    folder = tmp_path / "bundle"
    shutil.copytree(EXAMPLES, folder)
    assert run(tmp_path, "import", "--bundle", str(folder)).exit_code == 0
    bad = tmp_path / "contacts.csv"
    bad.write_text(CONTACTS_HEADER + "P-99,C-404,Eva,Veselá,eva@x.cz,,,,\n", encoding="utf-8")
    assert run(tmp_path, "import", "contacts", str(bad)).exit_code == 2
    assert gc.get_threshold() == thresholds
