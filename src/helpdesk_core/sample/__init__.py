"""A deterministic, realistic sample desk: customers, staff, contracts and
ticket histories, as pure functions of a seed (no I/O). ``helpdesk demo`` and
``helpdesk generate`` store them; tests and benchmarks use them directly."""

from datetime import datetime, timedelta, timezone

from helpdesk_core.sample.configuration import DEMO_CONFIGURATION
from helpdesk_core.sample.customers import GOLD, SLOVAK, SampleCustomers, sample_customers
from helpdesk_core.sample.histories import sample_ticket, sample_tickets

DEMO_END = datetime(2026, 4, 8, 12, 0, tzinfo=timezone(timedelta(hours=2)))
"""Where the sample histories end (Wednesday after Easter 2026, Prague summer
time): the demo reports as of this instant, so its numbers never change."""

__all__ = [
    "DEMO_CONFIGURATION",
    "DEMO_END",
    "GOLD",
    "SLOVAK",
    "SampleCustomers",
    "sample_customers",
    "sample_ticket",
    "sample_tickets",
]
