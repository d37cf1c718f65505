"""The SLA engine: which rule applies to a ticket, when its reaction and
resolution are due on the rule's working calendar, whether they were met, and
why. Pure: a fold over the ticket's history up to an instant the caller gives.
See ``docs/sla.md`` for the semantics.
"""

from helpdesk_core.sla.clock import KnowsStatuses, SegmentKind, evaluate
from helpdesk_core.sla.durations import format_duration, parse_duration
from helpdesk_core.sla.explain import (
    DueMove,
    SkippedPeriod,
    SlaTimeline,
    TimelineSegment,
    explain,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.row import REPORT_COLUMNS, Clock, SlaRow, SlaState
from helpdesk_core.sla.selection import NO_CUSTOMER, CustomerFacts, Selection, Source
from helpdesk_core.sla.terms import AppliedRule, OnChange, SlaRule, SlaTerms

__all__ = [
    "NO_CUSTOMER",
    "REPORT_COLUMNS",
    "AppliedRule",
    "Clock",
    "CustomerFacts",
    "DueMove",
    "KnowsStatuses",
    "OnChange",
    "SegmentKind",
    "Selection",
    "SkippedPeriod",
    "SlaPolicy",
    "SlaRow",
    "SlaRule",
    "SlaState",
    "SlaTerms",
    "SlaTimeline",
    "Source",
    "TimelineSegment",
    "evaluate",
    "explain",
    "format_duration",
    "parse_duration",
]
