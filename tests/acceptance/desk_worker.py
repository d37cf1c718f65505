"""One of the processes of ``test_desk_concurrency``: registers tickets and
comments on the shared ones through :class:`~helpdesk_core.desk.Desk`, every
use case wrapped in ``desk.retrying``, and prints what it did as one JSON object.

    python desk_worker.py URL WORKER ROUNDS HOT_IDS GO_FILE

It waits for ``GO_FILE`` to exist (after creating ``GO_FILE.ready-WORKER``), so
that all workers start their writes together. Every ``ConflictError`` a use
case raises is counted before ``retrying`` retries it; any other exception is
reported in ``errors`` with its class and message (a "database is locked"
would show there).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from helpdesk_core.desk import Desk, Outcome
from helpdesk_core.errors import ConflictError
from helpdesk_core.model.domain_events import DomainEvent

T = TypeVar("T")
ATTEMPTS = 50
"""Attempts ``retrying`` gets: eight writers on three tickets lose often."""
START_TIMEOUT = 120.0


def event_key(event: DomainEvent) -> list[Any]:
    """A domain event as plain JSON, comparable across processes."""
    return [event.kind, event.ticket, event.at.isoformat(), event.by, json.dumps(event.data, sort_keys=True)]


class Worker:
    def __init__(self, desk: Desk, number: int) -> None:
        self.desk = desk
        self.me = f"E-{number}"
        self.registered: list[str] = []
        self.comments: list[list[str]] = []
        self.events: list[list[Any]] = []
        self.conflicts = 0
        self.gave_up = 0
        self.errors: list[str] = []

    def counted(self, operation: Callable[[], T]) -> Callable[[], T]:
        def attempt() -> T:
            try:
                return operation()
            except ConflictError:
                self.conflicts += 1
                raise

        return attempt

    def run(self, operation: Callable[[], Outcome]) -> Outcome | None:
        try:
            outcome = self.desk.retrying(self.counted(operation), attempts=ATTEMPTS)
        except ConflictError as error:
            self.gave_up += 1
            self.errors.append(f"gave up: {error}")
            return None
        except Exception as error:  # every other failure is reported, not hidden
            self.errors.append(f"{type(error).__name__}: {error}")
            return None
        self.events.extend(event_key(event) for event in outcome.events)
        return outcome

    def comment(self, ticket: str, body: str, *, stale_checked: bool) -> None:
        def operation() -> Outcome:
            if not stale_checked:
                return self.desk.comment(ticket, body=body, author="employee", by=self.me)
            # the version a web form carried: read, the agent types, then write
            version = self.desk.get(ticket).version
            time.sleep(random.uniform(0, 0.01))
            return self.desk.comment(
                ticket, body=body, author="employee", by=self.me, expected_version=version
            )

        if self.run(operation) is not None:
            self.comments.append([ticket, body])


def main() -> None:
    url, number, rounds, hot_ids, go_file = sys.argv[1:6]
    hot = hot_ids.split(",")
    go = Path(go_file)
    with Desk.open(url) as desk:
        worker = Worker(desk, int(number))
        Path(f"{go}.ready-{number}").touch()
        deadline = time.monotonic() + START_TIMEOUT
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        for n in range(int(rounds)):
            outcome = worker.run(
                partial(desk.register_ticket, subject=f"{worker.me} round {n}", by=worker.me)
            )
            if outcome is not None:
                worker.registered.append(outcome.ticket.id)
                worker.comment(outcome.ticket.id, f"{worker.me} round {n}: own", stale_checked=False)
            first, second = hot[(int(number) + n) % len(hot)], hot[(int(number) + n + 1) % len(hot)]
            worker.comment(first, f"{worker.me} round {n}: form", stale_checked=True)
            worker.comment(second, f"{worker.me} round {n}: quick", stale_checked=False)
    print(
        json.dumps(
            {
                "registered": worker.registered,
                "comments": worker.comments,
                "events": worker.events,
                "conflicts": worker.conflicts,
                "gave_up": worker.gave_up,
                "errors": worker.errors,
            }
        )
    )


if __name__ == "__main__":
    main()
