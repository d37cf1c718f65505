"""Reports computed from tickets: the SLA report rows and their summary."""

from helpdesk_core.reports.sla_report import SlaSummary, SlaTally, sla_rows

__all__ = ["SlaSummary", "SlaTally", "sla_rows"]
