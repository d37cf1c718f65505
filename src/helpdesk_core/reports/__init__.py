"""Reports computed from tickets: the SLA report rows and their summaries
(per group), the what-if comparison of two policies and the operational
dashboard. Pure: tickets and customer lookups come from the caller."""

from helpdesk_core.reports.as_of import TicketAsOf, ticket_as_of
from helpdesk_core.reports.customers import CustomerDirectory, customer_directory, customer_facts
from helpdesk_core.reports.dashboard import Dashboard, DashboardTally, DayCount, dashboard, default_period
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
