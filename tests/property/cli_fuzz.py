"""Bad input thrown at the ``helpdesk`` CLI, and what became of each case.

A *case* is one command line with the files it names (import files, a
``helpdesk.toml``, an audit trail) run against a copy of a small desk in
SQLite. Its outcome falls in one or more of these classes:

``ok``
    exit code 0 (or 1 where a ``--fail-on-…``, ``sla lint`` or a proof asks
    for it), without an exception.
``clean_error``
    a documented exit code (2 to 5) with ``Error: …`` as the last line on
    standard error and no traceback.
``unclear_error``
    a non-zero exit without a traceback that is neither of the above (an exit
    code the README does not list, or no ``Error:`` line).
``traceback``
    an exception escaped the command (what a user sees as a Python traceback).
``hang``
    the command ran longer than the case's time limit.
``store_changed_on_failure``
    the command failed (any outcome but ``ok``) and the store's logical
    content — every row of every table — differs from before.
``silent_coercion``
    the command succeeded, and reading the record back gives, for the value
    the case changed, another JSON type (``"false"`` for ``false``, ``1`` for
    ``1.5``), another text (instants compare as instants), a dropped value,
    or a non-finite number (JSON has none).
``raw_control_output``
    text meant for a person (standard error always; standard output for
    tables and text, not for JSON or CSV) carries a control character or an
    escape sequence: stored or given text reached the terminal raw.

Families of cases say where the input comes from; :data:`AREAS` groups
them by who owns the code that reads it. ``tests/property/test_cli_fuzz.py``
runs the families of the CLI's own options, the configuration and the
terminal; this module, run as a script, runs every family and prints the
figures per class (and per family)::

    PYTHONPATH=src .venv/bin/python tests/property/cli_fuzz.py --cases 612

The cases are the same on every run (``derandomize``), so two trees (before
and after a fix) can be compared by pointing ``PYTHONPATH`` at each.

A huge ``--jobs`` and dashboard periods of centuries are drawn (refused or
capped since issue 12 item 11); deliberately left out: a huge ``generate
--tickets`` (work in proportion to what was asked).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import attrs
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from helpdesk_cli.main import cli
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.serialization import ticket_to_json
from helpdesk_core.storage import open_store

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CONFIG = (EXAMPLES / "helpdesk.toml").read_text(encoding="utf-8")
TICKET_LINES = (EXAMPLES / "tickets.jsonl").read_text(encoding="utf-8").splitlines()
CSV_FILES = {
    kind: (EXAMPLES / "import" / f"{kind}.csv").read_text(encoding="utf-8") for kind in ("contacts", "companies")
}
AS_OF = "2026-04-08T12:00:00+02:00"
TIMEOUT = 10.0
"""Seconds a case may run before it counts as a hang."""

OUTCOMES = (
    "ok",
    "clean_error",
    "unclear_error",
    "traceback",
    "hang",
    "store_changed_on_failure",
    "silent_coercion",
    "raw_control_output",
)
DEFECTS = frozenset(OUTCOMES) - {"ok", "clean_error"}

AREAS: dict[str, tuple[str, ...]] = {
    "cli": ("options", "generate", "db_url", "config", "audit_file", "terminal"),
    "imports": ("import_csv", "import_jsonl"),
}
"""Who owns the code a family's input reaches: the CLI's options, store URLs,
configuration and terminal output (this fuzz's own area), or the importers."""

ESCAPED_SUBJECT = "\x1b[31mred\x1b[0m [/bold] \x07bell \x1b]0;title\x07 \u202eevil [b]x"
"""The subject of the template desk's ticket T-9001: escape sequences, a bell,
a right-to-left override and rich markup."""
ESCAPED_BODY = "first line\x1b[2J\x1b[Hcleared\rover\x00nul [red]x[/red] \x9b31m"

# -- the template desk -----------------------------------------------------------------------


def build_template(folder: Path) -> Path:
    """An SQLite desk: the example bundle and tickets, plus a ticket whose text
    carries escape sequences; built once and copied for each case."""
    db = folder / "template.sqlite3"
    config = folder / "helpdesk.toml"
    config.write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    for args in (
        ["import", "--bundle", str(EXAMPLES / "import")],
        ["import", "tickets", str(EXAMPLES / "tickets.jsonl")],
    ):
        result = runner.invoke(cli, ["--db", str(db), "--config", str(config), *args], env=_CLEAN_ENV)
        if result.exit_code != 0:
            raise RuntimeError(f"cannot build the fuzz desk: {args}: {result.output}")
    store = open_store(str(db))
    try:
        with store.unit_of_work() as uow:
            at = datetime(2026, 3, 2, 9, tzinfo=UTC)
            uow.tickets.add(
                Ticket.register(
                    id="T-9001",
                    subject=ESCAPED_SUBJECT,
                    created_at=at,
                    type="incident",
                    priority="normal",
                    company="C-1",
                    events=[Comment(at=at, by="E-1", author="employee", public=True, body=ESCAPED_BODY)],
                )
            )
            uow.commit()
    finally:
        store.close()
    return db


_CLEAN_ENV = {"HELPDESK_DB": None, "HELPDESK_CONFIG": None, "COLUMNS": "120"}


def snapshot(db: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The logical content of an SQLite store: every table's rows, sorted."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(name, sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)) for name in names]


# -- cases -------------------------------------------------------------------------------


@attrs.frozen
class Coercion:
    """What to read back after a successful import: ticket ``key``'s value at
    ``path`` (a ticket import), or the ``column`` of the record ``key`` of the
    CSV ``kind``."""

    kind: str
    key: str
    path: tuple[str | int, ...]
    given: Any


@attrs.frozen
class Case:
    """One command line. ``{dir}`` in an argument is the case's folder,
    ``{store}`` the desk's file; ``files`` are written into the folder first."""

    family: str
    args: tuple[str, ...]
    files: tuple[tuple[str, bytes], ...] = ()
    db: str = "{store}"
    config: str | None = "{dir}/helpdesk.toml"
    human_output: bool = True
    coercion: Coercion | None = None

    def describe(self) -> str:
        db = self.db if self.db == "{store}" else repr(self.db)
        config = "" if self.config is None else f" --config {self.config}"
        files = "".join(f"\n    file {name}: {content[:300]!r}" for name, content in self.files)
        return f"[{self.family}] helpdesk --db {db}{config} {' '.join(map(repr, self.args))}{files}"


@attrs.frozen
class Outcome:
    case: Case
    classes: frozenset[str]
    exit_code: int | None
    stdout: str
    stderr: str
    error: str = ""

    def describe(self) -> str:
        return (
            f"{sorted(self.classes)} exit {self.exit_code}: {self.case.describe()}\n"
            f"    stderr: {self.stderr[-600:]!r}\n    error: {self.error[-600:]}"
        )


class _Hang(BaseException):
    """Raised in the command by the timer (a BaseException, so that no
    ``except Exception`` of the command swallows it)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def ring(signum: int, frame: FrameType | None) -> None:
        raise _Hang

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""Characters that must not reach a terminal raw (newline and tab may)."""


def run_case(case: Case, template: Path, *, timeout: float = TIMEOUT) -> Outcome:
    """Run ``case`` on a copy of the ``template`` desk and classify what happened."""
    with tempfile.TemporaryDirectory(prefix="helpdesk-fuzz-") as folder:
        where = Path(folder)
        store = where / "desk.sqlite3"
        shutil.copyfile(template, store)
        (where / "helpdesk.toml").write_text(CONFIG, encoding="utf-8")
        for name, content in case.files:
            (where / name).write_bytes(content)

        def fill(text: str) -> str:
            return text.replace("{dir}", folder).replace("{store}", str(store))

        args = ["--db", fill(case.db)]
        if case.config is not None:
            args += ["--config", fill(case.config)]
        args += [fill(a) for a in case.args]
        before = snapshot(store)
        runner = CliRunner()
        error = ""
        classes: set[str] = set()
        try:
            with _time_limit(timeout):
                result = runner.invoke(cli, args, env=_CLEAN_ENV, color=True, input="n\n")
        except _Hang:
            return Outcome(case, frozenset({"hang"}), None, "", "", f"over {timeout} s")
        stdout, stderr = result.stdout, result.stderr
        code = result.exit_code
        exception = result.exception
        if exception is not None and not isinstance(exception, SystemExit):
            classes.add("traceback")
            error = f"{type(exception).__name__}: {exception}"
        elif code in (0, 1, 7, 8) and "Traceback" not in stderr:  # 7, 8: done, with something to report
            classes.add("ok")
        elif code in (2, 3, 4, 5, 6) and stderr.strip().splitlines()[-1:] and (
            stderr.strip().splitlines()[-1].startswith("Error:")
        ):
            classes.add("clean_error")
        else:
            classes.add("unclear_error")
        if "ok" not in classes and snapshot(store) != before:
            classes.add("store_changed_on_failure")
        if "ok" in classes and code == 0 and case.coercion is not None:
            coerced = _coerced(case.coercion, store)
            if coerced:
                classes.add("silent_coercion")
                error = coerced
        human = stderr + (stdout if case.human_output else "")
        raw = _RAW_CONTROL.search(human)
        if raw is not None:
            classes.add("raw_control_output")
            error = error or f"raw {raw.group()!r} in the output"
        return Outcome(case, frozenset(classes), code, stdout, stderr, error)


def _same(given: Any, stored: Any) -> bool:
    if isinstance(given, float) and not math.isfinite(given):
        return False
    if type(given) is not type(stored):
        return False
    if isinstance(given, str) and given != stored:
        try:
            return datetime.fromisoformat(given) == datetime.fromisoformat(stored)
        except ValueError:
            return False
    if isinstance(given, list):
        return len(given) == len(stored) and all(_same(a, b) for a, b in zip(given, stored, strict=True))
    if isinstance(given, dict):
        return given.keys() <= stored.keys() and all(_same(v, stored[k]) for k, v in given.items())
    return bool(given == stored)


def _coerced(expected: Coercion, db: Path) -> str:
    """Why the value read back is not the one given (empty when it is)."""
    store = open_store(str(db))
    try:
        if expected.kind == "ticket":
            value: Any = ticket_to_json(store.tickets.get(expected.key).value)
        else:
            import csv
            import io

            from helpdesk_core.imports import export_kind

            out = io.StringIO()
            export_kind(expected.kind, store, out, format="csv")
            rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
            value = rows.get(expected.key, {})
    finally:
        store.close()
    for step in expected.path:
        try:
            value = value[step]
        except (KeyError, IndexError, TypeError):
            if expected.given is None:
                return ""
            return f"{expected.path}: given {expected.given!r}, nothing stored"
    if not _same(expected.given, value):
        return f"{expected.path}: given {expected.given!r}, stored {value!r}"
    return ""


# -- strategies ------------------------------------------------------------------------


_NASTY_TEXT = st.sampled_from([
    "", " ", "\x1b[31mred", "a\x00b", "\ud800", "x" * 70_000, "=1+1", "\t=cmd", "[/bold]", "🙂",
    "line\nbreak", "line\rcr", "\u202eevil", "'quoted'", '"', "\\", "%s%n", "../../etc/passwd",
])
_TEXT = st.one_of(_NASTY_TEXT, st.text(max_size=12))
_NUMBER = st.one_of(
    st.sampled_from([0, -1, 1, 10**6, 2**31, 2**63, 10**30, 10**400]),
    st.integers(),
)
_DURATIONS = st.one_of(
    _NUMBER,
    st.sampled_from([
        "45m", "4h", "1h30m", "0m", "-5m", "99999999999999h", f"{10**30}m", "9" * 500 + "h", "1d",
        "4x", "", "h", "1.5h", "２h", "4 h",
    ]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
_DATES = st.one_of(
    st.sampled_from([
        AS_OF, "2026-04-08", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
        "2026-02-30", "2026-04-08T25:00+02:00", "now", "", "2026-04-08T12:00", "+2026-04-08",
        "2026-04-08T12:00:00+02:00\x1b[31m", "１２３４-01-01", "2026-W10", "20260408",
    ]),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)
_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), _NUMBER, st.floats(), _TEXT,
    st.sampled_from(["false", "true", "1", "1.5", "NaN", "E-1", "2026-03-02T09:00:00+01:00"]),
)
_JSON = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3), max_leaves=6)


