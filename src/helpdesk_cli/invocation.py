"""How to run this very ``helpdesk`` again, as a person would type it.

Commands the CLI suggests (``helpdesk demo``'s "Try next") must run as
printed. After ``make demo`` the program is ``.venv/bin/helpdesk``, which is
not on the PATH, so a bare ``helpdesk …`` fails with *command not found*:
when the running program is not the ``helpdesk`` the PATH finds, it is named
by its path — relative to the current folder when it lies inside it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

PROGRAM = "helpdesk"


def shown_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` as a person would type it from ``cwd`` (default: the current
    folder): relative when inside it, else absolute; quoted for a POSIX shell."""
    folder = (cwd or Path.cwd()).resolve()
    absolute = path if path.is_absolute() else folder / path
    absolute = Path(os.path.normpath(absolute))
    try:
        text = str(absolute.relative_to(folder))
    except ValueError:
        text = str(absolute)
    return shlex.quote(text)


def invoked_as(
    argv0: str | None = None,
    *,
    which: Callable[[str], str | None] = shutil.which,
    cwd: Path | None = None,
) -> str:
    """The command that runs this program as it runs now: ``helpdesk`` when
    the PATH finds this one, else its path (``.venv/bin/helpdesk``), or
    ``PYTHON -m helpdesk_cli`` when run so. ``argv0`` defaults to
    ``sys.argv[0]``; ``which`` finds a program on the PATH."""
    script = Path(sys.argv[0] if argv0 is None else argv0)
    if script.name == "__main__.py":
        return f"{shown_path(Path(sys.executable), cwd)} -m helpdesk_cli"
    if script.stem != PROGRAM or script.parent == Path():
        # Run under another program (a test runner, an application embedding
        # the CLI), or by its bare name, which the shell found on the PATH.
        return PROGRAM
    found = which(PROGRAM)
    if found is not None and _same_file(Path(found), (cwd or Path.cwd()) / script):
        return PROGRAM
    return shown_path(script, cwd)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


__all__ = ["invoked_as", "shown_path"]
