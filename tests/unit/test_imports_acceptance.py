"""The import acceptance tests, on the real stores (memory:// and SQLite):
idempotent re-imports, dry runs, all-or-nothing, skip-invalid rejects,
bundles in any order, and export → edit → import round trips."""

from __future__ import annotations

import csv
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpdesk_core.imports import (
    KINDS,
    RowsRejected,
    bundle_files,
    export_kind,
    export_rows,
    import_bundle,
    import_file,
    import_sources,
)
from helpdesk_core.storage import Store, open_store

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "import"
REPOSITORIES = (
    "employee_groups", "employees", "customer_groups", "companies", "contacts",
    "contracts", "service_objects", "equipment",
)


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    opened = open_store(url)
    yield opened
    opened.close()


def snapshot(store: Store) -> dict[str, list[tuple[Any, int]]]:
    """Every record the store keeps with its version, repository by repository."""
    return {name: [(s.value, s.version) for s in getattr(store, name).iter()] for name in REPOSITORIES}


def bundle(tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(EXAMPLES, target)
    return target


def counts(report: Any) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


def test_reimporting_the_same_files_changes_nothing_and_says_so(store: Store, tmp_path: Path) -> None:
    folder = bundle(tmp_path)
    first = import_bundle(folder, store=store)
    assert counts(first) == (37, 0, 0, 0)
    after_first = snapshot(store)
    assert sum(len(v) for v in after_first.values()) == 34  # 3 service periods live in 2 contracts
    second = import_bundle(folder, store=store)
    third = import_file("contacts", folder / "contacts.csv", store=store)
    assert counts(second) == (0, 0, 37, 0)
    assert counts(third) == (0, 0, 10, 0)
    assert [f.summary() for f in second.files][3] == "companies.csv: 0 created, 0 updated, 5 unchanged, 0 rejected"
    assert snapshot(store) == after_first
    assert {version for records in after_first.values() for _, version in records} == {1}


def test_a_dry_run_writes_nothing_but_reports_the_plan(store: Store, tmp_path: Path) -> None:
    folder = bundle(tmp_path)
    report = import_bundle(folder, store=store, dry_run=True)
    assert counts(report) == (37, 0, 0, 0)
    assert report.dry_run
    assert all(not list(getattr(store, name).iter()) for name in REPOSITORIES)
    import_bundle(folder, store=store)
    before = snapshot(store)
    (folder / "companies.csv").write_text(
        "external_id,name\nC-1,Kavárna U Zlatého klíče a.s.\nC-10,Cukrárna Vlasta\n", encoding="utf-8"
    )
    report = import_file("companies", folder / "companies.csv", store=store, dry_run=True)
    assert [r.describe(dry_run=True) for r in report.rows] == [
        "companies.csv line 2: C-1 would be updated (name)",
        "companies.csv line 3: C-10 would be created",
    ]
    assert snapshot(store) == before


def test_a_bad_row_anywhere_in_a_bundle_leaves_the_store_exactly_as_it_was(
    store: Store, tmp_path: Path
) -> None:
    folder = bundle(tmp_path)
    import_bundle(folder, store=store)
    before = snapshot(store)
    (folder / "companies.csv").write_text(
        "external_id,name,phone\nC-1,Kavárna nová,224 812 999\nC-10,Nová firma,\n", encoding="utf-8"
    )
    with (folder / "equipment.csv").open("a", encoding="utf-8") as out:
        out.write("EQ-9,oven,C-404,Rational,,,\n")
    with pytest.raises(RowsRejected) as caught:
        import_bundle(folder, store=store)
    assert str(caught.value) == (
        "equipment.csv line 6: company 'C-404' is not known (not in the store nor in this import)"
    )
    assert snapshot(store) == before


def test_skip_invalid_imports_the_good_rows_and_writes_the_rejects(store: Store, tmp_path: Path) -> None:
    folder = bundle(tmp_path)
    import_bundle(folder, store=store)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "external_id,company,last_name,email,phone\n"
        "P-10,C-1,Veselá,eva.vesela@zlatyklic.cz,602 000 111\n"
        "P-11,C-99,Marek,marek@firma.cz,\n"
        "P-12,C-2,Kříž,kriz@,\n"
        "P-13,C-2,Dušková,,12\n",
        encoding="utf-8",
    )
    report = import_file("contacts", contacts, store=store, skip_invalid=True)
    assert counts(report) == (1, 0, 0, 3)
    rejects = tmp_path / "contacts.csv.rejects.csv"
    assert report.files[0].rejects == rejects
    with rejects.open(encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["line", "reason", "external_id", "company", "last_name", "email", "phone"],
            ["3", "company 'C-99' is not known (not in the store nor in this import)",
             "P-11", "C-99", "Marek", "marek@firma.cz", ""],
            ["4", "email: 'kriz@' is not an e-mail address (There must be something after the @-sign.)",
             "P-12", "C-2", "Kříž", "kriz@", ""],
            ["5", "phone: '12' is not a valid phone number (numbers without a +prefix are read as CZ)",
             "P-13", "C-2", "Dušková", "", "12"],
        ]
    assert store.contacts.get_by_external_id("P-10") is not None
    assert store.contacts.get_by_external_id("P-11") is None