def _deep(kind: str, depth: int) -> str:
    return "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=True)


@st.composite
def import_jsonl_cases(draw: st.DrawFn) -> Case:
    """A ticket-history JSON Lines file: an example line under a new id with
    one field set to another value, removed, or the line broken."""
    base = json.loads(draw(st.sampled_from(TICKET_LINES)))
    base["id"] = "T-8001"
    mutation = draw(st.sampled_from(["set", "set", "set", "delete", "raw"]))
    coercion = None
    if mutation == "raw":
        line = draw(st.sampled_from([
            _deep("list", 100_000), _deep("dict", 5_000), '{"id": "T-8001", "subject": "\\ud800"',
            '{"id": "T-8001", "subject": "\\udc80x", "created_at": "2026-03-02T08:55:00+01:00", "events": []}',
            "garbage", "", "\x00", '{"id": 1e400}', "[1, 2]", '"text"', "null",
        ]))
        content = line.encode("utf-8", "surrogatepass")
    else:
        fields: list[tuple[str | int, ...]] = [(k,) for k in base if k != "id"]
        for index, event in enumerate(base["events"]):
            fields += [("events", index, k) for k in event]
        path = draw(st.sampled_from(fields))
        target = base
        for step in path[:-1]:
            target = target[step]
        if mutation == "delete":
            del target[path[-1]]
        else:
            value = draw(_JSON)
            target[path[-1]] = value
            coercion = Coercion("ticket", "T-8001", path, value)
        content = _json_text(base).encode("utf-8", "surrogatepass")
    separator = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    content = content + separator + draw(st.sampled_from([b"", TICKET_LINES[1].encode() + separator]))
    extra = draw(st.sampled_from([(), ("--dry-run",)]))
    return Case("import_jsonl", ("import", "tickets", "{dir}/t.jsonl", *extra), (("t.jsonl", content),),
                coercion=None if extra else coercion)


