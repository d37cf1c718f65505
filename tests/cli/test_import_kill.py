"""An import killed half-way through a large file (SIGKILL: no clean-up runs)
leaves the SQLite store holding all or nothing of that file, and importing
the same file again then succeeds with the counts of a first import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

CONTACTS = 20_000
"""Rows in the large file: enough that the import writes for a couple of seconds."""
SEEDED = 100
"""Contacts imported (and committed) before, with other last names: the large
file updates them."""
KILL_AT_WAL_BYTES = 3_500_000
"""The import is killed once its uncommitted pages have reached the -wal file
this far (about half of the file's rows: the whole file leaves ~7 MB)."""
HEADER = "external_id,first_name,last_name,email,phone\n"


def _contacts(path: Path, count: int, last_name: str) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER)
        for n in range(count):
            out.write(f"P-{n:06d},Jana,{last_name} {n},jana.{n}@firma{n % 97}.cz,+420 601 {n // 1000:03d} {n % 1000:03d}\n")
    return path


def _helpdesk(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "helpdesk_cli", "--db", str(db), *args]


def _snapshot(db: Path) -> list[tuple[str, int, str]]:
    """Every contact row as stored: id, version and document."""
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows: list[tuple[str, int, str]] = raw.execute(
            "SELECT id, version, document FROM contacts ORDER BY id"
        ).fetchall()
    return rows


def test_an_import_killed_half_way_leaves_all_or_nothing_and_the_file_imports_again(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    seed = _contacts(tmp_path / "seed.csv", SEEDED, "Nováková")
    done = subprocess.run(_helpdesk(db, "import", "contacts", str(seed)), capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    before = _snapshot(db)
    assert len(before) == SEEDED

    big = _contacts(tmp_path / "contacts.csv", CONTACTS, "Svobodová")
    importing = subprocess.Popen(
        _helpdesk(db, "import", "contacts", str(big)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wal = Path(f"{db}-wal")
    deadline = time.monotonic() + 60
    while not (wal.exists() and wal.stat().st_size >= KILL_AT_WAL_BYTES):
        assert importing.poll() is None, "the import ended before it was killed"
        assert time.monotonic() < deadline, "the import never started writing"
        time.sleep(0.005)
    os.kill(importing.pid, signal.SIGKILL)
    output, _ = importing.communicate(timeout=30)
    assert importing.returncode == -signal.SIGKILL
    assert "created" not in output

    after_kill = _snapshot(db)
    again = subprocess.run(_helpdesk(db, "import", "contacts", str(big)), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    if after_kill == before:
        expected = f"contacts.csv: {CONTACTS - SEEDED} created, {SEEDED} updated, 0 unchanged, 0 rejected"
    else:  # killed after its commit: then it holds the whole file
        expected = f"contacts.csv: 0 created, 0 updated, {CONTACTS} unchanged, 0 rejected"
        assert after_kill == _snapshot(db)
    assert again.stdout.strip().splitlines()[-1] == expected
    final = _snapshot(db)
    assert len(final) == CONTACTS
    assert {version for _, version, _ in final} == {1, 2}
    assert sum(1 for _, version, _ in final if version == 2) == SEEDED
    assert all("Svobodová" in document for _, _, document in final)
