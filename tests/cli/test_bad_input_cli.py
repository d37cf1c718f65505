"""Bad input to the CLI (issue 12, items 10 and 13): a clear one-line error
with the documented exit code, the store as it was, no password and no raw
control character on the terminal. Each case was a traceback, a half-written
store or a leak before."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.main import cli
from helpdesk_cli.terminal import shown
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.storage import open_store, redacted

CLEAN_ENV: dict[str, str | None] = {"HELPDESK_DB": None, "HELPDESK_CONFIG": None, "COLUMNS": "300"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=CLEAN_ENV, color=True)


def rows(db: Path) -> list[tuple[str, list[Any]]]:
    with sqlite3.connect(db) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(n, sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)) for n in names]


def assert_one_error_line(result: Result, code: int, *parts: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.stderr
    for part in parts:
        assert part in last, last


# -- generate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--days", "999999999", "days: 999999999 days before 2026-04-08T12:00:00+02:00 reach before the year 2"),
        ("--end", "2999-12-31", None),
    ],
)
def test_generate_checks_its_period_before_writing(tmp_path: Path, option: str, value: str,
                                                   message: str | None) -> None:
    db = tmp_path / "desk.sqlite3"
    assert run("--db", str(db), "generate", "--tickets", "3", "--companies", "2").exit_code == 0
    before = rows(db)
    result = run("--db", str(db), "generate", "--tickets", "3", "--companies", "2", "--seed", "9", option, value)
    if message is None:  # a late end is fine: the tickets are added after the first three
        assert result.exit_code == 4 and "already exists" in result.stderr
    else:
        assert_one_error_line(result, 2, message)
    assert rows(db) == before, "a failed generate leaves the store as it was"


def test_a_failed_generate_leaves_no_store_behind(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    result = run("--db", str(db), "generate", "--tickets", "3", "--days", "999999999")
    assert_one_error_line(result, 2, "days:")
    assert not db.exists()


def test_a_generate_refused_half_way_stores_none_of_its_customers(tmp_path: Path) -> None:
    """T-1 exists: the new seed's companies were upserted before; now the one
    transaction is rolled back whole."""
    db = tmp_path / "desk.sqlite3"
    assert run("--db", str(db), "generate", "--tickets", "3", "--companies", "2").exit_code == 0
    before = rows(db)
    result = run("--db", str(db), "generate", "--tickets", "3", "--companies", "5", "--seed", "2")
    assert_one_error_line(result, 4, "ticket T-1 already exists")
    assert rows(db) == before


def test_generate_bounds_the_number_of_companies(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "x.sqlite3"), "generate", "--tickets", "1", "--companies", str(10**30))
    assert result.exit_code == 2 and "Invalid value for '--companies'" in result.stderr


# -- store URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://[::1", "store URL 'postgresql://[::1' is malformed: Invalid IPv6 URL"),
        ("postgresql://desk:s3cret@db.example:port/x", "store URL 'postgresql://desk:***@db.example:port/x' is malformed"),
        ("mysql://desk:s3cret@db.example/x?password=s3cret", "'mysql://desk:***@db.example/x?password=***'"),
        ("", "store URL is empty"),
    ],
)
def test_a_malformed_store_url_is_a_clear_error_without_its_password(url: str, message: str) -> None:
    result = run("--db", url, "ticket", "list")
    assert_one_error_line(result, 2, message)
    assert "s3cret" not in result.output


def test_redacted_hides_every_password_and_keeps_the_rest() -> None:
    assert redacted("postgresql://desk:s3cret@db:5432/helpdesk?pool_size=2") == (
        "postgresql://desk:***@db:5432/helpdesk?pool_size=2"
    )
    assert redacted("postgresql://desk:p@ss@db/x") == "postgresql://desk:***@db/x"
    assert redacted("postgresql://db/x?sslmode=require&password=s3cret") == (
        "postgresql://db/x?sslmode=require&password=***"
    )
    assert redacted("postgresql://desk@db/x") == "postgresql://desk@db/x"
    assert redacted("postgresql://[::1") == "postgresql://[::1"
    assert redacted("desk.sqlite3") == "desk.sqlite3"



def test_the_postgresql_store_labels_its_url_without_a_percent_encoded_password() -> None:
    from helpdesk_core.storage.postgres import _split_url

    conninfo, pool_size, label = _split_url("postgresql://desk:p%40ss%3Aw@db:5432/x?pool_size=2")
    assert (pool_size, label) == (2, "postgresql://desk:***@db:5432/x")
    assert "p%40ss%3Aw" in conninfo, "the connection still gets the password"

def test_generate_does_not_print_the_password_of_its_url(postgres_server: str) -> None:
    with_password = postgres_server.replace("postgres@", "postgres:s3cret@")  # the server trusts loopback
    result = run("--db", with_password, "generate", "--tickets", "2", "--companies", "1", "--seed", "77")
    assert result.exit_code in (0, 4), result.output  # 4: T-1 of an earlier run in the shared database
    assert "s3cret" not in result.output
    if result.exit_code == 0:
        assert "postgres:***@" in result.stdout


# -- configuration and option values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[sla]\nat_risk_share = " + "[" * 1000 + "]" * 1000, "arrays or inline tables nested too deeply"),
        ('[workflow.automation]\nauto_close_after = "99999999999999h"',
         "workflow.automation.auto_close_after: '99999999999999h' is longer than the longest duration, 100000h"),
        ("[workflow.automation]\nauto_close_after = 99999999999999999",
         "is longer than the longest duration"),
        ("[sla]\nat_risk_share = " + "9" * 5000, "not valid TOML: Exceeds the limit"),
    ],
)
def test_a_configuration_beyond_limits_is_a_clear_error(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "helpdesk.toml"
    config.write_text(toml, encoding="utf-8")
    assert_one_error_line(run("--config", str(config), "sla", "lint"), 2, message)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01T00:00:00+00:00"])
def test_an_as_of_beyond_the_years_of_a_desk_is_refused(tmp_path: Path, value: str) -> None:
    result = run("--db", str(tmp_path / "x.sqlite3"), "sla", "explain", "T-1", "--as-of", value)
    assert result.exit_code == 2
    assert f"'{value}' is outside the years 1900–2999 a date may take" in result.stderr


def test_export_to_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    assert run("--db", str(db), "generate", "--tickets", "1", "--companies", "1").exit_code == 0
    result = run("--db", str(db), "export", "contacts", "--output", str(tmp_path / "missing" / "c.csv"))
    assert_one_error_line(result, 2, "missing/c.csv: cannot write the output: No such file or directory")


def test_an_argument_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "x.sqlite3"), "ticket", "show", "T-\udcff")
    assert result.exit_code == 2
    assert "argument 'T-\\udcff' is not valid UTF-8 text" in result.stderr


# -- privacy replay --audit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage\n", "audit.jsonl line 1: not JSON"),
        (b'"text"\n', "audit.jsonl line 1: expected an audit record (a JSON object), got str"),
        (b'{"id": "A-1", "subject": "P-1"}\n', "audit.jsonl line 1: not an audit record"),
        (b"\n" + b"[" * 100_000 + b"\n", "audit.jsonl line 2: nested too deeply"),
        (b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_privacy_replay_refuses_a_garbage_audit_file(tmp_path: Path, content: bytes, message: str) -> None:
    db = tmp_path / "desk.sqlite3"
    assert run("--db", str(db), "generate", "--tickets", "1", "--companies", "1").exit_code == 0
    audit = tmp_path / "audit.jsonl"
    audit.write_bytes(content)
    before = rows(db)
    result = run("--db", str(db), "privacy", "replay", "--audit", str(audit), "--by", "test")
    assert_one_error_line(result, 2, message)
    assert rows(db) == before


def test_privacy_replay_refuses_a_missing_audit_file(tmp_path: Path) -> None:
    result = run("--db", str(tmp_path / "x.sqlite3"), "privacy", "replay", "--audit", str(tmp_path / "no.jsonl"))
    assert result.exit_code == 2 and "does not exist" in result.stderr


# -- the terminal -----------------------------------------------------------------------------

SUBJECT = "\x1b[31mred\x1b[0m [/bold] \x07 \u202eevil"
BODY = "first\x1b[2J\x1b[Hcleared\rover"


@pytest.fixture
def escaped_desk(tmp_path: Path) -> Path:
    db = tmp_path / "desk.sqlite3"
    store = open_store(str(db))
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    try:
        with store.unit_of_work() as uow:
            uow.tickets.add(Ticket.register(
                id="T-1", subject=SUBJECT, created_at=at,
                events=[Comment(at=at, by="E-1", author="employee", public=True, body=BODY)],
            ))
            uow.commit()
    finally:
        store.close()
    return db


@pytest.mark.parametrize("command", [("ticket", "show", "T-1"), ("ticket", "list")])
def test_stored_control_characters_are_shown_escaped(escaped_desk: Path, command: tuple[str, ...]) -> None:
    result = run("--db", str(escaped_desk), *command)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\r" not in result.stdout
    assert "\u202e" not in result.stdout
    flat = "".join(result.stdout.split())  # a table may wrap the subject
    assert "".join(shown(SUBJECT).split()) in flat
    if command[1] == "show":
        assert "\\x1b[2J\\x1b[Hcleared\\rover" in result.stdout


def test_machine_formats_keep_the_text_exact(escaped_desk: Path) -> None:
    shown_json = run("--db", str(escaped_desk), "ticket", "show", "T-1", "--format", "json")
    assert json.loads(shown_json.stdout)["subject"] == SUBJECT
    listed = run("--db", str(escaped_desk), "ticket", "list", "--format", "jsonl")
    assert json.loads(listed.stdout)["subject"] == SUBJECT


def test_an_error_shows_given_text_escaped(escaped_desk: Path) -> None:
    result = run("--db", str(escaped_desk), "--config", "\x1b]0;owned\x07.toml", "sla", "lint")
    assert_one_error_line(result, 2, "Error: \\x1b]0;owned\\x07.toml: configuration file not found")
    assert "\x1b" not in result.stderr


def test_shown_escapes_controls_and_keeps_the_rest() -> None:
    assert shown("Příliš žluťoučký kůň 🙂 [b]") == "Příliš žluťoučký kůň 🙂 [b]"
    assert shown("a\x1b[31mb\r\n\x9b\u2028\ud800") == "a\\x1b[31mb\\r\\n\\x9b\\u2028\\ud800"
