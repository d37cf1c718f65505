"""``helpdesk intake call`` and ``helpdesk intake form``: who may be calling,
a web form registered (text and JSON), a dry run that stores nothing, and bad
input refused on one line with exit code 2."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.storage import open_store

CONFIG = '[intake]\nunknown_sender = "create_contact"\n'
AT = "2026-03-02T09:00+01:00"


@pytest.fixture
def desk_files(tmp_path: Path) -> tuple[Path, Path]:
    db, config = tmp_path / "desk.sqlite3", tmp_path / "helpdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    store = open_store(str(db))
    with store.unit_of_work() as uow:
        uow.companies.add(Company(id="C-1", name="Café", domains=["cafe.example"], phone="+420 222 333 444"))
        uow.companies.add(Company(id="C-2", name="Shop"))
        uow.contacts.add(Contact(id="P-1", first_name="Jana", last_name="Nováková", company="C-1",
                                 email="jana@cafe.example", mobile="+420 601 234 567"))
        uow.contacts.add(Contact(id="P-2", first_name="Petr", company="C-2", phone="601-234-567"))
        uow.contracts.add(Contract(id="K-1", number="2026/1", companies=["C-1"], start=date(2026, 1, 1)))
        uow.commit()
    store.close()
    return db, config


def invoke(files: tuple[Path, Path], *args: str, input: str | None = None) -> Result:
    db, config = files
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, input=input, catch_exceptions=False)


def stored_tickets(db: Path) -> list[str]:
    store = open_store(str(db))
    try:
        return [t.id for t in store.iter_tickets()]
    finally:
        store.close()


def stored_contacts(db: Path) -> list[str]:
    store = open_store(str(db))
    try:
        return [s.value.id for s in store.contacts.iter()]
    finally:
        store.close()


FORM = {
    "form": "Service request",
    "fields": [
        {"name": "E-mail", "kind": "email", "value": "karel@cafe.example"},
        {"name": "Name", "kind": "name", "value": "Karel Dvořák"},
        {"name": "Message", "kind": "message", "value": "Oven is cold\nsince Monday"},
    ],
}


def test_call_lists_the_matches_as_text_and_json(desk_files: tuple[Path, Path]) -> None:
    listed = invoke(desk_files, "intake", "call", "--number", "+420 601 234 567")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        "contact P-1 Jana Nováková (company C-1), mobile +420 601 234 567",
        "contact P-2 Petr (company C-2), phone 601-234-567",
    ]
    as_json = json.loads(invoke(desk_files, "intake", "call", "--number", "601234567", "--format", "json").stdout)
    assert (as_json["action"], as_json["ticket"]) == ("listed", None)
    assert [(c["id"], c["fields"], c["company"]) for c in as_json["callers"]] == [
        ("P-1", ["mobile"], "C-1"), ("P-2", ["phone"], "C-2")]


def test_call_from_nobody_is_an_unknown_caller(desk_files: tuple[Path, Path]) -> None:
    done = invoke(desk_files, "intake", "call", "--number", "+1 555 0100")
    assert done.exit_code == 0 and done.stdout == "unknown caller: +1 555 0100\n"


def test_call_register_with_several_matches_needs_a_choice(desk_files: tuple[Path, Path]) -> None:
    refused = invoke(desk_files, "intake", "call", "--number", "601234567", "--register", "--subject", "Cold",
                     "--at", AT)
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Error: 2 callers match; choose one with --contact ID: contact P-1")
    assert stored_tickets(desk_files[0]) == []
    done = invoke(desk_files, "intake", "call", "--number", "601234567", "--register", "--subject", "Cold",
                  "--contact", "P-1", "--at", AT, "--format", "json")
    assert done.exit_code == 0, done.output
    registered = json.loads(done.stdout)
    assert (registered["action"], registered["ticket"], registered["contact"], registered["company"]) == (
        "new_ticket", "T-1001", "P-1", "C-1")


def test_call_register_needs_a_subject(desk_files: tuple[Path, Path]) -> None:
    done = invoke(desk_files, "intake", "call", "--number", "222333444", "--register")
    assert done.exit_code == 2 and "--register needs --subject" in done.output


def test_form_registers_and_creates_the_contact(desk_files: tuple[Path, Path], tmp_path: Path) -> None:
    file = tmp_path / "form.json"
    file.write_text(json.dumps(FORM), encoding="utf-8")
    done = invoke(desk_files, "intake", "form", str(file), "--at", AT)
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines() == [
        "T-1001 version 1: registered from web form 'Service request'",
        "subject  Oven is cold",
        "contact  P-3 (created)",
        "company  C-1",
        "reason   web form 'Service request'; field 'E-mail': nobody has karel@cafe.example; its domain "
        "cafe.example is company C-1's; a new contact of company C-1 is created",
        "description:",
        '  "E-mail": "karel@cafe.example"',
        '  "Name": "Karel Dvořák"',
        '  "Message": "Oven is cold\\nsince Monday"',
    ]
    assert "P-3" in stored_contacts(desk_files[0])


def test_form_json_from_standard_input(desk_files: tuple[Path, Path]) -> None:
    done = invoke(desk_files, "intake", "form", "-", "--format", "json", "--at", AT, input=json.dumps(FORM))
    assert done.exit_code == 0, done.output
    decided = json.loads(done.stdout)
    assert {k: decided[k] for k in ("action", "ticket", "contact", "company")} == {
        "action": "new_ticket", "ticket": "T-1001", "contact": "P-3", "company": "C-1"}
    assert decided["reason"].startswith("web form 'Service request'; field 'E-mail': nobody has karel@cafe")


def test_form_dry_run_stores_nothing(desk_files: tuple[Path, Path]) -> None:
    contacts = stored_contacts(desk_files[0])
    done = invoke(desk_files, "intake", "form", "-", "--dry-run", "--format", "json", input=json.dumps(FORM))
    assert done.exit_code == 0, done.output
    decided = json.loads(done.stdout)
    assert (decided["action"], decided["ticket"], decided["dry_run"]) == ("new_ticket", None, True)
    assert decided["new_contact"]["email"] == "karel@cafe.example"
    text = invoke(desk_files, "intake", "form", "-", "--dry-run", input=json.dumps(FORM))
    assert text.stdout.startswith("would register from web form 'Service request'\n")
    assert stored_tickets(desk_files[0]) == [] and stored_contacts(desk_files[0]) == contacts


def test_form_dry_run_over_a_missing_store_creates_no_file(tmp_path: Path) -> None:
    db = tmp_path / "none.sqlite3"
    app = AppContext(db_url=str(db), config_path=None)
    done = CliRunner().invoke(cli, ["intake", "form", "-", "--dry-run"], obj=app, input=json.dumps(FORM))
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("would register from web form")
    assert not db.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"fields": [\n  {"name": "E-mail" "kind": "email"}\n]}',
         "Error: {file}: line 2 column 21: not valid JSON: Expecting ',' delimiter"),
        ('{"fields": [{"name": "E-mail", "kind": "mail", "value": "a@b.cz"}]}',
         "Error: {file}: fields[0].kind: 'mail' is not a field kind"),
        ('{"fields": [{"name": "Note", "value": {"a": 1}}]}',
         "Error: {file}: fields[0].value (Note): expected a text"),
    ],
)
def test_a_bad_form_file_is_refused_with_exit_code_2(
    desk_files: tuple[Path, Path], tmp_path: Path, text: str, message: str
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(text, encoding="utf-8")
    done = invoke(desk_files, "intake", "form", str(file))
    assert done.exit_code == 2
    assert done.stderr.startswith(message.format(file=file)) and len(done.stderr.splitlines()) == 1
    assert stored_tickets(desk_files[0]) == []


def test_a_missing_form_file_is_refused(desk_files: tuple[Path, Path], tmp_path: Path) -> None:
    done = invoke(desk_files, "intake", "form", str(tmp_path / "nope.json"))
    assert done.exit_code == 2 and "nope.json: no such file" in done.stderr


def test_a_held_form_says_why(desk_files: tuple[Path, Path], tmp_path: Path) -> None:
    db, config = desk_files
    config.write_text('[intake]\nunknown_sender = "hold"\n', encoding="utf-8")
    done = invoke(desk_files, "intake", "form", "-", input=json.dumps(FORM))
    assert done.exit_code == 0
    assert done.stdout.splitlines()[0] == "held from web form 'Service request'"
    assert "unknown senders are held" in done.stdout
    assert stored_tickets(db) == []
