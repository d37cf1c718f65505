"""The optional parts of helpdesk-core: each needs packages that a plain
``pip install helpdesk-core`` does not bring, named by an extra of the package.

========== ============================= =====================================
extra      packages                      what needs them
========== ============================= =====================================
postgresql ``psycopg[binary,pool]``      a ``postgresql://`` store
xlsx       ``openpyxl``                  ``--format xlsx`` (Excel workbooks)
charts     ``matplotlib``                ``report dashboard --chart``
intake     ``html-text`` (on ``lxml``)   HTML-only e-mail read as text (without
                                         it a simpler reader, and a defect says so)
all        all of the above
========== ============================= =====================================

A desk on SQLite (or in memory) needs none of them. What needs one calls
:func:`require_extra` first, which raises :class:`MissingExtra` naming the
``pip install`` to run, instead of an ``ImportError`` from deep inside.
"""

from __future__ import annotations

import importlib

from helpdesk_core.errors import MissingExtra

EXTRAS: dict[str, tuple[str, ...]] = {
    "postgresql": ("psycopg", "psycopg_pool"),
    "xlsx": ("openpyxl",),
    "charts": ("matplotlib",),
    "intake": ("html_text",),
}
"""Each extra and the modules it provides (as imported)."""


def install_command(extra: str) -> str:
    """The command that installs ``extra``."""
    return f"pip install 'helpdesk-core[{extra}]'"


def require_extra(extra: str, purpose: str) -> None:
    """Import the modules of ``extra``, or raise :class:`MissingExtra` saying
    that ``purpose`` (``"--format xlsx"``, ``"a PostgreSQL store"``) needs
    them and how to install them."""
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError as error:
            missing = isinstance(error, ModuleNotFoundError) and error.name == module
            state = "which is not installed" if missing else f"which cannot be imported ({error})"
            raise MissingExtra(
                f"{purpose} needs {module}, {state}: {install_command(extra)}", extra=extra, module=module
            ) from error


__all__ = ["EXTRAS", "install_command", "require_extra"]
