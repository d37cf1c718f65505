"""Planning an import without a store: rows mapped onto the model, references
resolved by external id (within the file, across the files of a bundle, or
against records already kept), and each row's outcome decided up front."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from helpdesk_core.imports.kinds import KINDS
from helpdesk_core.imports.planning import ImportPlan, plan_import, plan_skipping_invalid
from helpdesk_core.imports.readers import SourceFile, format_of
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.parties import Company, Contact, PortalAccess
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee

REPOSITORIES = (
    "employee_groups", "employees", "customer_groups", "companies", "contacts",
    "contracts", "service_objects", "equipment",
)


@attrs.frozen
class Kept:
    """What a repository hands back: the value and its version."""

    value: Any
    version: int


class Shelf:
    """Records already kept, for one repository: found by id or external id."""

    def __init__(self, *records: Any) -> None:
        self.by_id = {r.id: Kept(r, 3) for r in records}

    def find(self, id: str) -> Kept | None:
        return self.by_id.get(id)

    def get_by_external_id(self, external_id: str) -> Kept | None:
        return next((k for k in self.by_id.values() if k.value.external_id == external_id), None)


def shelves(**kept: Shelf) -> dict[str, Any]:
    return {name: kept.get(name, Shelf()) for name in REPOSITORIES}


def file(tmp_path: Path, kind: str, text: str) -> SourceFile:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return SourceFile(path, KINDS[kind], format_of(path))


def outcomes(plan: ImportPlan) -> list[tuple[str, int, str, str]]:
    return [(r.file, r.line, r.key, r.outcome) for r in plan.rows]


def test_a_contact_may_name_a_company_defined_later_in_another_file(tmp_path: Path) -> None:
    contacts = file(tmp_path, "contacts", "external_id,company,last_name,phone\nP-1,C-1,Nováková,602 123 456\n")
    companies = file(tmp_path, "companies", "external_id,name\nC-1,Kavárna U Zlatého klíče\n")
    plan = plan_import([contacts, companies], shelves())
    assert outcomes(plan) == [
        ("companies.csv", 2, "C-1", "created"),
        ("contacts.csv", 2, "P-1", "created"),
    ]
    written = {w.value.id: w.value for w in plan.writes}
    assert written["P-1"] == Contact(
        id="P-1", external_id="P-1", company="C-1", last_name="Nováková", phone="+420602123456"
    )
    assert all(w.expected_version is None for w in plan.writes)


def test_a_reference_resolves_to_the_id_of_the_record_already_kept(tmp_path: Path) -> None:
    kept = Company(id="c-77", external_id="C-1", name="Pekařství Šťastný")
    contacts = file(tmp_path, "contacts", "external_id,company,first_name\nP-1,C-1,Růžena\n")
    plan = plan_import([contacts], shelves(companies=Shelf(kept)))
    (write,) = plan.writes
    assert isinstance(write.value, Contact)
    assert write.value.company == "c-77"


def test_references_in_a_cycle_and_a_responsible_that_is_a_group(tmp_path: Path) -> None:
    groups = file(tmp_path, "employee-groups", "external_id,name,manager,members\nG-1,První linie,E-1,E-1;E-2\n")
    employees = file(
        tmp_path,
        "employees",
        "external_id,first_name,last_name,email,groups\n"
        "E-1,Lenka,Dvořáková,lenka@servis.cz,G-1\nE-2,Tomáš,Procházka,tomas@servis.cz,G-1\n",
    )
    companies = file(tmp_path, "companies", "external_id,name,responsible\nC-1,Kavárna,G-1\nC-2,Pekárna,E-2\n")
    plan = plan_import([companies, employees, groups], shelves())
    written: dict[str, Any] = {w.value.id: w.value for w in plan.writes}
    assert written["C-1"].responsible == Assignee(id="G-1", group=True)
    assert written["C-2"].responsible == Assignee(id="E-2")
    assert written["E-2"] == Employee(
        id="E-2", external_id="E-2", first_name="Tomáš", last_name="Procházka",
        email="tomas@servis.cz", groups=frozenset({"G-1"}),
    )


def test_an_unknown_reference_names_file_line_and_the_missing_record(tmp_path: Path) -> None:
    contacts = file(tmp_path, "contacts", "external_id,company,last_name\nP-1,,Horák\nP-2,C-99,Svoboda\n")
    plan = plan_import([contacts], shelves())
    assert [r.describe() for r in plan.problems()] == [
        "contacts.csv line 3: company 'C-99' is not known (not in the store nor in this import)"
    ]
    contracts = file(tmp_path, "contracts", "external_id,number,companies,start\nK-1,1/2026,C-98,2026-01-01\n")
    plan = plan_import([contracts], shelves())
    assert [r.reason for r in plan.problems()] == [
        "companies: company 'C-98' is not known (not in the store nor in this import)"
    ]


def test_an_unchanged_row_is_counted_and_not_written(tmp_path: Path) -> None:
    kept = Contact(
        id="P-1", external_id="P-1", first_name="Jana", last_name="Nováková",
        email="jana@zlatyklic.cz", notes="keeps her notes", portal_access=PortalAccess.NONE,
    )
    contacts = file(
        tmp_path,
        "contacts",
        "external_id,first_name,last_name,email\nP-1,Jana,Nováková,jana@ZLATYKLIC.cz\nP-2,Petr,,\n",
    )
    plan = plan_import([contacts], shelves(contacts=Shelf(kept)))
    assert outcomes(plan) == [
        ("contacts.csv", 2, "P-1", "unchanged"),
        ("contacts.csv", 3, "P-2", "created"),
    ]
    assert [w.value.id for w in plan.writes] == ["P-2"]


def test_an_update_keeps_the_fields_the_file_does_not_carry(tmp_path: Path) -> None:
    kept = Contact(id="P-1", external_id="P-1", last_name="Nováková", notes="VIP", phone="+420602123456")
    contacts = file(tmp_path, "contacts", "external_id,last_name\nP-1,Novotná\n")
    plan = plan_import([contacts], shelves(contacts=Shelf(kept)))
    (row,) = plan.rows
    assert (row.outcome, row.changed) == ("updated", ("last_name",))
    (write,) = plan.writes
    assert write.expected_version == 3
    assert write.value == attrs.evolve(kept, last_name="Novotná")


def test_service_periods_go_into_their_contract_by_first_day(tmp_path: Path) -> None:
    kept = Contract(
        id="K-1", external_id="K-1", number="SML-1", companies=frozenset({"C-1"}),
        start=date(2026, 1, 1),
    )
    periods = file(
        tmp_path,
        "service-periods",
        "contract,start,end,paid,remind_on\n"
        "K-1,2026-01-01,2026-06-30,yes,2026-06-15\n"
        "K-1,2026-07-01,2026-12-31,no,\n",
    )
    plan = plan_import([periods], shelves(contracts=Shelf(kept)))
    assert outcomes(plan) == [
        ("service-periods.csv", 2, "K-1 2026-01-01", "created"),
        ("service-periods.csv", 3, "K-1 2026-07-01", "created"),
    ]
    (write,) = plan.writes
    assert isinstance(write.value, Contract)
    assert [str(p) for p in write.value.periods] == ["2026-01-01..2026-06-30", "2026-07-01..2026-12-31"]
    assert [p.paid for p in write.value.periods] == [True, False]


def test_overlapping_periods_are_rejected_with_the_models_reason(tmp_path: Path) -> None:
    contracts = file(tmp_path, "contracts", "external_id,number,companies,start\nK-1,SML-1,C-1,2026-01-01\n")
    companies = file(tmp_path, "companies", "external_id,name\nC-1,Kavárna\n")
    periods = file(
        tmp_path,
        "service-periods",
        "contract,start,end,paid\nK-1,2026-01-01,2026-06-30,yes\nK-1,2026-06-01,2026-12-31,no\n",
    )
    plan = plan_import([periods, contracts, companies], shelves())
    assert [r.describe() for r in plan.problems()] == [
        "service-periods.csv line 3: Contract.periods: service periods 2026-01-01..2026-06-30 and "
        "2026-06-01..2026-12-31 overlap; periods follow one another"
    ]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("P-1,jana@,Nováková", "email: 'jana@' is not an e-mail address (There must be something after the @-sign.)"),
        (",jana@x.cz,Nováková", "external_id: required to identify a contact, but it is empty"),
        ("P-1,jana@x.cz,", "Contact.first_name/last_name: contact P-1 needs a first or a last name, got '' and ''"),
    ],
)
def test_bad_rows_are_rejected_with_exact_reasons(tmp_path: Path, row: str, reason: str) -> None:
    contacts = file(tmp_path, "contacts", f"external_id,email,last_name\n{row}\n")
    plan = plan_import([contacts], shelves())
    assert [(r.line, r.reason) for r in plan.problems()] == [(2, reason)]
    assert plan.writes == ()


def test_a_duplicate_external_id_in_one_file_is_rejected(tmp_path: Path) -> None:
    companies = file(tmp_path, "companies", "external_id,name\nC-1,Kavárna\nC-2,Pekárna\nC-1,Kavárna 2\n")
    plan = plan_import([companies], shelves())
    assert [r.describe() for r in plan.problems()] == [
        "companies.csv line 4: external_id: 'C-1' appears again (first on line 2)"
    ]


def test_a_required_column_missing_on_create(tmp_path: Path) -> None:
    companies = file(tmp_path, "companies", "external_id,email\nC-1,info@kavarna.cz\n")
    plan = plan_import([companies], shelves())
    assert [r.reason for r in plan.problems()] == [
        "name: required to create a company, but the file has no 'name' column"
    ]
    kept = Company(id="C-1", external_id="C-1", name="Kavárna")
    plan = plan_import([companies], shelves(companies=Shelf(kept)))
    assert [r.outcome for r in plan.rows] == ["updated"]


def test_skipping_invalid_rejects_the_dependents_of_a_rejected_new_record(tmp_path: Path) -> None:
    companies = file(tmp_path, "companies", "external_id,name,email\nC-1,Kavárna,info@kavarna.cz\nC-2,Pekárna,pekarna@\n")
    contacts = file(tmp_path, "contacts", "external_id,company,last_name\nP-1,C-1,Nováková\nP-2,C-2,Šťastná\n")
    plan = plan_skipping_invalid([contacts, companies], shelves())
    assert [(r.file, r.line, r.outcome) for r in plan.rows] == [
        ("companies.csv", 2, "created"),
        ("companies.csv", 3, "rejected"),
        ("contacts.csv", 2, "created"),
        ("contacts.csv", 3, "rejected"),
    ]
    assert plan.rows[3].reason == (
        "company 'C-2' is not known (its own row, companies.csv line 3, was rejected)"
    )
    assert sorted(w.value.id for w in plan.writes) == ["C-1", "P-1"]


def test_a_record_without_external_id_is_matched_by_its_id(tmp_path: Path) -> None:
    kept = Company(id="C-7", name="Kavárna")
    companies = file(tmp_path, "companies", "external_id,name\nC-7,Kavárna\n")
    plan = plan_import([companies], shelves(companies=Shelf(kept)))
    assert [r.outcome for r in plan.rows] == ["unchanged"]
    taken = Company(id="C-8", name="Pekárna", external_id="OTHER")
    companies = file(tmp_path, "companies", "external_id,name\nC-8,Pekárna\n")
    plan = plan_import([companies], shelves(companies=Shelf(taken)))
    assert [r.reason for r in plan.problems()] == [
        "external_id: 'C-8' is already the id of the company with external id 'OTHER'"
    ]


def test_unknown_columns_are_warned_about_once(tmp_path: Path) -> None:
    contacts = file(tmp_path, "contacts", "external_id,last_name,fax\nP-1,Horák,1\nP-2,Černý,2\n")
    plan = plan_import([contacts], shelves())
    assert plan.warnings == (
        "contacts.csv: unknown column 'fax' is ignored (known: external_id, company, first_name, "
        "last_name, email, phone, mobile, responsible, portal_access)",
    )


def test_a_group_may_name_employees_whose_file_is_mapped_after_it(tmp_path: Path) -> None:
    groups = file(tmp_path, "employee-groups", "external_id,name,manager,members\nG-1,První linie,E-1,E-1;E-2\n")
    employees = file(
        tmp_path,
        "employees",
        "external_id,last_name,email,groups\nE-1,Dvořáková,lenka@servis.cz,G-1\nE-2,Procházka,tomas@servis.cz,G-1\n",
    )
    plan = plan_import([employees, groups], shelves())
    assert plan.problems() == ()
    group = next(w.value for w in plan.writes if w.value.id == "G-1")
    assert isinstance(group, EmployeeGroup)
    assert (group.manager, group.members) == ("E-1", frozenset({"E-1", "E-2"}))


def test_rows_read_once_are_judged_as_if_read_twice(tmp_path: Path) -> None:
    """Files no earlier file refers to are read once, row checks and mapping
    together: a repeated id still rejects the later row, warnings still come
    in the order of the kinds, and progress still knows each file's rows."""
    companies = file(tmp_path, "companies", "external_id,name,fax\nC-1,Kavárna,1\n")
    contacts = file(
        tmp_path,
        "contacts",
        "external_id,company,last_name,pager\nP-1,C-1,Nováková,1\n,C-1,Bez čísla,2\nP-1,C-1,Horák,3\n",
    )
    told: list[tuple[str, int, int]] = []
    plan = plan_import([contacts, companies], shelves(), progress=lambda *a: told.append(a))
    assert [(r.file, r.line, r.outcome, r.reason) for r in plan.rows] == [
        ("companies.csv", 2, "created", ""),
        ("contacts.csv", 2, "created", ""),
        ("contacts.csv", 3, "rejected", "external_id: required to identify a contact, but it is empty"),
        ("contacts.csv", 4, "rejected", "external_id: 'P-1' appears again (first on line 2)"),
    ]
    assert [w.split(" is ignored")[0] for w in plan.warnings] == [
        "companies.csv: unknown column 'fax'",
        "contacts.csv: unknown column 'pager'",
    ]
    assert told == [("companies.csv", 1, 1), ("contacts.csv", 3, 3)]