@st.composite
def import_csv_cases(draw: st.DrawFn) -> Case:
    """A contacts or companies CSV: the example with one cell, line or byte changed."""
    kind = draw(st.sampled_from(["contacts", "companies"]))
    lines = CSV_FILES[kind].splitlines()
    header = lines[0].split(",")
    rows = [next(csv_reader([line])) for line in lines[1:]]
    mutation = draw(st.sampled_from([
        "cell", "cell", "cell", "stray_quote", "extra_cell", "missing_cell", "cr_only", "bom", "nul",
        "bad_utf8", "empty", "header_only", "unknown_column",
    ]))
    row = draw(st.integers(0, len(rows) - 1))
    coercion = None
    separator = "\n"
    if mutation == "cell":
        column = draw(st.integers(0, len(header) - 1))
        value = draw(_TEXT)
        rows[row][column] = value
        plain = header[column] not in ("email", "phone", "mobile", "domains", "external_id") and not value.startswith(
            ("=", "+", "-", "@", "\t", "\r")
        )
        if plain and value.strip() == value and value:
            coercion = Coercion(kind, rows[row][0], (header[column],), value)
    elif mutation == "stray_quote":
        rows[row][1] = '"' + rows[row][1]
    elif mutation == "extra_cell":
        rows[row].append("surplus")
    elif mutation == "missing_cell":
        rows[row].pop()
    elif mutation == "cr_only":
        separator = "\r"
    elif mutation == "empty":
        header, rows = [], []
    elif mutation == "header_only":
        rows = []
    elif mutation == "unknown_column":
        header = [*header, "colour"]
    text = separator.join([",".join(header), *(csv_line(r) for r in rows)]) + separator
    if mutation == "stray_quote":  # csv_line would quote the quote
        lines_out = text.split(separator)
        lines_out[row + 1] = ",".join(rows[row])
        text = separator.join(lines_out)
    content = text.encode("utf-8", "surrogatepass")
    if mutation == "bom":
        content = b"\xef\xbb\xbf" + content
    elif mutation == "nul":
        content = content.replace(b",", b",\x00", 1)
    elif mutation == "bad_utf8":
        content = content.replace(b",", b",\xff\xfe", 1)
    options: list[str] = []
    if draw(st.booleans()):
        options += ["--delimiter", draw(st.sampled_from([",", ";", ",,", "", "\t", "\\", '"', "\n"]))]
    if draw(st.integers(0, 3)) == 0:
        options += ["--region", draw(st.sampled_from(["", "XX", "cz", "\x1b", "SK"]))]
    if draw(st.integers(0, 3)) == 0:
        options += ["--format", draw(st.sampled_from(["csv", "jsonl"]))]
    if draw(st.integers(0, 2)) == 0:
        options += ["--skip-invalid"]
        if draw(st.booleans()):
            options += ["--rejects", draw(st.sampled_from(["{dir}/missing/r.csv", "{dir}", "{dir}/r.csv"]))]
    dry = draw(st.integers(0, 4)) == 0
    if dry:
        options.append("--dry-run")
    name = f"{kind}.csv"
    return Case("import_csv", ("import", kind, f"{{dir}}/{name}", *options), ((name, content),),
                coercion=None if dry or "--skip-invalid" in options else coercion)


