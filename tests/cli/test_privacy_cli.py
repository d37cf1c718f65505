"""``helpdesk privacy …`` driven as a privacy officer would: the plan, the
confirmation, the proof, the export, holds, consent and retention — exact
lines and exit codes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_cli.privacy import privacy_group
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import Comment
from helpdesk_core.storage import SqliteStore
from helpdesk_core.testing.contract import START, privacy_sample, sample_ticket

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
    assert result.exit_code == 6
    assert "Forget contact crm-p-1? This cannot be undone [y/N]: n" in result.output
    assert result.stderr == "Error: not confirmed: nothing changed\n"
    assert _jana(db) == "Jana Nováková"


def test_forget_prints_the_plan_the_record_and_the_proof(db: Path) -> None:
    result = run(db, "forget", "crm-p-1", "--yes", "--by", "dpo")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[: len(PLAN)] == PLAN
    assert lines[len(PLAN)] == "forgot contact crm-p-1:"
    assert any(line.startswith("audit record F-") and "pseudonym forgotten-" in line for line in lines)
    assert "2 file(s) they sent: delete these sha256 digests from the file store:" in lines
    [proof] = [line for line in lines if line.startswith("proof: scanned ")]
    assert proof.endswith(
        " text values in every table for their e-mail addresses and phone numbers (any spelling); "
        "in the 4 record(s) linked to them also for their full name (any order, declined), surname alone "
        "(declined), initials with surname and e-mail local parts: nothing found; "
        "physical scrub complete"
    ), "the proof says exactly what it searched, and where"
    assert lines[-2:] == [
        "not erased: 0 possible mention(s) of their name outside the linked records, for a person to review",
        "not searched: the first name alone; the external id (hashed in the audit record)",
    ]
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


def test_a_mistyped_mailing_purpose_is_refused_not_an_empty_audience(db: Path) -> None:
    assert run(db, "consent", "opt-in", "crm-p-1", "newsletter").exit_code == 0
    result = run(db, "consent", "audience", "newsleter")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: no consent to 'newsleter' is recorded for anybody (recorded: newsletter) "
        "(did you mean 'newsletter'?)\n"
    )


@pytest.mark.parametrize(
    ("scope", "target", "message"),
    [
        ("contact", "P-11", "contact 'P-11' not found: a hold on it would hold nothing (did you mean 'P-1'"),
        ("ticket", "T-999", "ticket 'T-999' not found: a hold on it would hold nothing"),
        ("company", "C-99", "company 'C-99' is not known (no such company, and no ticket of it)"),
    ],
)
def test_a_hold_on_a_mistyped_id_is_refused(db: Path, scope: str, target: str, message: str) -> None:
    result = run(db, "hold", "add", scope, target, "--reason", "court case 12/2026", "--by", "dpo")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {message}")
    assert run(db, "hold", "list").output == ""


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
    namesake = tmp_path / "namesake.csv"
    namesake.write_text(
        contacts.read_text(encoding="utf-8") + "P-79,Jana,Dvořáková,jana.d@other.example,+420 777 000 111\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "desk.sqlite3")

    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=AppContext(db_url=db), catch_exceptions=False)

    assert run("import", "contacts", str(contacts)).exit_code == 0
    assert run("privacy", "forget", "P-77", "--yes").exit_code == 0
    again = run("import", "contacts", str(namesake))
    assert again.exit_code == 0
    flagged = [line for line in again.stderr.splitlines() if "matches a person forgotten on" in line]
    assert len(flagged) == 1, again.stderr
    assert "P-79" not in again.stderr, "a namesake with addresses of their own is somebody else"
    assert "contact P-77 matches a person forgotten on" in flagged[0]
    assert "Dvořáková" not in again.stderr and "jana.dvorakova" not in again.stderr


def _add_namesakes(db: Path) -> None:
    """Two other Jana Nováková (B-2 at another company, P-3 at Jana's own)
    with addresses and numbers of their own, each with a ticket they signed."""
    store = SqliteStore(db)
    try:
        with store.unit_of_work() as uow:
            uow.contacts.add(
                Contact(
                    id="B-2",
                    first_name="Jana",
                    last_name="Nováková",
                    company="C-2",
                    email="novakova@bakery.example",
                    phone="+420 605 000 111",
                )
            )
            uow.contacts.add(
                Contact(
                    id="P-3",
                    first_name="Jana",
                    last_name="Nováková",
                    company="C-1",
                    email="jn@kavarna.example",
                    external_id="crm-p-3",
                )
            )
            for ticket_id, contact, company in (("T-20", "B-2", "C-2"), ("T-21", "P-3", "C-1")):
                signed = Comment(
                    at=START + timedelta(hours=1),
                    author="contact",
                    by=contact,
                    body="Dobrý den, tiskárna nejde.\nJana Nováková",
                )
                uow.tickets.add(
                    sample_ticket(
                        ticket_id,
                        contact=contact,
                        company=company,
                        subject="Jana Nováková: tiskárna",
                        events=[signed],
                    )
                )
            uow.commit()
    finally:
        store.close()


def _documents(db: Path, *ids: str) -> list[tuple[object, ...]]:
    """The stored rows of these records, every column, as the file holds them."""
    marks = ", ".join("?" for _ in ids)
    with closing(sqlite3.connect(db)) as raw:
        return [
            *raw.execute(f"SELECT * FROM tickets WHERE id IN ({marks}) ORDER BY id", ids),
            *raw.execute(f"SELECT * FROM ticket_events WHERE ticket_id IN ({marks}) ORDER BY 1, 2", ids),
            *raw.execute(f"SELECT * FROM contacts WHERE id IN ({marks}) ORDER BY id", ids),
        ]


def test_forgetting_leaves_a_namesakes_own_tickets_byte_identical(db: Path) -> None:
    _add_namesakes(db)
    before = _documents(db, "T-20", "T-21", "B-2", "P-3")
    result = run(db, "forget", "crm-p-1", "--yes")
    assert result.exit_code == 0, result.output
    assert _documents(db, "T-20", "T-21", "B-2", "P-3") == before
    assert (
        "       4  possible mention(s) of their name in records not linked to them: left unchanged "
        "(--review lists them)" in result.output.splitlines()
    )


def test_review_lists_each_possible_mention_with_where_it_is_and_changes_nothing(db: Path) -> None:
    _add_namesakes(db)
    before = _documents(db, "T-1", "T-20", "T-21", "P-1")
    result = run(db, "forget", "crm-p-1", "--dry-run", "--review")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    start = lines.index("possible mentions, left unchanged (4):")
    assert lines[start + 1 : start + 5] == [
        "  ticket T-20 subject: 'Jana Nováková' (name)",
        "  ticket T-20 events[0].body: 'Jana Nováková' (name)",
        "  ticket T-21 subject: 'Jana Nováková' (name)",
        "  ticket T-21 events[0].body: 'Jana Nováková' (name)",
    ]
    assert lines[-1] == "dry run: nothing changed"
    assert _documents(db, "T-1", "T-20", "T-21", "P-1") == before


def test_replay_forgets_the_same_person_again_and_never_a_namesake(db: Path, tmp_path: Path) -> None:
    _add_namesakes(db)
    backup = tmp_path / "backup.sqlite3"
    shutil.copyfile(db, backup)
    assert run(db, "forget", "crm-p-1", "--yes", "--by", "dpo").exit_code == 0
    trail = tmp_path / "trail.jsonl"
    trail.write_text(run(db, "audit").output, encoding="utf-8")

    nothing = run(db, "replay", "--yes")
    assert nothing.exit_code == 0, nothing.output
    assert nothing.output.splitlines() == [
        "plan to replay the audit trail:",
        "0 person(s) to forget again, from 1 audit record(s)",
    ], "the namesakes are not the person"

    before = _documents(backup, "T-20", "T-21", "B-2", "P-3")
    planned = run(backup, "replay", "--audit", str(trail), "--dry-run")
    assert planned.exit_code == 0, planned.output
    lines = planned.output.splitlines()
    assert lines[0] == "plan to replay the audit trail:"
    assert lines[1].startswith("forget contact P-1 again: matches audit record F-")
    assert lines[1].endswith(" by email, phone, external id")
    assert lines[2:] == ["1 person(s) to forget again, from 1 audit record(s)", "dry run: nothing changed"]
    assert _jana(backup) == "Jana Nováková"

    refused = run(backup, "replay", "--audit", str(trail), input="n\n")
    assert refused.exit_code == 6
    assert "Forget 1 person(s) again? This cannot be undone [y/N]: n" in refused.output
    assert _jana(backup) == "Jana Nováková"

    done = run(backup, "replay", "--audit", str(trail), "--yes")
    assert done.exit_code == 0, done.output
    assert "replayed 1 erasure(s)" in done.output
    assert _jana(backup).startswith("forgotten-")
    assert _documents(backup, "T-20", "T-21", "B-2", "P-3") == before


def test_stored_text_in_privacy_output_is_shown_escaped_not_obeyed(db: Path) -> None:
    reason = "case \x1b[2J\x1b[31m12\x07 \u202eevil"
    placed = run(db, "hold", "add", "contact", "P-1", "--reason", reason, "--by", "dpo")
    assert placed.exit_code == 0, placed.output
    listed = run(db, "hold", "list").output
    assert "\x1b" not in listed and "\x07" not in listed and "\u202e" not in listed
    assert "case \\x1b[2J\\x1b[31m12\\x07 \\u202eevil" in listed
