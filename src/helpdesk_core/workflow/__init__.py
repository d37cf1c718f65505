"""The status workflow: statuses and their categories, the transition graph,
the checked move, history replay and the automatic transitions."""

from helpdesk_core.workflow.automatic import (
    AutomationPolicy,
    Due,
    FollowUp,
    Rule,
    apply_due,
    automatic_rule,
    due_transitions,
    next_wakeup,
    next_wakeup_all,
    on_customer_reply,
)
from helpdesk_core.workflow.graph import TransitionGraph
from helpdesk_core.workflow.presets import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
)
from helpdesk_core.workflow.replay import check_history, replay, transition
from helpdesk_core.workflow.statuses import Status, StatusCategory

__all__ = [
    "DEFAULT_GRAPH",
    "DEFAULT_POLICY",
    "USERESPONSE_GRAPH",
    "USERESPONSE_POLICY",
    "AutomationPolicy",
    "Due",
    "FollowUp",
    "Rule",
    "Status",
    "StatusCategory",
    "TransitionGraph",
    "apply_due",
    "automatic_rule",
    "check_history",
    "due_transitions",
    "next_wakeup",
    "next_wakeup_all",
    "on_customer_reply",
    "replay",
    "transition",
]