def csv_reader(lines: Sequence[str]) -> Iterator[list[str]]:
    import csv

    return iter(csv.reader(lines))


def csv_line(cells: Sequence[str]) -> str:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


_CONFIG_PLACES = [
    ("workflow.automation", "auto_close_after"),
    ("workflow.automation", "reopen_window"),
    ("sla.rules[0]", "reaction"),
    ("sla.rules[2]", "resolution"),
    ("sla", "at_risk_share"),
]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    return str(value)


@st.composite
def configurations(draw: st.DrawFn) -> bytes:
    """A ``helpdesk.toml``: the example with a value changed, nested deeply,
    broken as TOML or as text."""
    mutation = draw(st.sampled_from(["value", "value", "value", "deep", "syntax", "bytes", "calendar"]))
    text = CONFIG
    if mutation == "value":
        table, key = draw(st.sampled_from(_CONFIG_PLACES))
        value = _toml_value(draw(_DURATIONS))
        if table == "workflow.automation":
            text = text.replace('auto_close_after = "48h"', f"{key} = {value}")
        elif table == "sla":
            text = text.replace("at_risk_share = 0.2", f"at_risk_share = {value}")
        else:
            target = '"15m"' if key == "reaction" else '"16h"'
            text = text.replace(f"{key} = {target}", f"{key} = {value}", 1)
    elif mutation == "deep":
        depth = draw(st.sampled_from([10, 399, 400, 401, 1000, 100_000]))
        shape = draw(st.sampled_from(["array", "table"]))
        nested = "[" * depth + "]" * depth if shape == "array" else "{a = " * depth + "1" + "}" * depth
        text = text.replace("at_risk_share = 0.2", f"at_risk_share = {nested}")
    elif mutation == "syntax":
        text = text + draw(st.sampled_from(["\n[sla\n", "\nx = \n", "\n[[sla.rules]\n", '\na = "\\ud800"\n',
                                            "\n[workflow]\n", "\ncolour = 1\n"]))
    elif mutation == "calendar":
        text = text.replace(
            draw(st.sampled_from(['"Europe/Prague"', '"09:00"', '"2026-12-31"', '"CZ"'])),
            _toml_value(draw(st.one_of(_TEXT, _NUMBER, st.sampled_from(["../../etc", "25:00", "2026-02-30"])))),
            1,
        )
    content = text.encode("utf-8", "surrogatepass")
    if mutation == "bytes":
        content = draw(st.sampled_from([b"\xff\xfe", b"\xef\xbb\xbf", b"\x00", b""])) + content
    return content