def test_a_bundle_plans_the_same_whatever_order_its_files_come_in(tmp_path: Path) -> None:
    folder = bundle(tmp_path)
    sources = bundle_files(folder)
    results = set()
    for order in itertools.islice(itertools.permutations(sources), 0, None, 4000):
        fresh = open_store("memory://")
        import_sources(list(order), store=fresh)
        results.add(repr(snapshot(fresh)))
    assert len(results) == 1


def test_a_period_file_may_reference_a_contract_created_by_the_same_bundle(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "service-periods.jsonl").write_text(
        '{"contract": "K-1", "start": "2026-01-01", "end": "2026-03-31", "paid": true}\n', encoding="utf-8"
    )
    (folder / "contracts.csv").write_text(
        "external_id,number,companies,start\nK-1,SML-7,C-1,2026-01-01\n", encoding="utf-8"
    )
    (folder / "companies.csv").write_text("external_id,name\nC-1,Kavárna\n", encoding="utf-8")
    fresh = open_store("memory://")
    import_bundle(folder, store=fresh)
    stored = fresh.contracts.get("K-1").value
    assert [str(p) for p in stored.periods] == ["2026-01-01..2026-03-31"]


def test_export_edit_import_round_trips(store: Store, tmp_path: Path) -> None:
    import_bundle(bundle(tmp_path), store=store)
    before = snapshot(store)
    exported = tmp_path / "exported"
    exported.mkdir()
    for kind in KINDS:
        fmt = "jsonl" if kind in ("employees", "service-periods") else "csv"
        with (exported / f"{kind}.{fmt}").open("w", encoding="utf-8", newline="") as out:
            export_kind(kind, store, out, format=fmt)
    assert counts(import_bundle(exported, store=store)) == (0, 0, 37, 0)
    assert snapshot(store) == before

    companies = exported / "companies.csv"
    text = companies.read_text(encoding="utf-8")
    companies.write_text(text.replace("Pekařství Šťastný a syn", "Pekařství Šťastný a dcera"), encoding="utf-8")
    report = import_bundle(exported, store=store)
    assert counts(report) == (0, 1, 36, 0)
    assert store.companies.get("C-2").value.name == "Pekařství Šťastný a dcera"
    assert store.companies.get("C-2").version == 2

    fresh = open_store("memory://")
    import_bundle(exported, store=fresh)
    assert {k: [v for v, _ in rows] for k, rows in snapshot(fresh).items()} == {
        k: [v for v, _ in rows] for k, rows in snapshot(store).items()
    }


def test_exported_rows_use_external_ids_and_the_keys_of_the_import_file(store: Store, tmp_path: Path) -> None:
    import_bundle(bundle(tmp_path), store=store)
    rows = list(export_rows("contracts", store))
    assert rows[1] == {
        "external_id": "K-2026-02", "number": "SML-2026/002", "companies": ["C-2", "C-3"],
        "start": "2026-02-01", "end": None,
    }
    assert list(rows[0]) == list(KINDS["contracts"].keys)


def test_a_bom_and_a_semicolon_delimiter(store: Store, tmp_path: Path) -> None:
    import_bundle(bundle(tmp_path), store=store)
    path = tmp_path / "contacts.csv"
    path.write_bytes(
        "\ufeffexternal_id;company;first_name;last_name;mobile\r\nP-20;C-3;Łucja;Żak;+48 601 234 999\r\n".encode()
    )
    report = import_file("contacts", path, store=store)
    assert counts(report) == (1, 0, 0, 0)
    kept = store.contacts.get("P-20").value
    assert (kept.first_name, kept.last_name, kept.mobile, kept.company) == ("Łucja", "Żak", "+48601234999", "C-3")


def test_employees_carry_their_calendar_and_capacity_for_routing(store: Store, tmp_path: Path) -> None:
    """The routing strategies read each employee's own calendar and capacity;
    a file without the columns (every file written before them) still imports."""
    people = tmp_path / "employees.csv"
    people.write_text(
        "external_id,first_name,email,calendar,capacity\n"
        "E-1,Lenka,lenka@servis.cz,prague-office,5\n"
        "E-2,Tomáš,tomas@servis.cz,,\n",
        encoding="utf-8",
    )
    import_file("employees", people, store=store)
    stored = {s.value.id: s.value for s in store.employees.iter()}
    assert (stored["E-1"].calendar, stored["E-1"].capacity) == ("prague-office", 5)
    assert (stored["E-2"].calendar, stored["E-2"].capacity) == (None, None)
    assert next(iter(export_rows("employees", store)))["capacity"] == 5
    bad = tmp_path / "bad.csv"
    bad.write_text("external_id,first_name,email,capacity\nE-3,Jana,jana@servis.cz,lots\n", encoding="utf-8")
    with pytest.raises(RowsRejected, match="capacity: expected a whole number >= 0, got 'lots'"):
        import_file("employees", bad, store=store)
    assert {s.value.id for s in store.employees.iter()} == {"E-1", "E-2"}
