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
"""

from __future__ import annotations

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