_CONFIG_COMMANDS = [
    ("sla", "lint"),
    ("sla", "report", "--as-of", AS_OF, "--format", "csv"),
    ("sla", "explain", "T-1001", "--as-of", AS_OF),
    ("report", "dashboard", "--as-of", AS_OF, "--format", "json"),
    ("ticket", "list"),
    ("sla", "whatif", "--config", "{dir}/proposed.toml", "--as-of", AS_OF, "--format", "csv"),
]


@st.composite
def config_cases(draw: st.DrawFn) -> Case:
    content = draw(configurations())
    command = draw(st.sampled_from(_CONFIG_COMMANDS))
    if "whatif" in command:
        return Case("config", command, (("proposed.toml", content),), human_output=False)
    return Case("config", command, (("bad.toml", content),), config="{dir}/bad.toml",
                human_output=command[:2] in (("sla", "lint"), ("sla", "explain"), ("ticket", "list")))


_JOBS = st.sampled_from(["1", "2", "0", "-1", "x", "", "1.5", " 1", "10000", "99999999999999999999"])
_OUTPUTS = st.sampled_from(["{dir}/out.{ext}", "{dir}/missing/out.{ext}", "{dir}", "/dev/full", "{dir}/out.txt"])


@st.composite
def option_cases(draw: st.DrawFn) -> Case:
    """Option values of the reading commands: dates, --jobs, --output, filters."""
    command = draw(st.sampled_from(["report", "dashboard", "explain", "show", "list", "export"]))
    args: list[str]
    human = True
    if command == "report":
        fmt = draw(st.sampled_from(["table", "csv", "json", "jsonl", "xlsx"]))
        human = fmt == "table"
        args = ["sla", "report", "--format", fmt]
        for option in ("--as-of", "--from", "--to"):
            if draw(st.booleans()):
                args += [option, draw(_DATES)]
        if draw(st.booleans()):
            args += ["--jobs", draw(_JOBS)]
        if draw(st.booleans()):
            args += ["--output", draw(_OUTPUTS).replace("{ext}", fmt)]
        if draw(st.integers(0, 3)) == 0:
            args += [draw(st.sampled_from(["--company", "--assignee", "--priority"])), draw(_TEXT)]
        if draw(st.integers(0, 3)) == 0:
            args += ["--group-by", draw(st.sampled_from(["priority", "company", "rule", "nothing"]))]
    elif command == "dashboard":
        args = ["report", "dashboard", "--as-of", draw(st.sampled_from([AS_OF, "2026-04-08", "x"]))]
        for option in ("--from", "--to"):
            if draw(st.booleans()):
                args += [option, draw(st.sampled_from(["2026-03-01", "2026-04-08", "2027-01-01", "2026-13-01",
                                                       "2025-04-08T00:00:00+14:00", "garbage", "",
                                                       "0001-01-01", "1900-01-01", "2999-12-31"]))]
        if draw(st.booleans()):
            args += ["--chart", draw(st.sampled_from(["{dir}/c.png", "{dir}/c.svg", "{dir}/c.pdf",
                                                      "{dir}/missing/c.png", "{dir}"]))]
        if draw(st.booleans()):
            args += ["--format", "json"]
            human = False
    elif command == "explain":
        args = ["sla", "explain", draw(st.one_of(st.just("T-1001"), st.just("T-9001"), _TEXT))]
        if draw(st.booleans()):
            args += ["--as-of", draw(_DATES)]
    elif command == "show":
        fmt = draw(st.sampled_from(["text", "json"]))
        human = fmt == "text"
        args = ["ticket", "show", draw(st.one_of(st.sampled_from(["T-1001", "T-9001"]), _TEXT)), "--format", fmt]
    elif command == "list":
        fmt = draw(st.sampled_from(["table", "jsonl"]))
        human = fmt == "table"
        args = ["ticket", "list", "--format", fmt]
        if draw(st.booleans()):
            args += ["--status", draw(st.one_of(st.just("open"), _TEXT))]
    else:
        human = False
        args = ["export", draw(st.sampled_from(["contacts", "companies", "tickets"]))]
        if draw(st.booleans()):
            args += ["--output", draw(_OUTPUTS).replace("{ext}", "csv")]
    return Case("options", tuple(args), human_output=human)


