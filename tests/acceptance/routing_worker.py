"""One of the processes of ``test_routing_concurrency``: registers ROUNDS
tickets that a round-robin rule routes, each wrapped in ``desk.retrying``,
and prints one JSON object: the tickets with their owners, the conflicts
retried and any error.

    python routing_worker.py URL CONFIG WORKER ROUNDS GO_FILE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from helpdesk_core.desk import Desk, Outcome
from helpdesk_core.errors import ConflictError

START_TIMEOUT = 120.0


def main() -> None:
    url, config, number, rounds, go_file = sys.argv[1:6]
    go = Path(go_file)
    owners: list[list[str | None]] = []
    errors: list[str] = []
    conflicts = 0
    with Desk.open(url, config=Path(config)) as desk:

        def register(n: int) -> Outcome:
            nonlocal conflicts
            try:
                return desk.register_ticket(subject=f"worker {number} round {n}", by="system", type="incident")
            except ConflictError:
                conflicts += 1
                raise

        Path(f"{go}.ready-{number}").touch()
        deadline = time.monotonic() + START_TIMEOUT
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        for n in range(int(rounds)):
            try:
                outcome = desk.retrying(lambda n=n: register(n), attempts=50)  # type: ignore[misc]
            except Exception as error:  # every failure is reported, not hidden
                errors.append(f"{type(error).__name__}: {error}")
                continue
            assignee = outcome.ticket.assignee
            owners.append([outcome.ticket.id, None if assignee is None else assignee.id])
    print(json.dumps({"owners": owners, "conflicts": conflicts, "errors": errors}))


if __name__ == "__main__":
    main()
