"""An ``--output`` (or ``--chart``) file is there whole or not at all.

A command writes into a temporary file beside the one asked for and renames
it over that one only when every row is written; an error or Ctrl-C removes
the temporary file, so a cron job never picks up half a report, and an older
file of that name stays as it was. A path that is not a regular file (a pipe,
``/dev/stdout``) is written directly: it cannot be replaced.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_SUFFIX = ".part"
"""Marks a temporary file (before the asked-for file's own suffix, which
writers such as matplotlib read the format from): ``.sla.csv.k3j9.part.csv``."""


def _default_mode() -> int:
    """The permissions a plain ``open(path, "w")`` would give a new file."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def whole_output(path: Path) -> Iterator[Path]:
    """The path to write ``path``'s content to: a new file in the same folder,
    renamed to ``path`` when the block ends normally and removed when it
    raises (any exception, KeyboardInterrupt included). Keeps the permissions
    of a file it replaces; a new one gets those of a plain ``open``. A
    missing folder raises :class:`OSError` before anything is written."""
    if path.exists() and not path.is_file():
        yield path
        return
    partial: Path | None = None
    try:  # from the file's making on: a Ctrl-C right after it must not leave it behind
        descriptor, name = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=f"{PARTIAL_SUFFIX}{path.suffix}"
        )
        partial = Path(name)
        os.close(descriptor)
        mode = path.stat().st_mode & 0o7777 if path.exists() else _default_mode()
        os.chmod(partial, mode)
        yield partial
        os.replace(partial, path)
    except BaseException:
        if partial is not None:
            with contextlib.suppress(OSError):
                partial.unlink()
        raise


__all__ = ["PARTIAL_SUFFIX", "whole_output"]
