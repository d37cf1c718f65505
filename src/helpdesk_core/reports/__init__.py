"""Reports computed from tickets: the SLA report rows and their summaries
(per group), the what-if comparison of two policies and the operational
dashboard. Pure: tickets and customer lookups come from the caller.

Each name below is imported on first use, so that a module reading one
piece (``reports.as_of`` for a stored SLA state, ``reports.customers`` for a
queue) does not load the batch report, the what-if and the dashboard with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_core.lazy_exports import lazy_exports

# ``dashboard`` names a module of the package and a function: imported now,
# so that the package's attribute is the function even after the module loads.
from helpdesk_core.reports.dashboard import dashboard as dashboard

if TYPE_CHECKING:
    from helpdesk_core.reports.as_of import TicketAsOf, ticket_as_of
    from helpdesk_core.reports.customers import CustomerDirectory, customer_directory, customer_facts
    from helpdesk_core.reports.dashboard import Dashboard, DashboardTally, DayCount, default_period
    from helpdesk_core.reports.sla_report import (
        EVERYTHING,
        NO_VALUE,
        CustomerLookup,
        GroupBy,
        GroupedTally,
        ReportFilter,
        ReportLine,
        SlaSummary,
        SlaTally,
        report_lines,
        sla_rows,
    )
    from helpdesk_core.reports.whatif import (
        WHATIF_COLUMNS,
        Comparison,
        Side,
        WhatIfSummary,
        WhatIfTally,
        compare,
    )

_EXPORTS = {
    "TicketAsOf": "as_of",
    "ticket_as_of": "as_of",
    "CustomerDirectory": "customers",
    "customer_directory": "customers",
    "customer_facts": "customers",
    "Dashboard": "dashboard",
    "DashboardTally": "dashboard",
    "DayCount": "dashboard",
    "default_period": "dashboard",
    "EVERYTHING": "sla_report",
    "NO_VALUE": "sla_report",
    "CustomerLookup": "sla_report",
    "GroupBy": "sla_report",
    "GroupedTally": "sla_report",
    "ReportFilter": "sla_report",
    "ReportLine": "sla_report",
    "SlaSummary": "sla_report",
    "SlaTally": "sla_report",
    "report_lines": "sla_report",
    "sla_rows": "sla_report",
    "WHATIF_COLUMNS": "whatif",
    "Comparison": "whatif",
    "Side": "whatif",
    "WhatIfSummary": "whatif",
    "WhatIfTally": "whatif",
    "compare": "whatif",
}
"""Each public name and the module of the package defining it."""


__getattr__ = lazy_exports(__name__, _EXPORTS)


__all__ = [
    "EVERYTHING",
    "NO_VALUE",
    "WHATIF_COLUMNS",
    "Comparison",
    "CustomerDirectory",
    "CustomerLookup",
    "Dashboard",
    "DashboardTally",
    "DayCount",
    "GroupBy",
    "GroupedTally",
    "ReportFilter",
    "ReportLine",
    "Side",
    "SlaSummary",
    "SlaTally",
    "TicketAsOf",
    "WhatIfSummary",
    "WhatIfTally",
    "compare",
    "customer_directory",
    "customer_facts",
    "dashboard",
    "default_period",
    "report_lines",
    "sla_rows",
    "ticket_as_of",
]
