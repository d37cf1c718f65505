"""A small web help desk on helpdesk-core's Desk, with the standard library only.

    python examples/web_app.py --db desk.sqlite3 --config examples/helpdesk.toml [--port 8080]

It serves JSON on 127.0.0.1 (never on other interfaces: there is no login
here; put it behind your own authentication before anyone else reaches it):

    POST /tickets                      register   {"subject": …, "by": …, "company": …, …}
    GET  /tickets/T-1001               the ticket, its version (also the ETag) and SLA
    POST /tickets/T-1001/comments      comment    {"body": …, "author": "employee"|"contact", "by": …}
    POST /tickets/T-1001/resolve       resolve    {"by": …}
    GET  /tickets/T-1001/sla           the SLA row with reaction_left / resolution_left

A write may send ``If-Match: "3"`` (the version it read): a ticket changed
since is refused with 409, so two agents never overwrite each other unseen.
Each handler is one Desk call; the desk's errors map to HTTP statuses
(ValidationError 422, NotFound 404, ConflictError 409, PermissionDenied 403).
It prints ``listening on http://127.0.0.1:PORT`` once ready and stops on
Ctrl-C or SIGTERM. See docs/desk.md.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from helpdesk_core.desk import Desk, Outcome
from helpdesk_core.errors import ConflictError, HelpdeskError, NotFound, PermissionDenied
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.serialization import ticket_to_json

Environ = dict[str, Any]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
Response = tuple[int, dict[str, Any], dict[str, str]]

STATUS_TEXT = {200: "OK", 201: "Created", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 409: "Conflict", 422: "Unprocessable Content"}


class BadRequest(Exception):
    """The request itself is malformed (not JSON, a field of the wrong type)."""


def _text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{key!r}: expected a non-empty string, got {value!r}")
    return value


def _instant(body: dict[str, Any], key: str) -> datetime | None:
    value = _text(body, key)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{key!r}: expected an ISO-8601 date-time with an offset, got {value!r}") from None


class HelpdeskApp:
    """The WSGI application: routes a request to one handler, one Desk call each."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Response]]] = [
            ("POST", re.compile(r"/tickets"), self.register),
            ("GET", re.compile(r"/tickets/([^/]+)"), self.show),
            ("POST", re.compile(r"/tickets/([^/]+)/comments"), self.comment),
            ("POST", re.compile(r"/tickets/([^/]+)/resolve"), self.resolve),
            ("GET", re.compile(r"/tickets/([^/]+)/sla"), self.sla),
        ]

    # -- the handlers ------------------------------------------------------------------

    def register(self, body: dict[str, Any], version: int | None) -> Response:
        assignee = _text(body, "assignee")
        outcome = self.desk.register_ticket(
            subject=_text(body, "subject", required=True) or "",
            description=_text(body, "description") or "",
            type=_text(body, "type"),
            priority=_text(body, "priority"),
            channel=_text(body, "channel") or "web",
            company=_text(body, "company"),
            contact=_text(body, "contact"),
            assignee=None if assignee is None else Assignee(id=assignee, group=bool(body.get("group"))),
            by=_text(body, "by", required=True) or "",
            at=_instant(body, "at"),
        )
        return self._written(outcome, 201)

    def show(self, body: dict[str, Any], version: int | None, ticket_id: str) -> Response:
        stored = self.desk.get(ticket_id)
        data = {**ticket_to_json(stored.value), "version": stored.version, "sla": self._sla(ticket_id)}
        return 200, data, {"ETag": f'"{stored.version}"'}

    def comment(self, body: dict[str, Any], version: int | None, ticket_id: str) -> Response:
        public = body.get("public", True)
        if not isinstance(public, bool):
            raise BadRequest(f"'public': expected true or false, got {public!r}")
        outcome = self.desk.comment(
            ticket_id,
            body=_text(body, "body", required=True) or "",
            author=_text(body, "author") or "employee",  # type: ignore[arg-type]
            public=public,
            by=_text(body, "by", required=True) or "",
            at=_instant(body, "at"),
            expected_version=version,
        )
        return self._written(outcome, 201 if outcome.follow_up_of else 200)

    def resolve(self, body: dict[str, Any], version: int | None, ticket_id: str) -> Response:
        outcome = self.desk.transition(
            ticket_id, "resolved", by=_text(body, "by", required=True) or "", at=_instant(body, "at"),
            expected_version=version,
        )
        return self._written(outcome, 200)

    def sla(self, body: dict[str, Any], version: int | None, ticket_id: str) -> Response:
        return 200, self._sla(ticket_id), {}

    # -- plumbing ----------------------------------------------------------------------

    def _sla(self, ticket_id: str) -> dict[str, Any]:
        status = self.desk.sla_status(ticket_id)
        return {**status.row.to_json(), "reaction_left": status.reaction_left,
                "resolution_left": status.resolution_left}

    def _written(self, outcome: Outcome, code: int) -> Response:
        data = {**ticket_to_json(outcome.ticket), "version": outcome.version,
                "warnings": list(outcome.warnings), "domain_events": [event.kind for event in outcome.events]}
        if outcome.follow_up_of is not None:
            data["follow_up_of"] = outcome.follow_up_of
        return code, data, {"ETag": f'"{outcome.version}"', "Location": f"/tickets/{outcome.ticket.id}"}

    def handle(self, method: str, path: str, body: dict[str, Any], version: int | None) -> Response:
        allowed = False
        for verb, pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            allowed = True
            if verb == method:
                return handler(body, version, *match.groups())
        if allowed:
            return 405, {"error": f"{method} is not allowed on {path}"}, {}
        return 404, {"error": f"no such resource: {path}"}, {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            code, data, headers = self.handle(
                environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""), _body(environ), _if_match(environ)
            )
        except BadRequest as error:
            code, data, headers = 400, {"error": str(error)}, {}
        except HelpdeskError as error:
            code, data, headers = _http_status(error), {"error": str(error)}, {}
        payload = json.dumps(data, ensure_ascii=False).encode()
        start_response(f"{code} {STATUS_TEXT.get(code, '')}".strip(), [
            ("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(payload))),
            *headers.items(),
        ])
        return [payload]


def _http_status(error: HelpdeskError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, PermissionDenied):
        return 403
    return 422


def _body(environ: Environ) -> dict[str, Any]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number") from None
    raw = environ["wsgi.input"].read(length) if length else b""
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _if_match(environ: Environ) -> int | None:
    value = environ.get("HTTP_IF_MATCH")
    if value is None:
        return None
    match = re.fullmatch(r'\s*(?:W/)?"?(\d+)"?\s*', value)
    if match is None:
        raise BadRequest(f"If-Match: expected a version such as \"3\", got {value!r}")
    return int(match.group(1))


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.command} {self.path} {args[1] if len(args) > 1 else ''}\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A small web help desk on helpdesk-core (loopback only).")
    parser.add_argument("--db", required=True, help="The store URL (an SQLite file, postgresql://…).")
    parser.add_argument("--config", default=None, help="The helpdesk.toml.")
    parser.add_argument("--port", type=int, default=8080, help="The port on 127.0.0.1 (0: any free one).")
    args = parser.parse_args(argv)
    stopping: list[int] = []

    def stop(signum: int, frame: object) -> None:
        stopping.append(signum)  # finish the request in hand, then stop

    with Desk.open(args.db, config=args.config) as desk, make_server(
        "127.0.0.1", args.port, HelpdeskApp(desk), handler_class=_QuietHandler
    ) as server:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        server.timeout = 0.2  # how often it looks whether it was asked to stop
        print(f"listening on http://127.0.0.1:{server.server_port}", flush=True)
        while not stopping:
            server.handle_request()


if __name__ == "__main__":
    main()
