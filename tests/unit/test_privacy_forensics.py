"""ACCEPTANCE: after forgetting, the SQLite file and its -wal/-shm files hold
none of the person's identifiers — read as raw bytes, like ``strings`` would:
free pages, old WAL frames and slack space included."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import Comment
from helpdesk_core.privacy.erasure import Forgetting
from helpdesk_core.privacy.identifiers import PhoneNumber, contact_identifiers
from helpdesk_core.storage import SqliteStore
from helpdesk_core.storage.protocols import TextCell
from helpdesk_core.testing.contract import FORGET_AT, START, add_tickets, privacy_sample, sample_ticket


def _needles(store: SqliteStore) -> list[bytes]:
    jana = store.contacts.get("P-1").value
    identifiers = contact_identifiers(jana)
    phone = PhoneNumber.parse("+420 601 123 456")
    assert phone is not None
    values = [*identifiers.plain_values(), "Nováková", "Jana_Novakova_cv", *phone.variants()]
    return sorted({v.encode("utf-8").lower() for v in values if len(v) >= 6})


def _raw_hits(path: Path, needles: list[bytes]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if file.exists():
            raw = file.read_bytes().lower()
            hits = [n.decode() for n in needles if n in raw]
            if hits:
                found[file.name] = hits
    return found


def _seeded(path: Path) -> tuple[SqliteStore, list[bytes]]:
    store = SqliteStore(path)
    privacy_sample(store)
    add_tickets(
        store,
        [sample_ticket(f"T-{n:03d}", description=f"Jana Nováková called about {n}") for n in range(10, 200)],
    )
    return store, _needles(store)


def test_the_sqlite_file_and_its_wal_hold_no_identifier_after_forgetting(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    store, needles = _seeded(path)
    try:
        assert _raw_hits(path, needles), "the identifiers are in the files before"
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert result.proof.clean
        assert _raw_hits(path, needles) == {}, "while the store is open"
        assert store.tickets.count() == 193
    finally:
        store.close()
    assert _raw_hits(path, needles) == {}, "after it is closed"


def test_without_the_scrub_old_pages_still_give_the_person_away(tmp_path: Path) -> None:
    path = tmp_path / "desk.sqlite3"
    store, needles = _seeded(path)
    try:
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT, scrub=False)
        assert result.proof.clean, "the tables are clean either way"
        assert _raw_hits(path, needles) != {}, "but the WAL still holds the old frames"
        assert not result.proof.scrubbed and result.proof.scrub_pending == (result.record.id,)
        assert "physical scrub NOT complete" in result.proof.describe()
    finally:
        store.close()


def _peak_while_forgetting(path: Path, tickets: int) -> int:
    store = SqliteStore(path)
    try:
        privacy_sample(store)
        add_tickets(
            store,
            [sample_ticket(f"T-{n:04d}", description=f"Jana Nováková, call {n}") for n in range(10, 10 + tickets)],
        )
        tracemalloc.start()
        result = desk_privacy.forget_contact(
            store, "crm-p-1", by="dpo", now=FORGET_AT, batch_size=10, scrub=False
        )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert result.proof.clean
        return peak
    finally:
        store.close()


def test_memory_stays_flat_as_the_number_of_tickets_grows(tmp_path: Path) -> None:
    """The small version of bench/forget.py: four times the tickets, streamed in
    batches of 10, need about the same peak of Python memory (holding them all
    would need four times as much; the slack is the garbage collector's timing)."""
    small = _peak_while_forgetting(tmp_path / "small.sqlite3", 100)
    large = _peak_while_forgetting(tmp_path / "large.sqlite3", 400)
    assert large < small * 2, (small, large)


def test_a_held_tickets_event_rows_count_as_held_not_as_found(tmp_path: Path) -> None:
    """A hold on T-1 keeps its comments too, and the proof counts them with the
    hold, not as identifiers left behind."""
    store = SqliteStore(tmp_path / "desk.sqlite3")
    try:
        privacy_sample(store)
        desk_privacy.place_hold(
            store, scope="ticket", target="T-1", reason="court case 12/2026", by="dpo", now=FORGET_AT
        )
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert result.proof.clean, result.proof.findings
        assert result.proof.held >= 3, "the header and the two comments that name her"
    finally:
        store.close()


def test_the_proof_tells_linked_event_rows_by_their_key() -> None:
    jana = Contact(id="P-1", first_name="Jana", last_name="Nováková", company="C-1")
    forgetting = Forgetting(
        person_id="P-1",
        person_kind="contact",
        identifiers=contact_identifiers(jana),
        pseudonym="forgotten-0123456789",
        company="C-1",
        namesakes=[("contact", "P-9")],
    )
    by_namesake = Comment(at=START, author="contact", by="P-9", body="Jana Nováková")
    linked = desk_privacy.LinkedRecords()
    linked.add_ticket(forgetting, sample_ticket("T-1", events=[by_namesake]), linked=True)
    linked.add_ticket(forgetting, sample_ticket("T-2", events=[]), linked=True)
    cells = {
        "T-1 0": False,  # the memory store keys event rows by ticket and seq: the namesake's comment
        "T-2 0": True,
        "T-1": None,  # SQLite and PostgreSQL key them by ticket only: T-1's are not all alike
        "T-2": True,
    }
    for key, expected in cells.items():
        assert linked.covers(TextCell("ticket_events", key, "document", "")) is expected, key
    assert linked.covers(TextCell("tickets", "T-1", "header", "")) is True