_GENERATE_DAYS = st.one_of(st.sampled_from(["1", "365", "999999999", "0", "-1", str(10**30), "x", "730000"]),
                           st.integers(1, 10**9).map(str))


@st.composite
def generate_cases(draw: st.DrawFn) -> Case:
    """``generate`` into the desk (its tickets T-1… clash with none of the
    desk's but the first) with bounded sizes and unbounded periods."""
    args = ["generate", "--tickets", draw(st.sampled_from(["0", "3", "-3", "x"])),
            "--companies", draw(st.sampled_from(["1", "2", "0", "x"])),
            "--days", draw(_GENERATE_DAYS)]
    if draw(st.booleans()):
        args += ["--seed", draw(st.sampled_from(["1", "-1", str(10**30), "x"]))]
    if draw(st.booleans()):
        args += ["--end", draw(_DATES)]
    return Case("generate", tuple(args), config=None)


_DB_URLS = st.sampled_from([
    "postgresql://[::1", "postgresql://[::1]:notaport/db", "postgresql://u:s3cret@127.0.0.1:1/db",
    "postgresql://u:s3cret@[::1]:1/db?pool_size=x", "postgres://u:s3cret@127.0.0.1:99999/db",
    "mysql://u:s3cret@host/db", "sqlite://relative.db", "sqlite:///{dir}/missing/x.sqlite3", "sqlite:///",
    "memory://", "", "{dir}", "{dir}/helpdesk.toml", "://", "sqlite:///{dir}/\x1b[31m.sqlite3",
    "postgresql://u:s3cret@127.0.0.1:1/db?password=other", "postgresql://user:p%40ss@127.0.0.1:1/db",
])


