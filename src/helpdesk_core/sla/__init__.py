"""The SLA engine: which rule applies to a ticket, when its reaction and
resolution are due on the rule's working calendar, whether they were met, and
why. Pure: a fold over the ticket's history up to an instant the caller gives.
See ``docs/sla.md`` for the semantics.
"""

from helpdesk_core.sla.clock import KnowsStatuses, SegmentKind, evaluate
from helpdesk_core.sla.durations import format_duration, parse_duration
from helpdesk_core.sla.escalation import (
    EscalationLevel,
    EscalationPlan,
    OffsetFromDue,
    Recipient,
    RecipientKind,
    ShareOfTarget,
    Target,
)
from helpdesk_core.sla.explain import (
    DueMove,
    SkippedPeriod,
    SlaTimeline,
    TimelineSegment,
    explain,
)
from helpdesk_core.sla.notices import (
    GroupLike,
    GroupRoster,
    Notice,
    StaffDirectory,
    escalations_due,
    next_escalation,
    next_escalation_wakeup,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.projection import SlaProjection, project
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
    "EscalationLevel",
    "EscalationPlan",
    "GroupLike",
    "GroupRoster",
    "KnowsStatuses",
    "Notice",
    "OffsetFromDue",
    "OnChange",
    "Recipient",
    "RecipientKind",
    "SegmentKind",
    "Selection",
    "ShareOfTarget",
    "SkippedPeriod",
    "SlaPolicy",
    "SlaProjection",
    "SlaRow",
    "SlaRule",
    "SlaState",
    "SlaTerms",
    "SlaTimeline",
    "Source",
    "StaffDirectory",
    "Target",
    "TimelineSegment",
    "escalations_due",
    "evaluate",
    "explain",
    "format_duration",
    "next_escalation",
    "next_escalation_wakeup",
    "parse_duration",
    "project",
]