def test_a_contract_takes_all_its_good_periods_at_once_and_each_bad_one_is_named(tmp_path: Path) -> None:
    contracts = file(
        tmp_path, "contracts", "external_id,number,companies,start,end\nK-1,SML-1,C-1,2026-01-01,2026-12-31\n"
    )
    companies = file(tmp_path, "companies", "external_id,name\nC-1,Kavárna\n")
    periods = file(
        tmp_path,
        "service-periods",
        "contract,start,end,paid\n"
        "K-1,2026-07-01,2026-12-31,no\n"  # added out of order: kept sorted
        "K-1,2026-11-01,2027-01-31,no\n"  # overlaps the first, and ends after the term
        "K-1,2026-12-01,2027-02-28,no\n"  # overlaps nothing kept before it, ends after the term
        "K-1,2026-01-01,2026-06-30,yes\n",
    )
    plan = plan_skipping_invalid([periods, contracts, companies], shelves())
    assert [r.describe() for r in plan.problems()] == [
        "service-periods.csv line 3: Contract.periods: service periods 2026-07-01..2026-12-31 and "
        "2026-11-01..2027-01-31 overlap; periods follow one another",
        "service-periods.csv line 4: Contract.periods: service periods 2026-07-01..2026-12-31 and "
        "2026-12-01..2027-02-28 overlap; periods follow one another",
    ]
    (contract,) = [w.value for w in plan.writes if isinstance(w.value, Contract)]
    assert [str(p) for p in contract.periods] == ["2026-01-01..2026-06-30", "2026-07-01..2026-12-31"]


