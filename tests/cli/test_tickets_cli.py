"""The ticket commands, driven as an admin would, with exact messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

GOOD = (
    '{"id": "T-1", "subject": "Printer jams", "created_at": "2026-03-02T09:00:00+01:00", "events": ['
    '{"at": "2026-03-02T09:30:00+01:00", "kind": "status", "to": "in_progress", "by": "E-1"},'
    '{"at": "2026-03-02T11:00:00+01:00", "kind": "status", "to": "resolved", "by": "E-1"}]}\n'
    '{"id": "T-2", "subject": "Boiler stopped", "priority": "high", "created_at": "2026-03-02T10:00:00+01:00"}\n'
)
CLOSED_THEN_WORKED = (
    '{"id": "T-7", "subject": "Leak", "created_at": "2026-03-02T09:00:00+01:00", "events": ['
    '{"at": "2026-03-02T09:30:00+01:00", "kind": "status", "to": "resolved"},'
    '{"at": "2026-03-02T10:00:00+01:00", "kind": "status", "to": "closed"},'
    '{"at": "2026-03-02T11:00:00+01:00", "kind": "status", "to": "in_progress"}]}\n'
)


def run(tmp_path: Path, *args: str, config: Path | None = None) -> Result:
    app = AppContext(db_url=str(tmp_path / "desk.sqlite3"), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_list_shows_current_status(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "tickets", str(write(tmp_path, "t.jsonl", GOOD)))
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": 2 created, 0 appended, 0 unchanged\n")
    listed = run(tmp_path, "ticket", "list", "--format", "jsonl")
    rows = [json.loads(line) for line in listed.output.splitlines()]
    assert [(r["id"], r["status"]) for r in rows] == [("T-1", "resolved"), ("T-2", "open")]


def test_reimport_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path, "t.jsonl", GOOD)
    run(tmp_path, "import", "tickets", str(path))
    again = run(tmp_path, "import", "tickets", str(path))
    assert again.output.endswith(": 0 created, 0 appended, 2 unchanged\n")


def test_dry_run_stores_nothing(tmp_path: Path) -> None:
    assert run(tmp_path, "import", "tickets", str(write(tmp_path, "none.jsonl", ""))).exit_code == 0
    result = run(tmp_path, "import", "tickets", "--dry-run", str(write(tmp_path, "t.jsonl", GOOD)))
    assert "would import" in result.output
    assert run(tmp_path, "ticket", "list", "--format", "jsonl").output == ""


def test_a_dry_run_on_a_mistyped_db_creates_no_store_file(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "tickets", "--dry-run", str(write(tmp_path, "t.jsonl", GOOD)))
    assert result.exit_code == 0
    assert result.stdout.endswith(": 2 created, 0 appended, 0 unchanged\n")
    assert result.stderr == (
        f"Note: no store at {str(tmp_path / 'desk.sqlite3')!r} yet: the dry run plans against an empty "
        "store (the import itself creates it)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.jsonl"]


def test_disallowed_move_is_refused_naming_ticket_line_and_move(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", GOOD + CLOSED_THEN_WORKED)
    result = run(tmp_path, "import", "tickets", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path} line 3: ticket T-7: events[2]: cannot move from 'closed' to 'in_progress' "
        "(allowed from 'closed': none)\n"
    )
    assert run(tmp_path, "ticket", "list", "--format", "jsonl").output == "", "nothing may be stored"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "T-1", "subject": "x", ', "line 1: malformed JSON: Expecting property name enclosed in "
         "double quotes at column 31"),
        ('{"id": "T-1", "subject": "x", "created_at": "2026-03-02T09:00:00+01:00", "events": '
         '[{"at": "2026-03-02T09:30:00+01:00", "kind": "status", "to": "solved"}]}',
         "line 1: ticket T-1: events[0]: unknown status 'solved'"),
        ('{"id": "T-1", "created_at": "2026-03-02T09:00:00+01:00"}', "line 1: ticket T-1: missing required "
         "field 'subject'"),
        ('{"id": "T-1", "subject": "x", "created_at": "2026-03-02 09:00"}',
         "line 1: ticket T-1: created_at: date-time: 2026-03-02T09:00:00 must be timezone-aware"),
    ],
)
def test_bad_lines_are_refused_with_their_reason(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, "bad.jsonl", content + "\n")
    result = run(tmp_path, "import", "tickets", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path} {message}")
    assert "Traceback" not in result.output


def test_missing_file(tmp_path: Path) -> None:
    result = run(tmp_path, "import", "tickets", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.jsonl'}: no such file\n"


def test_show_prints_the_history(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "t.jsonl", GOOD)))
    result = run(tmp_path, "ticket", "show", "T-1")
    assert result.exit_code == 0
    assert "T-1  Printer jams" in result.output
    assert "status to=resolved (by E-1)" in result.output
    as_json = json.loads(run(tmp_path, "ticket", "show", "T-1", "--format", "json").output)
    assert as_json["events"][1]["to"] == "resolved"


def test_show_unknown_ticket_exits_3(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "t.jsonl", GOOD)))
    result = run(tmp_path, "ticket", "show", "T-404")
    assert result.exit_code == 3
    assert result.stderr == "Error: ticket 'T-404' not found\n"


def test_examples_import_with_the_example_configuration(tmp_path: Path) -> None:
    assert run(tmp_path, "import", "--bundle", str(EXAMPLES / "import")).exit_code == 0
    result = run(
        tmp_path, "import", "tickets", str(EXAMPLES / "tickets.jsonl"), config=EXAMPLES / "helpdesk.toml"
    )
    assert result.exit_code == 0, result.output
    assert "8 created" in result.output


def test_unknown_priority_is_refused_when_the_catalog_lists_priorities(tmp_path: Path) -> None:
    config = write(tmp_path, "h.toml", '[catalog]\npriorities = [{ id = "low", name = "Low", order = 1 }]\n')
    path = write(tmp_path, "t.jsonl", GOOD)
    result = run(tmp_path, "import", "tickets", str(path), config=config)
    assert result.exit_code == 2
    assert "ticket T-2" in result.stderr and "'high'" in result.stderr


def test_malformed_configuration_names_the_place(tmp_path: Path) -> None:
    config = write(tmp_path, "h.toml", '[workflow]\npreset = "zendesk"\n')
    result = run(tmp_path, "import", "tickets", str(write(tmp_path, "t.jsonl", GOOD)), config=config)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {config}: workflow.preset: 'zendesk' is not one of: default, useresponse\n"


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for path in (["import", "tickets"], ["ticket", "show"], ["ticket", "list"]):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0
        assert len(result.output.splitlines()) > 3


def test_an_unreachable_postgresql_store_is_one_line_and_exit_5() -> None:
    app = AppContext(db_url="postgresql://postgres@127.0.0.1:1/none")
    result = CliRunner().invoke(cli, ["ticket", "list"], obj=app, catch_exceptions=False)
    assert result.exit_code == 5
    assert result.stderr.startswith("Error: cannot open PostgreSQL store postgresql://postgres@127.0.0.1:1/none: ")
    assert "Connection refused" in result.stderr
    assert result.stderr.count("\n") == 1


def test_an_unknown_store_scheme_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["ticket", "list"], obj=AppContext(db_url="mongodb://x"))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown store URL scheme 'mongodb'")


FIVE_EVENTS = (
    '{"id": "T-1004", "subject": "Boiler", "created_at": "2026-03-02T09:00:00+01:00", "events": ['
    '{"at": "2026-03-02T09:30:00+01:00", "kind": "status", "to": "in_progress", "by": "E-1"},'
    '{"at": "2026-03-02T09:40:00+01:00", "kind": "comment", "author": "employee", "public": false, "body": "note"},'
    '{"at": "2026-03-02T10:00:00+01:00", "kind": "comment", "author": "contact", "body": "thanks"},'
    '{"at": "2026-03-02T10:30:00+01:00", "kind": "priority", "to": "high", "by": "E-1"},'
    '{"at": "2026-03-02T11:00:00+01:00", "kind": "status", "to": "resolved", "by": "E-1"}]}\n'
)


def _with_events(text: str, count: int) -> str:
    """FIVE_EVENTS cut to its first ``count`` events."""
    data = json.loads(text)
    data["events"] = data["events"][:count]
    return json.dumps(data) + "\n"


def _stored(tmp_path: Path) -> dict[str, object]:
    shown = run(tmp_path, "ticket", "show", "T-1004", "--format", "json")
    assert shown.exit_code == 0, shown.output
    data: dict[str, object] = json.loads(shown.output)
    return data


def test_an_older_copy_of_a_history_changes_nothing(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "full.jsonl", FIVE_EVENTS)))
    before = _stored(tmp_path)
    for count in (0, 1, 3, 5):
        older = write(tmp_path, f"older{count}.jsonl", _with_events(FIVE_EVENTS, count))
        result = run(tmp_path, "import", "tickets", str(older))
        assert result.exit_code == 0, result.output
        assert result.output.endswith(": 0 created, 0 appended, 1 unchanged\n")
        assert _stored(tmp_path) == before  # still resolved, still five events


def test_a_longer_copy_appends_the_new_events(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "first.jsonl", _with_events(FIVE_EVENTS, 2))))
    result = run(tmp_path, "import", "tickets", str(write(tmp_path, "full.jsonl", FIVE_EVENTS)))
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": 0 created, 1 appended (3 events), 0 unchanged\n")
    listed = run(tmp_path, "ticket", "list", "--format", "jsonl")
    assert json.loads(listed.output)["status"] == "resolved"


def test_a_diverging_copy_is_refused_and_nothing_of_the_file_is_stored(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "full.jsonl", FIVE_EVENTS)))
    before = _stored(tmp_path)
    data = json.loads(FIVE_EVENTS)
    data["events"][1]["public"] = True  # the internal note made public
    path = write(tmp_path, "changed.jsonl", GOOD + json.dumps(data) + "\n")
    result = run(tmp_path, "import", "tickets", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path} line 3: ticket T-1004: events[1] differs from the stored history: a comment "
        "event at 2026-03-02T09:40:00+01:00: public is False in the store but True in the file; "
        "histories are append-only (an import may only add events after the stored ones)\n"
    )
    assert _stored(tmp_path) == before
    assert run(tmp_path, "ticket", "show", "T-1").exit_code == 3  # T-1 of the same file: not stored


def test_a_copy_with_another_registration_is_refused(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "full.jsonl", FIVE_EVENTS)))
    path = write(tmp_path, "renamed.jsonl", FIVE_EVENTS.replace('"Boiler"', '"Heater"'))
    result = run(tmp_path, "import", "tickets", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path} line 1: ticket T-1004: subject is 'Boiler' in the store but 'Heater' in the "
        "file; a stored ticket's registration is not rewritten by an import\n"
    )


def test_a_copy_going_another_way_names_both_events(tmp_path: Path) -> None:
    run(tmp_path, "import", "tickets", str(write(tmp_path, "full.jsonl", FIVE_EVENTS)))
    data = json.loads(FIVE_EVENTS)
    data["events"][4] = {"at": "2026-03-02T11:00:00+01:00", "kind": "comment", "author": "employee"}
    result = run(tmp_path, "import", "tickets", str(write(tmp_path, "other.jsonl", json.dumps(data) + "\n")))
    assert result.exit_code == 2
    assert "events[4] differs from the stored history: the store has a status event to 'resolved' at " \
        "2026-03-02T11:00:00+01:00, the file a comment event at 2026-03-02T11:00:00+01:00" in result.stderr


def test_a_wrongly_typed_field_is_refused_with_its_line_and_path(tmp_path: Path) -> None:
    data = json.loads(FIVE_EVENTS)
    data["events"][1]["public"] = "false"
    path = write(tmp_path, "typed.jsonl", GOOD + json.dumps(data) + "\n")
    result = run(tmp_path, "import", "tickets", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path} line 3: ticket T-1004: events[1].public: expected a boolean (true or false), "
        "got the text 'false'\n"
    )
    assert run(tmp_path, "ticket", "list", "--format", "jsonl").output == ""