@st.composite
def db_url_cases(draw: st.DrawFn) -> Case:
    url = draw(_DB_URLS)
    command = draw(st.sampled_from([("ticket", "list"), ("generate", "--tickets", "1", "--companies", "1"),
                                    ("import", "tickets", str(EXAMPLES / "tickets.jsonl"))]))
    return Case("db_url", command, db=url)


_AUDIT_FILES = st.one_of(
    st.sampled_from([b"", b"garbage\n", b"\xff\xfe\n", b"[]\n", b"null\n", b'{"id": 1}\n', b"{}\n",
                     ("[" * 100_000).encode(), b'{"id": "A-1", "subject": "\\ud800"}\n', b"\n\n\n"]),
    _JSON.map(lambda v: (_json_text(v) + "\n").encode("utf-8", "surrogatepass")),
)


@st.composite
def audit_file_cases(draw: st.DrawFn) -> Case:
    audit = draw(st.sampled_from(["{dir}/audit.jsonl", "{dir}/missing.jsonl", "{dir}"]))
    return Case("audit_file", ("privacy", "replay", "--audit", audit, "--by", "fuzz"),
                (("audit.jsonl", draw(_AUDIT_FILES)),))


@st.composite
def terminal_cases(draw: st.DrawFn) -> Case:
    """Commands that show the desk's ticket T-9001 (escape sequences in its
    subject and comment) or echo a given id, for a person."""
    weird = draw(st.sampled_from(["\x1b[31mT-1\x1b[0m", "T-\x07", "[/bold]", "T-\ud800", "\x9b1m"]))
    command = draw(st.sampled_from([
        ("ticket", "list"), ("ticket", "show", "T-9001"), ("sla", "explain", "T-9001", "--as-of", AS_OF),
        ("sla", "report", "--as-of", AS_OF), ("ticket", "show", weird), ("sla", "explain", weird),
        ("ticket", "list", "--status", weird), ("sla", "report", "--as-of", AS_OF, "--company", weird),
    ]))
    return Case("terminal", command)


FAMILIES: dict[str, Callable[[], st.SearchStrategy[Case]]] = {
    "options": option_cases,
    "generate": generate_cases,
    "db_url": db_url_cases,
    "config": config_cases,
    "audit_file": audit_file_cases,
    "terminal": terminal_cases,
    "import_csv": import_csv_cases,
    "import_jsonl": import_jsonl_cases,
}


def cases(families: Sequence[str]) -> st.SearchStrategy[Case]:
    return st.one_of(*(FAMILIES[name]() for name in families))


# -- the script ------------------------------------------------------------------------------


MEMORY_LIMIT = 4 << 30
"""Bytes of address space the script may take: a case that runs away with
memory fails with MemoryError (a traceback) instead of taking the machine."""


def run(count: int, families: Sequence[str], *, verbose: bool = False) -> list[Outcome]:
    """``count`` cases of ``families``, the same on every run."""
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="helpdesk-fuzz-template-") as folder:
        template = build_template(Path(folder))

        @settings(max_examples=count, derandomize=True, database=None, deadline=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(cases(families))
        def one(case: Case) -> None:
            outcome = run_case(case, template)
            outcomes.append(outcome)
            if verbose and outcome.classes & DEFECTS:
                print(outcome.describe(), file=sys.stderr)

        one()
    return outcomes


def figures(outcomes: Sequence[Outcome]) -> str:
    """Counts per class, overall and per family."""
    lines = [f"{len(outcomes)} cases"]
    total = Counter(c for o in outcomes for c in o.classes)
    lines.append("  " + ", ".join(f"{name} {total.get(name, 0)}" for name in OUTCOMES))
    for family in FAMILIES:
        mine = [o for o in outcomes if o.case.family == family]
        if mine:
            counts = Counter(c for o in mine for c in o.classes)
            shown = ", ".join(f"{name} {counts[name]}" for name in OUTCOMES if counts.get(name))
            lines.append(f"  {family} ({len(mine)}): {shown}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=612)
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated families")
    parser.add_argument("--verbose", action="store_true", help="print every case of a defect class")
    options = parser.parse_args()
    started = time.perf_counter()
    outcomes = run(options.cases, options.families.split(","), verbose=options.verbose)
    print(figures(outcomes))
    print(f"{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
