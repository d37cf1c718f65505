"""Ready-made workflows of the products this library learned from.

``DEFAULT_GRAPH`` is Okdesk's default graph with LIS's extra "In progress";
``USERESPONSE_GRAPH`` the four system statuses of UseResponse. Each comes with
an :class:`AutomationPolicy` that fits it. Category and flag choices are
explained in ``docs/workflow.md``.
"""

from __future__ import annotations

from datetime import timedelta

from helpdesk_core.workflow.automatic import AutomationPolicy
from helpdesk_core.workflow.graph import TransitionGraph
from helpdesk_core.workflow.statuses import Status, StatusCategory

DEFAULT_GRAPH = TransitionGraph.build(
    statuses=(
        # OPEN rather than NEW: a postponed ticket returns here and a reopened
        # one comes back here, so "nobody touched it yet" would be false.
        Status.define("open", StatusCategory.OPEN, "Open"),
        Status.define("in_progress", StatusCategory.OPEN, "In progress"),
        # Nothing to do until the until-time: the SLA clock and the workload rest.
        Status.define(
            "postponed",
            StatusCategory.WAITING,
            "Postponed",
            pauses_sla=True,
            requires_until=True,
            counts_toward_load=False,
        ),
        # The customer is told, so that they can confirm or reopen.
        Status.define(
            "resolved",
            StatusCategory.RESOLVED,
            "Resolved",
            counts_toward_load=False,
            notify_customer=True,
        ),
        Status.define("closed", StatusCategory.CLOSED, "Closed"),
    ),
    transitions={
        "open": ("postponed", "in_progress", "resolved"),
        "in_progress": ("postponed", "resolved"),
        "postponed": ("open", "in_progress", "resolved"),
        "resolved": ("closed", "open"),
        "closed": (),
    },
    initial="open",
    path="presets.DEFAULT_GRAPH",
)
"""Okdesk's default workflow with LIS's "In progress"; Closed is final."""

DEFAULT_POLICY = AutomationPolicy(
    auto_close_after=timedelta(days=2),
    reopen_window=None,
    reopen_to="open",
    return_to="open",
    reply_reopens=frozenset({"resolved"}),
)
"""For :data:`DEFAULT_GRAPH`: a resolved ticket closes after 2 days (48 h of
real time, as in the ticket-history example of docs/formats.md) unless the customer
replies, which reopens it; a postponed ticket returns to Open at its
until-time; Closed is final, so a reply to a closed ticket asks for a follow-up."""

USERESPONSE_GRAPH = TransitionGraph.build(
    statuses=(
        Status.define("open", StatusCategory.OPEN, "Open"),
        # Waiting for a third party: the SLA rests (UseResponse), the agent
        # still has to chase it, so it stays in the workload.
        Status.define("on_hold", StatusCategory.WAITING, "On hold", pauses_sla=True),
        # Waiting for the customer: UseResponse does not pause the SLA here;
        # the ball is in the customer's court, so no workload.
        Status.define(
            "awaiting_reply",
            StatusCategory.WAITING,
            "Awaiting reply",
            counts_toward_load=False,
            notify_customer=True,
        ),
        Status.define("closed", StatusCategory.CLOSED, "Closed", notify_customer=True),
    ),
    transitions={
        "open": ("on_hold", "awaiting_reply", "closed"),
        "on_hold": ("open", "awaiting_reply", "closed"),
        "awaiting_reply": ("open", "on_hold", "closed"),
        "closed": (),
    },
    initial="open",
    path="presets.USERESPONSE_GRAPH",
)
"""UseResponse's system statuses: every open status may go to every other and
to Closed; Closed is final by hand and reopens only by a customer's reply."""

USERESPONSE_POLICY = AutomationPolicy(
    auto_close_after=None,
    reopen_window=timedelta(days=7),
    reopen_to="open",
    return_to="open",
    reply_reopens=frozenset({"awaiting_reply"}),
)
"""For :data:`USERESPONSE_GRAPH`: a reply to *Awaiting reply* goes back to Open
(UseResponse's default automation); a reply within 7 days of closing reopens
(Pyrus' window), a later one asks for a follow-up ticket."""

__all__ = ["DEFAULT_GRAPH", "DEFAULT_POLICY", "USERESPONSE_GRAPH", "USERESPONSE_POLICY"]