def test_a_period_outside_the_term_is_refused_with_the_models_reason(tmp_path: Path) -> None:
    kept = Contract(
        id="K-1", external_id="K-1", number="SML-1", companies=frozenset({"C-1"}),
        start=date(2026, 1, 1), end=date(2026, 12, 31),
    )
    periods = file(
        tmp_path,
        "service-periods",
        "contract,start,end,paid\nK-1,2026-01-01,2026-06-30,yes\nK-1,2026-09-01,2027-03-31,no\n",
    )
    plan = plan_import([periods], shelves(contracts=Shelf(kept)))
    assert [r.describe() for r in plan.problems()] == [
        "service-periods.csv line 3: Contract.periods: service period 2026-09-01..2027-03-31 lies "
        "outside the contract 2026-01-01..2026-12-31"
    ]


def test_a_period_imported_again_replaces_the_one_starting_that_day(tmp_path: Path) -> None:
    first = ServicePeriod(start=date(2026, 1, 1), end=date(2026, 6, 30), paid=False)
    kept = Contract(
        id="K-1", external_id="K-1", number="SML-1", companies=frozenset({"C-1"}),
        start=date(2026, 1, 1), periods=(first,),
    )
    same = file(tmp_path, "service-periods", "contract,start,end,paid\nK-1,2026-01-01,2026-06-30,no\n")
    plan = plan_import([same], shelves(contracts=Shelf(kept)))
    assert outcomes(plan) == [("service-periods.csv", 2, "K-1 2026-01-01", "unchanged")]
    assert plan.writes == ()
    paid = file(tmp_path, "service-periods", "contract,start,end,paid\nK-1,2026-01-01,2026-06-30,yes\n")
    plan = plan_import([paid], shelves(contracts=Shelf(kept)))
    assert outcomes(plan) == [("service-periods.csv", 2, "K-1 2026-01-01", "updated")]
    (write,) = plan.writes
    assert isinstance(write.value, Contract)
    assert write.value.periods == (attrs.evolve(first, paid=True),)
    assert write.expected_version == 3
