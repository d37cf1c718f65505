"""``helpdesk privacy …`` driven as a privacy officer would: the plan, the
confirmation, the proof, the export, holds, consent and retention — exact
lines and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_cli.privacy import privacy_group
from helpdesk_core.storage import SqliteStore
from helpdesk_core.testing.contract import privacy_sample

PLAN = [
    "plan to forget contact crm-p-1:",
    "       4  attachment name",
    "       2  attachment sha256",
    "       2  comment body",
    "       1  comment headers",
    "       1  comment mentions",
    "       1  contact copy email",
    "       1  contact email",
    "       1  contact external id",
    "       1  contact first name",
    "       1  contact last name",
    "       1  contact mobile",
    "       1  contact notes",
    "       1  contact phone",
    "       1  contact portal access",
    "       1  ticket description",
    "       1  ticket subject",
    "      21  places in 3 record(s)",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "desk.sqlite3"
    store = SqliteStore(path)
    privacy_sample(store)
    store.close()
    return path


def run(db: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(
        cli, ["privacy", *args], obj=AppContext(db_url=str(db)), input=input, catch_exceptions=False
    )


def _jana(db: Path) -> str:
    store = SqliteStore(db)
    try:
        return store.contacts.get("P-1").value.display_name
    finally:
        store.close()


def test_dry_run_prints_the_plan_and_changes_nothing(db: Path) -> None:
    result = run(db, "forget", "crm-p-1", "--dry-run")
    assert result.exit_code == 0
    assert result.output.splitlines() == [*PLAN, "dry run: nothing changed"]
    assert _jana(db) == "Jana Nováková"


def test_forget_asks_first_and_a_no_keeps_everything(db: Path) -> None:
    result = run(db, "forget", "crm-p-1", input="n\n")
    assert result.exit_code == 1
    assert "Forget contact crm-p-1? This cannot be undone [y/N]: n" in result.output
    assert "Aborted!" in result.output
    assert _jana(db) == "Jana Nováková"


def test_forget_prints_the_plan_the_record_and_the_proof(db: Path) -> None:
    result = run(db, "forget", "crm-p-1", "--yes", "--by", "dpo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[: len(PLAN)] == PLAN
    assert lines[len(PLAN)] == "forgot contact crm-p-1:"
    assert any(line.startswith("audit record F-") and "pseudonym forgotten-" in line for line in lines)
    assert "2 file(s) they sent: delete these sha256 digests from the file store:" in lines
    assert lines[-1].startswith("proof: scanned ") and lines[-1].endswith(
        "text values in every table: nothing found; physical scrub complete"
    )
    assert _jana(db).startswith("forgotten-")
    again = run(db, "forget", "crm-p-1", "--yes")
    assert again.exit_code == 3
    assert again.output.startswith("Error: contact 'crm-p-1' was forgotten on ")


def test_export_prints_one_json_document(db: Path) -> None:
    result = run(db, "export", "crm-p-1")
    assert result.exit_code == 0
    document = json.loads(result.output)
    assert document["contact"]["email"] == "jana@kavarna.example"
    assert [t["id"] for t in document["tickets"]] == ["T-1"]
    assert "Jan Novák" not in result.output and "jan@kavarna.example" not in result.output


def test_a_hold_blocks_the_erasure_and_is_named(db: Path) -> None:
    placed = run(db, "hold", "add", "contact", "P-1", "--reason", "court case 12/2026", "--by", "dpo")
    assert placed.exit_code == 0
    hold_id = placed.output.split()[2]
    assert placed.output == f"placed hold {hold_id} on contact P-1: court case 12/2026\n"
    assert run(db, "hold", "list").output == f"hold {hold_id} on contact P-1: court case 12/2026\n"
    refused = run(db, "forget", "crm-p-1", "--yes")
    assert refused.exit_code == 4
    assert refused.output == (
        f"Error: contact P-1 cannot be erased: hold {hold_id} on contact P-1: court case 12/2026\n"
    )
    assert run(db, "hold", "release", hold_id).exit_code == 0
    assert run(db, "hold", "list").output == ""
    assert run(db, "forget", "crm-p-1", "--yes").exit_code == 0


def test_consent_and_the_mailing_audience(db: Path) -> None:
    assert run(db, "consent", "opt-in", "crm-p-1", "newsletter", "--source", "web form").exit_code == 0
    assert run(db, "consent", "opt-in", "P-2", "newsletter").exit_code == 0
    assert run(db, "consent", "opt-out", "P-2", "newsletter").exit_code == 0
    audience = run(db, "consent", "audience", "newsletter")
    assert audience.output == "contact,email,name\nP-1,jana@kavarna.example,Jana Nováková\n"
    history = run(db, "consent", "history", "P-2").output.splitlines()
    assert [line.split(" ", 1)[1] for line in history] == [
        "opted in to newsletter",
        "opted out of newsletter",
    ]
    run(db, "forget", "P-1", "--yes")
    assert run(db, "consent", "audience", "newsletter").output == "contact,email,name\n"


def test_retention_dry_run_names_the_rules(db: Path) -> None:
    result = run(db, "retention", "--closed-tickets-years", "5", "--contracts-years", "10", "--dry-run")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "rule: closed tickets are anonymised 5 years after closing",
        "rule: contracts are deleted 10 years after their end",
        "would act on 0 ticket(s), 0 contract(s)",
        "dry run: nothing changed",
    ]
    assert run(db, "retention").exit_code == 2


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix}{name} ")
    return found


@pytest.mark.parametrize(
    "name,command", _commands(privacy_group), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_privacy_command_has_help(name: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), name


def test_importing_a_forgotten_person_again_is_flagged(tmp_path: Path) -> None:
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "external_id,first_name,last_name,email,phone\n"
        "P-77,Jana,Dvořáková,jana.dvorakova@example.cz,+420 601 123 456\n"
        "P-78,Petr,Novák,petr.novak@example.cz,\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "desk.sqlite3")

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=AppContext(db_url=db), catch_exceptions=False)

    assert run("import", "contacts", str(contacts)).exit_code == 0
    assert run("privacy", "forget", "P-77", "--yes").exit_code == 0
    again = run("import", "contacts", str(contacts))
    assert again.exit_code == 0
    flagged = [line for line in again.stderr.splitlines() if "matches a person forgotten on" in line]
    assert len(flagged) == 1, again.stderr
    assert "contact P-77 matches a person forgotten on" in flagged[0]
    assert "Dvořáková" not in again.stderr and "jana.dvorakova" not in again.stderr
