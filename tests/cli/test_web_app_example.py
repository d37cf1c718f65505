"""``examples/web_app.py`` (docs/desk.md's web app) runs as written: started on
127.0.0.1 with a free port over a fresh store in a temporary folder, driven
over HTTP — register, comment, resolve, SLA, a stale If-Match, a refused
actor — and stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from helpdesk_cli.context import AppContext
from helpdesk_cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "examples" / "web_app.py"
CONFIG = ROOT / "examples" / "helpdesk.toml"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    db = tmp_path / "desk.sqlite3"
    imported = CliRunner().invoke(cli, ["import", "--bundle", str(ROOT / "examples" / "import")],
                                  obj=AppContext(db_url=str(db), config_path=CONFIG))
    assert imported.exit_code == 0, imported.output
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    running = subprocess.Popen(
        [sys.executable, str(APP), "--db", str(db), "--config", str(CONFIG), "--port", "0"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert running.stdout is not None
        first = running.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:"), (first, running.stderr and running.stderr.read())
        yield first.split()[-1]
    finally:
        running.send_signal(signal.SIGTERM)
        try:
            running.wait(timeout=20)
        finally:
            if running.poll() is None:
                running.kill()
    assert running.returncode == 0, running.stderr.read() if running.stderr else ""


def call(base: str, method: str, path: str, body: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, Any, dict[str, str]]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def test_the_web_app_registers_comments_resolves_and_shows_the_sla(server: str) -> None:
    code, ticket, headers = call(server, "POST", "/tickets", {
        "subject": "Oven cold", "type": "incident", "priority": "high", "company": "C-2", "contact": "P-3",
        "assignee": "E-2", "by": "E-2", "at": "2026-03-02T09:00:00+01:00"})
    assert code == 201, ticket
    assert (ticket["id"], ticket["version"], ticket["channel"]) == ("T-1001", 1, "web")
    assert headers["Location"] == "/tickets/T-1001" and headers["ETag"] == '"1"'
    assert "ticket_registered" in ticket["domain_events"]

    code, ticket, _ = call(server, "POST", "/tickets/T-1001/comments", {
        "body": "On my way", "author": "employee", "by": "E-2", "at": "2026-03-02T09:20:00+01:00"},
        headers={"If-Match": '"1"'})
    assert code == 200, ticket
    assert ticket["version"] == 2 and ticket["events"][-1]["body"] == "On my way"

    code, refused, _ = call(server, "POST", "/tickets/T-1001/resolve", {"by": "E-2"}, headers={"If-Match": '"1"'})
    assert code == 409, refused
    assert "T-1001" in refused["error"]

    code, refused, _ = call(server, "POST", "/tickets/T-1001/resolve", {"by": "P-3",
                                                                         "at": "2026-03-02T10:00:00+01:00"})
    assert code == 403, refused

    code, ticket, _ = call(server, "POST", "/tickets/T-1001/resolve", {
        "by": "E-2", "at": "2026-03-02T11:00:00+01:00"}, headers={"If-Match": '"2"'})
    assert code == 200, ticket
    assert ticket["version"] == 3
    assert [event["to"] for event in ticket["events"] if event["kind"] == "status"][-1] == "resolved"

    code, sla, _ = call(server, "GET", "/tickets/T-1001/sla")
    assert code == 200
    assert sla["reacted_at"] == "2026-03-02T09:20:00+01:00"
    assert sla["resolved_at"] == "2026-03-02T11:00:00+01:00"
    assert sla["state"] == "met" and sla["resolution_left"] is None

    code, shown, headers = call(server, "GET", "/tickets/T-1001")
    assert code == 200 and shown["version"] == 3 and headers["ETag"] == '"3"'
    assert shown["sla"]["state"] == "met"


def test_the_web_app_answers_bad_requests_with_their_status(server: str) -> None:
    assert call(server, "GET", "/tickets/T-9")[0] == 404
    assert call(server, "GET", "/nowhere")[0] == 404
    assert call(server, "DELETE", "/tickets/T-9")[0] == 405
    code, error, _ = call(server, "POST", "/tickets", {"by": "E-2"})
    assert code == 400 and "subject" in error["error"]
    code, error, _ = call(server, "POST", "/tickets", {"subject": "x", "by": "E-2", "priority": "urgent"})
    assert code == 422 and "urgent" in error["error"]
