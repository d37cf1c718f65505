"""Forget a contact with 70,000 tickets on SQLite: time and memory.

Each size is seeded into a fresh SQLite file, then forgotten in a child process
of its own, so that the peak resident memory reported (``ru_maxrss``, MB) is
the erasure's alone: plan-free ``forget_contact`` with its scrub (VACUUM) and
its proof (a scan of every text column). Memory is flat when the peak at 70,000
tickets is about the peak at a tenth of them.

The peer, in the same run, is the cheapest thing a forget must at least do:
stream every ticket once, read-only. The ratio says what erasing, scrubbing
and proving cost on top of reading.

    .venv/bin/python bench/forget.py                  # 70,000 and 7,000 tickets
    .venv/bin/python bench/forget.py --tickets 2000   # a quick look
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import Attachment, Comment, StatusChange, Ticket
from helpdesk_core.storage import SqliteStore

START = datetime(2024, 1, 1, 8, 0, tzinfo=UTC)
JANA = Contact(
    id="P-1",
    first_name="Jana",
    last_name="Nováková",
    company="C-1",
    email="jana@kavarna.example",
    phone="+420 601 123 456",
    external_id="crm-p-1",
)
OTHERS = 2_000
"""Tickets of other people beside hers, some mentioning a similar name."""


def _ticket(n: int, contact: str) -> Ticket:
    at = START + timedelta(minutes=7 * n)
    events = [
        Comment(
            at=at + timedelta(minutes=5),
            author="contact",
            by=contact,
            body=f"Dobrý den, Jana Nováková, 601 123 456 #{n}",
            headers={
                "From": "Jana Nováková <jana@kavarna.example>",
                "Message-ID": f"<{n}.jana@kavarna.example>",
            },
            attachments=[Attachment(name=f"scan-{n}.pdf", size=1000, sha256=f"{n:064x}")],
        ),
        StatusChange(at=at + timedelta(minutes=30), to="in_progress", by="E-1"),
        Comment(at=at + timedelta(minutes=40), author="employee", by="E-1", body="Calling Jan Novák back."),
        StatusChange(at=at + timedelta(hours=2), to="resolved", by="E-1"),
    ]
    return Ticket.register(
        id=f"T-{n:06d}",
        subject=f"Printer of Jana Nováková #{n}",
        created_at=at,
        contact=contact,
        company="C-1",
        description="jana@kavarna.example reports a jam",
        events=events,
    )


def seed(path: Path, tickets: int) -> None:
    store = SqliteStore(path)
    try:
        with store.unit_of_work() as uow:
            uow.contacts.add(JANA)
            uow.contacts.add(Contact(id="P-2", first_name="Jan", last_name="Novák", company="C-1"))
            for n in range(tickets + OTHERS):
                uow.tickets.add(_ticket(n, "P-1" if n < tickets else "P-2"))
            uow.commit()
    finally:
        store.close()


def child(path: Path, what: str) -> None:
    store = SqliteStore(path)
    started = time.perf_counter()
    if what == "peer":
        count = sum(1 for _ in store.tickets.iter_tickets())
        out: dict[str, object] = {"tickets": count}
    else:
        result = desk_privacy.forget_contact(store, "crm-p-1", by="bench", now=datetime.now(tz=UTC))
        out = {"places": result.summary.places, "proof": result.proof.describe(), "clean": result.proof.clean}
    out["seconds"] = time.perf_counter() - started
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.close()
    print(json.dumps(out))


def _run_child(path: Path, what: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", what, str(path)], capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, nargs="+", default=[7_000, 70_000])
    parser.add_argument("--child", nargs=2, metavar=("WHAT", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[1]), args.child[0])
        return
    with tempfile.TemporaryDirectory() as folder:
        for tickets in args.tickets:
            path = Path(folder) / f"forget-{tickets}.sqlite3"
            began = time.perf_counter()
            seed(path, tickets)
            seeded = time.perf_counter() - began
            size = path.stat().st_size / 1e6
            peer = _run_child(path, "peer")
            forget = _run_child(path, "forget")
            ratio = float(forget["seconds"]) / float(peer["seconds"])  # type: ignore[arg-type]
            print(
                f"{tickets:>7} tickets of hers (+{OTHERS} others), file {size:.0f} MB, "
                f"seeded in {seeded:.1f} s\n"
                f"   forget_contact: {forget['seconds']:.1f} s, peak RSS {forget['peak_rss_mb']:.0f} MB, "
                f"{forget['places']} places; {forget['proof']}\n"
                f"   peer (stream every ticket once, read-only): {peer['seconds']:.1f} s, "
                f"peak RSS {peer['peak_rss_mb']:.0f} MB\n"
                f"   forget / peer: {ratio:.1f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
