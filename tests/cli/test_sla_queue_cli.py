"""``helpdesk sla queue``: an agent's work list from the stored SLA states,
in every text format; the warning when the store's states are not trusted;
refused option combinations; a lean start-up."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli
from helpdesk_core.config import parse_configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END
from helpdesk_core.sla_states.queues import QUEUE_COLUMNS
from helpdesk_core.storage import open_store
from helpdesk_core.testing.sla_states import keep_every_sla_state

NOW = DEMO_END.isoformat()
CONFIG = parse_configuration(DEMO_CONFIGURATION)


def invoke(db: Path, config: Path, *args: str) -> Result:
    app = AppContext(db_url=str(db), config_path=config)
    return CliRunner().invoke(cli, list(args), obj=app, catch_exceptions=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("queue")
    db, config = folder / "desk.sqlite3", folder / "demo.toml"
    config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    result = invoke(db, config, "generate", "--tickets", "300", "--days", "30")
    assert result.exit_code == 0, result.output
    store = open_store(str(db))
    keep_every_sla_state(store, CONFIG)
    store.close()
    return db, config


def library(db: Path, state: str | None, **filters: object) -> list[dict[str, object]]:
    store = open_store(str(db))
    try:
        queue = Desk(store, CONFIG, FixedClock(DEMO_END)).queue(state, **filters)  # type: ignore[arg-type]
        return [entry.to_json() for entry in queue]
    finally:
        store.close()


@pytest.mark.parametrize("flag", ["--overdue", "--at-risk", "--due-today"])
def test_the_queue_in_jsonl_is_the_desks_queue(generated: tuple[Path, Path], flag: str) -> None:
    db, config = generated
    result = invoke(db, config, "sla", "queue", flag, "--now", NOW, "--limit", "20", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    assert result.stderr == "", "a trusted store: no warning"
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == library(db, flag.removeprefix("--").replace("-", "_"), limit=20)
    assert rows, f"the generated desk has tickets {flag}"
    assert all(list(row) == list(QUEUE_COLUMNS) for row in rows)
    assert len(rows) <= 20
    # the due as the report writes it (the offset of the rule's calendar, not UTC)
    with Desk.open(str(db), config=CONFIG, clock=FixedClock(DEMO_END)) as desk:
        for row in rows:
            sla = desk.sla_status(str(row["ticket"])).row
            written = {None if due is None else due.isoformat() for due in (sla.reaction_due, sla.resolution_due)}
            assert row["due"] in written, (row, written)


def test_filters_and_the_other_formats(generated: tuple[Path, Path]) -> None:
    db, config = generated
    everything = library(db, "overdue", limit=1000)
    assignee = next(str(r["assignee"]) for r in everything if r["assignee"] is not None)
    company = str(everything[0]["company"])
    mine = invoke(db, config, "sla", "queue", "--overdue", "--assignee", assignee, "--now", NOW,
                  "--limit", "1000", "--format", "json")  # fmt: skip
    assert json.loads(mine.stdout) == library(db, "overdue", assignee=assignee, limit=1000)
    theirs = invoke(
        db, config, "sla", "queue", "--overdue", "--company", company, "--now", NOW, "--format", "csv"
    )
    read = list(csv.DictReader(io.StringIO(theirs.stdout)))
    assert [r["ticket"] for r in read] == [r["ticket"] for r in library(db, "overdue", company=company)]
    nobody = invoke(db, config, "sla", "queue", "--unassigned", "--now", NOW, "--format", "jsonl")
    assert [json.loads(line) for line in nobody.stdout.splitlines()] == library(
        db, None, without_responsible=True
    )
    table = invoke(db, config, "sla", "queue", "--overdue", "--now", NOW, "--limit", "3")
    assert table.exit_code == 0 and str(everything[0]["ticket"]) in table.stdout


def test_a_store_not_built_under_the_configuration_warns_once_and_folds(
    generated: tuple[Path, Path], tmp_path: Path
) -> None:
    db, _ = generated
    other = tmp_path / "other.toml"
    other.write_text(DEMO_CONFIGURATION.replace('reaction = "4h"', 'reaction = "3h"'), encoding="utf-8")
    result = invoke(db, other, "sla", "queue", "--overdue", "--now", NOW, "--format", "jsonl")
    assert result.exit_code == 0
    assert result.stderr.count("\n") == 1 and "run `helpdesk sla rebuild`" in result.stderr
    assert result.stderr.startswith(
        "Warning: the stored SLA states were computed under another SLA configuration"
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    store = open_store(str(db))
    try:
        changed = parse_configuration(other.read_text(encoding="utf-8"))
        queue = Desk(store, changed, FixedClock(DEMO_END)).queue("overdue")
    finally:
        store.close()
    assert queue.folded and rows == [entry.to_json() for entry in queue] and rows


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--overdue", "--at-risk"], 2, "choose one of --overdue, --at-risk and --due-today"),
        (["--assignee", "E-1", "--unassigned"], 2, "--assignee and --unassigned exclude each other"),
        (["--company", "C-no-such"], 3, "company 'C-no-such' is not known"),
        (["--assignee", "E-no-such"], 3, "'E-no-such' is not known"),
        (["--limit", "-1"], 2, "-1 is not in the range x>=0"),
    ],
)
def test_refused_options(generated: tuple[Path, Path], args: list[str], code: int, message: str) -> None:
    db, config = generated
    result = invoke(db, config, "sla", "queue", "--now", NOW, *args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_queue_loads_neither_the_report_nor_the_fold(generated: tuple[Path, Path]) -> None:
    """Start-up counts: the queue imports no report machinery, and over a
    trusted store not the SLA fold's customer directory or batch report."""
    db, config = generated
    probe = (
        "import sys\nfrom helpdesk_cli.main import cli\n"
        f"try:\n    cli(['--db', {str(db)!r}, '--config', {str(config)!r}, 'sla', 'queue', '--overdue', "
        f"'--now', {NOW!r}, '--format', 'jsonl'], prog_name='helpdesk')\nexcept SystemExit:\n    pass\n"
        "wanted = ('helpdesk_cli.sla', 'helpdesk_cli.report_jobs', 'helpdesk_core.reports.sla_report', "
        "'helpdesk_core.reports.whatif', 'helpdesk_core.desk.service', 'rich.progress')\n"
        "print('loaded:', *(m for m in wanted if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.rsplit("loaded:", 1)[1].split() == []


@pytest.mark.parametrize("shape", ["demo", "generated"])
def test_the_dashboard_reads_the_index_with_the_folded_numbers(
    generated: tuple[Path, Path], tmp_path: Path, shape: str
) -> None:
    """`helpdesk report dashboard` on the demo desk and a generated one: the
    same JSON whether the states are trusted (read from the index) or not
    (every ticket folded, with one warning naming `helpdesk sla rebuild`)."""
    if shape == "demo":
        db, config = tmp_path / "demo.sqlite3", tmp_path / "demo.toml"
        config.write_text(DEMO_CONFIGURATION, encoding="utf-8")
        built = invoke(tmp_path / "unused.sqlite3", config, "demo", "--path", str(db), "--tickets", "600")
        assert built.exit_code == 0, built.output
    else:
        db, config = generated
    boards = {}
    for as_of in (NOW, "2026-04-07T16:45:00+02:00"):
        asked = ("report", "dashboard", "--as-of", as_of, "--format", "json")
        store = open_store(str(db))
        try:
            trusted = store.settings.get("sla.fingerprint") is not None
            with store.unit_of_work() as uow:  # the states under another configuration: not trusted
                uow.settings.put("sla.fingerprint", "another", expected=uow.settings.get("sla.fingerprint"))
                uow.commit()
        finally:
            store.close()
        folded = invoke(db, config, *asked)
        assert folded.exit_code == 0 and "run `helpdesk sla rebuild`" in folded.stderr
        store = open_store(str(db))
        try:
            keep_every_sla_state(store, CONFIG)
        finally:
            store.close()
        read = invoke(db, config, *asked)
        assert read.exit_code == 0 and read.stderr == "", (trusted, read.stderr)
        assert json.loads(read.stdout) == json.loads(folded.stdout)
        boards[as_of] = json.loads(read.stdout)
    assert boards[NOW]["overdue"] and boards[NOW]["open"]
