"""The application service: load → decide → save.

The desk is the imperative shell around the pure domain. It owns the store,
the clock and the transactions; every CLI command is one call here, so a
Python caller can do anything the terminal can.

* :mod:`~helpdesk_core.desk.service` — :class:`Desk`, one method per everyday
  use case, each one transaction that also writes the out-box;
* :mod:`~helpdesk_core.desk.scheduler` — what falls due by itself;
* :mod:`~helpdesk_core.desk.actors` — who may do what;
* :mod:`~helpdesk_core.desk.clock` — the desk's clock (system or fixed);
* :mod:`~helpdesk_core.desk.ticket_import` — ticket-history imports;
* :mod:`~helpdesk_core.desk.staff` — deactivating employees;
* :mod:`~helpdesk_core.desk.privacy` — forgetting, exporting, retention;
* :mod:`~helpdesk_core.desk.filters` — checked report filters.

Each name below is imported on first use, so that ``helpdesk_core.desk.filters``
(a report's filter checks) does not load the importers, the privacy tools and
the desk service with it (``helpdesk sla report`` loads no phone-number or
e-mail parser).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from helpdesk_core.desk.clock import Clock, FixedClock, SystemClock
    from helpdesk_core.desk.outcome import Outcome, SlaStatus
    from helpdesk_core.desk.service import Desk, DeskOutbox
    from helpdesk_core.desk.staff import deactivate_employee, unclosed_tickets_of
    from helpdesk_core.desk.ticket_import import (
        HistoryImportSummary,
        ImportRefused,
        import_ticket_histories,
        read_ticket_histories,
    )

_EXPORTS = {
    "Clock": "clock",
    "FixedClock": "clock",
    "SystemClock": "clock",
    "Outcome": "outcome",
    "SlaStatus": "outcome",
    "Desk": "service",
    "DeskOutbox": "service",
    "deactivate_employee": "staff",
    "unclosed_tickets_of": "staff",
    "HistoryImportSummary": "ticket_import",
    "ImportRefused": "ticket_import",
    "import_ticket_histories": "ticket_import",
    "read_ticket_histories": "ticket_import",
}
"""Each public name and the module of the package defining it."""


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "Clock",
    "Desk",
    "DeskOutbox",
    "FixedClock",
    "HistoryImportSummary",
    "ImportRefused",
    "Outcome",
    "SlaStatus",
    "SystemClock",
    "deactivate_employee",
    "import_ticket_histories",
    "read_ticket_histories",
    "unclosed_tickets_of",
]
