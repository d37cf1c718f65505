"""Import a customer base from CSV: rows per second and peak memory.

A bundle of 20,000 companies, 100,000 contacts and 20,000 contracts with two
service periods each (180,000 rows) is generated as CSV — every e-mail and
phone number distinct, as in a real customer base — and imported with
``import_bundle`` into a fresh SQLite file and into a throw-away PostgreSQL
server started from the machine's binaries (as ``tests/contract`` does; it is
stopped when the bench ends, however it ends). Each import runs in a child
process of its own, so the peak resident memory reported (``ru_maxrss``, MB)
is the import's alone, interpreter included. The same bundle is then imported
a second time: the re-import finds every row unchanged and writes nothing.

The peer, in the same run and the same child set-up, is the least an import
must do: read the same CSV files with ``csv.reader`` and insert one JSON
document per row in one transaction (``executemany``), without any check.
The ratio says what checking, resolving and upserting cost on top of that.

Targets on SQLite (issue 4): at least 20,000 rows/s, peak RSS below 300 MB.

    .venv/bin/python bench/import.py                       # both backends, full size
    .venv/bin/python bench/import.py --backend sqlite      # SQLite only
    .venv/bin/python bench/import.py --scale 0.1           # a quick look
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

COMPANIES = 20_000
CONTACTS = 100_000
CONTRACTS = 20_000
PERIODS_PER_CONTRACT = 2
TARGET_ROWS_PER_SECOND = 20_000
TARGET_PEAK_MB = 300

_FIRST = ["Jana", "Petr", "Eva", "Tomáš", "Lucie", "Martin", "Zuzana", "Jiří", "Kateřina", "Łukasz"]
_LAST = ["Nováková", "Svoboda", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý", "Horák"]
_ASCII = str.maketrans("áčďéěíňóřšťúůýžłÁČĎÉĚÍŇÓŘŠŤÚŮÝŽŁ", "acdeeinorstuuyzlACDEEINORSTUUYZL")
_DAY0 = date(2024, 1, 1)


def generate(folder: Path, *, companies: int, contacts: int, contracts: int, periods: int) -> int:
    """Write the bundle's four CSV files into ``folder``; returns the rows written."""
    with (folder / "companies.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["external_id", "name", "category", "email", "phone", "domains"])
        for n in range(companies):
            writer.writerow(
                [f"CO-{n:06d}", f"Firma {n} s.r.o.", "client", f"info@firma{n}.example",
                 f"+420 2{n // 10_000:02d} {n // 100 % 100:03d} {n % 100:03d}", f"firma{n}.example"]
            )
    with (folder / "contacts.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["external_id", "company", "first_name", "last_name", "email", "phone", "mobile", "portal_access"]
        )
        for n in range(contacts):
            first, last = _FIRST[n % len(_FIRST)], _LAST[n // len(_FIRST) % len(_LAST)]
            company = n % companies
            mail = f"{first}.{last}.{n}@firma{company}.example".translate(_ASCII).lower()
            phone = f"+420 25{n // 100_000 % 10} {n // 1000 % 100:03d} {n % 1000:03d}" if n % 2 else ""
            mobile = f"73{n // 1_000_000 % 10} {n // 1000 % 1000:03d} {n % 1000:03d}" if n % 3 else ""
            access = "own_tickets" if n % 5 == 0 else ""
            writer.writerow([f"P-{n:07d}", f"CO-{company:06d}", first, last, mail, phone, mobile, access])
    with (folder / "contracts.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["external_id", "number", "companies", "start", "end"])
        for n in range(contracts):
            owners = f"CO-{n % companies:06d}" + (f";CO-{(n + 1) % companies:06d}" if n % 4 == 0 else "")
            writer.writerow([f"CT-{n:06d}", f"2024/{n:06d}", owners, _DAY0 + timedelta(days=n % 365), ""])
    with (folder / "service-periods.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["contract", "start", "end", "paid", "remind_on"])
        for n in range(contracts):
            start = _DAY0 + timedelta(days=n % 365)
            for year in range(periods):
                begins = start + timedelta(days=365 * year)
                ends = begins + timedelta(days=364)
                remind = ends - timedelta(days=30)
                writer.writerow([f"CT-{n:06d}", begins, ends, "yes" if year == 0 else "no", remind])
    return companies + contacts + contracts * (1 + periods)


# -- in the child process ------------------------------------------------------


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(url: str, folder: Path) -> dict[str, object]:
    from helpdesk_core.imports import import_bundle
    from helpdesk_core.storage import open_store

    store = open_store(url)
    started = time.perf_counter()
    try:
        report = import_bundle(folder, store=store, region="CZ")
    finally:
        seconds = time.perf_counter() - started
        store.close()
    rows = report.created + report.updated + report.unchanged + report.rejected
    return {
        "rows": rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
        "seconds": seconds,
    }


def child_peer(url: str, folder: Path) -> dict[str, object]:
    """csv.reader → json.dumps → executemany into one bare table, one transaction."""
    started = time.perf_counter()
    rows = 0

    def documents() -> Iterator[tuple[str, str]]:
        nonlocal rows
        for name in ("companies", "contacts", "contracts", "service-periods"):
            with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                for cells in reader:
                    rows += 1
                    yield f"{name}:{rows}", json.dumps(dict(zip(header, cells, strict=False)))

    if url.startswith("sqlite"):
        import sqlite3

        db = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE peer (id TEXT PRIMARY KEY, document TEXT NOT NULL)")
        db.execute("BEGIN IMMEDIATE")
        db.executemany("INSERT INTO peer VALUES (?, ?)", documents())
        db.execute("COMMIT")
        db.close()
    else:
        import psycopg

        with psycopg.connect(url) as conn:
            conn.execute("CREATE TABLE peer (id TEXT PRIMARY KEY, document TEXT NOT NULL)")
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO peer VALUES (%s, %s)", documents())
            conn.commit()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def child(what: str, url: str, folder: Path) -> None:
    out = child_peer(url, folder) if what == "peer" else child_import(url, folder)
    out["peak_rss_mb"] = _peak_mb()
    print(json.dumps(out))


def _run_child(what: str, url: str, folder: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", what, url, str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{what} into {url} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# -- a throw-away PostgreSQL server ---------------------------------------------


def _postgres_binaries() -> Path | None:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    candidates = [Path("/usr/lib/postgresql/15/bin"), *installed]
    return next((d for d in candidates if (d / "initdb").is_file() and (d / "pg_ctl").is_file()), None)


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a PostgreSQL server on a free loopback port in a temporary
    directory, stopped (and the directory removed) when the block ends."""
    binaries = _postgres_binaries()
    if binaries is None:
        raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin")
    root = Path(tempfile.mkdtemp(prefix="helpdesk-bench-pg-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data = root / "data"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = False
    try:
        subprocess.run(
            _as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]),
            capture_output=True, check=True,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
        started = True
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"),
                             "-w", "-t", "60", "-o", options, "start"]),
            capture_output=True, check=True,
        )
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(
                _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True, check=False,
            )
        shutil.rmtree(root, ignore_errors=True)


def _fresh_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


# -- the parent ----------------------------------------------------------------


def _line(label: str, result: dict[str, float]) -> str:
    rate = result["rows"] / result["seconds"]
    return (
        f"   {label:<34} {result['seconds']:6.1f} s  {rate:8,.0f} rows/s  "
        f"peak RSS {result['peak_rss_mb']:4.0f} MB"
    )


def measure(backend: str, url_for: dict[str, str], folder: Path, rows: int) -> None:
    first = _run_child("import", url_for["import"], folder)
    again = _run_child("import", url_for["import"], folder)
    peer = _run_child("peer", url_for["peer"], folder)
    assert first["rows"] == rows, f"{first['rows']} rows imported, {rows} written"
    assert again["created"] == again["updated"] == 0, "the re-import changed something"
    print(f"{backend}: {rows:,} rows (created {first['created']:,.0f})", flush=True)
    print(_line("import into an empty store", first))
    print(_line("re-import (every row unchanged)", again))
    print(_line("peer (csv → json → executemany)", peer))
    first_rate = first["rows"] / first["seconds"]
    print(f"   import / peer time: {first['seconds'] / peer['seconds']:.1f}x", flush=True)
    if backend == "SQLite":
        peak = max(first["peak_rss_mb"], again["peak_rss_mb"])
        ok = first_rate >= TARGET_ROWS_PER_SECOND and peak < TARGET_PEAK_MB
        print(
            f"   target ≥ {TARGET_ROWS_PER_SECOND:,} rows/s and < {TARGET_PEAK_MB} MB: "
            f"{'met' if ok else 'NOT met'}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply every count (0.1: a quick look).")
    parser.add_argument("--child", nargs=3, metavar=("WHAT", "URL", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    with tempfile.TemporaryDirectory(prefix="helpdesk-bench-import-") as tmp:
        folder = Path(tmp) / "bundle"
        folder.mkdir()
        rows = generate(
            folder,
            companies=max(1, int(COMPANIES * args.scale)),
            contacts=int(CONTACTS * args.scale),
            contracts=int(CONTRACTS * args.scale),
            periods=PERIODS_PER_CONTRACT,
        )
        if args.backend in ("sqlite", "both"):
            urls = {"import": f"sqlite:///{tmp}/import.sqlite3", "peer": f"sqlite:///{tmp}/peer.sqlite3"}
            measure("SQLite", urls, folder, rows)
        if args.backend in ("postgresql", "both"):
            with postgres_server() as server:
                urls = {
                    "import": _fresh_database(server, "bench_import"),
                    "peer": _fresh_database(server, "bench_peer"),
                }
                measure("PostgreSQL", urls, folder, rows)


if __name__ == "__main__":
    main()
