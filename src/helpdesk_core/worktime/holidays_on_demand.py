"""The ``holidays`` package's countries, each imported only when asked for.

``holidays`` finds a country lazily (``holidays.country_holidays("CZ")``
imports ``holidays.countries.czechia``), but importing any module of the
package ``holidays.countries`` first runs that package's ``__init__``, which
imports every one of its ≈250 country modules: 0.1–0.3 s of a command's
start, for a desk that keeps Czech and Slovak holidays.

:func:`countries_on_demand` registers ``holidays.countries`` before anyone
imports it, as the package it is (its own path, spec and file) whose
``__init__`` has not run yet. Importing one country module then imports that
module alone (and the ones it builds on), and the import system records it on
the package as usual. The first time anybody asks the package for a name it
does not hold yet (``from holidays.countries import Germany``,
``holidays.countries.__all__``), the package's own ``__init__`` runs, once,
and the name is answered from it: other users of ``holidays`` in the same
process see the package they know.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from typing import Any

PACKAGE = "holidays.countries"

_LOCK = threading.RLock()
_COMPLETE = "__helpdesk_complete__"
"""Set in the package's namespace once its own ``__init__`` has run (or runs)."""


class _CountriesOnDemand(types.ModuleType):
    """``holidays.countries`` before its ``__init__`` ran: a name it does not
    hold yet runs it, then is looked up again."""

    def __getattr__(self, name: str) -> Any:
        namespace = self.__dict__
        with _LOCK:
            if not namespace.get(_COMPLETE, False):
                namespace[_COMPLETE] = True  # first: what the __init__ itself asks does not loop
                spec = self.__spec__
                try:
                    assert spec is not None and spec.loader is not None
                    spec.loader.exec_module(self)
                except BaseException:
                    namespace[_COMPLETE] = False
                    raise
        try:
            return namespace[name]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None


def countries_on_demand() -> None:
    """Make importing one ``holidays`` country import that country alone (see
    the module's description). Does nothing once ``holidays.countries`` is
    imported, by anyone; safe to call from several threads."""
    with _LOCK:
        if PACKAGE in sys.modules:
            return
        spec = importlib.util.find_spec(PACKAGE)  # imports ``holidays``, not the package itself
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return  # not a package as expected: leave holidays to import it its own way
        package = importlib.util.module_from_spec(spec)
        package.__class__ = _CountriesOnDemand
        sys.modules[PACKAGE] = package
        setattr(sys.modules["holidays"], "countries", package)  # noqa: B010 — as the import system does
