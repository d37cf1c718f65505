"""A ticket driven at random through both presets: moves by hand (allowed or not),
clock ticks that run the automatic transitions, and customer replies.

What must always hold: a disallowed move raises and changes nothing; only graph
edges or the policy's automatic moves appear in the history (a closed ticket
leaves Closed only by the policy's reopen); once due transitions ran, nothing
is left overdue and running them again changes nothing; the next wakeup is
never in the past; and replay accepts every history produced.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from helpdesk_core.errors import TransitionError
from helpdesk_core.model.ticket import SYSTEM, Comment, StatusChange, Ticket
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
    AutomationPolicy,
    FollowUp,
    StatusCategory,
    TransitionGraph,
    apply_due,
    check_history,
    due_transitions,
    next_wakeup,
    on_customer_reply,
    transition,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
MINUTES = st.integers(min_value=0, max_value=4 * 24 * 60).map(lambda m: timedelta(minutes=m))
DAY = timedelta(days=1)
_OFFSET = st.integers(min_value=-120, max_value=3 * 24 * 60)
UNTIL_WANTED = st.one_of(_OFFSET, _OFFSET, st.none())
UNTIL_UNWANTED = st.one_of(st.none(), st.none(), _OFFSET)


class WorkflowMachine(RuleBasedStateMachine):
    """Shared rules; subclasses name the preset, its edges written out, and policies."""

    GRAPH: TransitionGraph
    EDGES: dict[str, set[str]]
    POLICIES: tuple[AutomationPolicy, ...]

    ticket: Ticket
    now: datetime
    policy: AutomationPolicy

    @initialize(data=st.data())
    def start(self, data: st.DataObject) -> None:
        self.policy = data.draw(st.sampled_from(self.POLICIES), label="policy")
        self.now = START
        self.ticket = Ticket.register(id="T-1", subject="Printer on fire", created_at=START)

    # -- moves by hand -----------------------------------------------------------------

    @rule(data=st.data(), gap=MINUTES)
    def move(self, data: st.DataObject, gap: timedelta) -> None:
        self.now += gap
        anything = st.sampled_from((*self.GRAPH.ids, "nowhere"))
        edges = sorted(self.EDGES[self.ticket.status])
        # mostly edges of the graph, so that runs go somewhere; often anything at all
        likely = st.sampled_from(edges) if edges else anything
        target = data.draw(st.one_of(likely, likely, anything), label="target")
        needs_until = target in self.GRAPH.ids and self.GRAPH.status(target).requires_until
        # minutes from now; negative ones are refused as earlier than the move
        offset = data.draw(UNTIL_WANTED if needs_until else UNTIL_UNWANTED, label="until")
        until = None if offset is None else self.now + timedelta(minutes=offset)
        allowed = target in self.EDGES.get(self.ticket.status, set()) and (
            (until is not None and until >= self.now) if needs_until else until is None
        )
        before = self.ticket
        try:
            after = transition(before, target, at=self.now, by="E-1", until=until, graph=self.GRAPH)
        except TransitionError:
            assert not allowed, f"refused an allowed move {before.status} -> {target}"
            event("move refused")
            assert self.ticket == before
            return
        assert allowed, f"accepted a disallowed move {before.status} -> {target}"
        assert after.status == target and after.status_since == self.now
        event("move made")
        self.ticket = after

    @rule(gap=MINUTES)
    def employee_note(self, gap: timedelta) -> None:
        self.now += gap
        self.ticket = self.ticket.with_event(
            Comment(at=self.now, author="employee", public=False, body="note", by="E-1")
        )

    # -- the clock ---------------------------------------------------------------------

    @rule(gap=MINUTES)
    def tick(self, gap: timedelta) -> None:
        self.now += gap
        before = self.ticket
        after = apply_due(before, self.now, self.policy, self.GRAPH)
        assert apply_due(after, self.now, self.policy, self.GRAPH) == after
        new = after.events[len(before.events) :]
        assert after.events[: len(before.events)] == before.events
        state = before
        for change in new:
            # replies were handled on arrival, so a tick only runs the time rules,
            # each dated at its exact instant (or the last event, if later)
            assert isinstance(change, StatusChange) and change.by == SYSTEM
            status = self.GRAPH.status(state.status)
            if status.requires_until:
                assert state.until is not None
                instant, target = state.until, self.policy.return_to
            else:
                assert status.category is StatusCategory.RESOLVED
                assert self.policy.auto_close_after is not None
                instant = state.status_since + self.policy.auto_close_after
                target = self.GRAPH.in_category(StatusCategory.CLOSED)[0].id
            assert change.to == target
            assert change.at == max(instant, state.updated_at) <= self.now
            event(f"automatic move to {change.to}")
            state = state.with_event(change)
        status = self.GRAPH.status(after.status)
        if status.requires_until:
            assert after.until is not None and after.until > self.now, "left postponed"
        if status.category is StatusCategory.RESOLVED and self.policy.auto_close_after:
            assert after.status_since + self.policy.auto_close_after > self.now
        assert all(d.rule == "follow_up" for d in due_transitions([after], self.now, self.policy, self.GRAPH))
        wakeup = next_wakeup(after, self.policy, self.GRAPH)
        assert wakeup is None or wakeup > self.now
        self.ticket = after

    # -- the customer ------------------------------------------------------------------

    @rule(gap=MINUTES)
    def customer_reply(self, gap: timedelta) -> None:
        self.now += gap
        reply = Comment(at=self.now, author="contact", body="hello?", by="P-1")
        current = apply_due(self.ticket, self.now, self.policy, self.GRAPH)
        closed = self.GRAPH.category(current.status) is StatusCategory.CLOSED
        window = self.policy.reopen_window
        result = on_customer_reply(self.ticket, reply, self.policy, self.GRAPH)
        if isinstance(result, FollowUp):
            assert closed
            assert window is None or self.now - current.status_since > window
            assert result.ticket == "T-1" and result.comment == reply
            event("follow-up")
            return
        assert reply in result.events
        if closed:
            assert window is not None and self.now - current.status_since <= window
            assert result.status == self.policy.reopen_to
            event("closed ticket reopened")
        elif current.status in self.policy.reply_reopens:
            assert result.status == self.policy.reopen_to
            assert result.status_since == self.now
        else:
            assert result.status == current.status
        wakeup = next_wakeup(result, self.policy, self.GRAPH)
        assert wakeup is None or wakeup > self.now
        self.ticket = result

    # -- what always holds -------------------------------------------------------------

    @invariant()
    def history_replays(self) -> None:
        if hasattr(self, "ticket"):
            check_history(self.ticket, self.GRAPH, policy=self.policy)

    @invariant()
    def only_edges_or_automatic_moves(self) -> None:
        if not hasattr(self, "ticket"):
            return
        status, since = self.ticket.initial_status, self.ticket.created_at
        replied_at: datetime | None = None
        for recorded in self.ticket.events:
            if isinstance(recorded, Comment) and recorded.author == "contact" and replied_at is None:
                replied_at = recorded.at
            if not isinstance(recorded, StatusChange):
                continue
            change = recorded
            assert change.to in self.GRAPH.ids
            if self.GRAPH.category(status) is StatusCategory.CLOSED:
                # closed stays final except via the policy's reopen after a reply
                window = self.policy.reopen_window
                assert change.by == SYSTEM and change.to == self.policy.reopen_to
                assert window is not None and replied_at is not None
                assert replied_at - since <= window
            elif change.by != SYSTEM:
                assert change.to in self.EDGES[status]
            status, since, replied_at = change.to, change.at, None


class DefaultWorkflow(WorkflowMachine):
    GRAPH = DEFAULT_GRAPH
    EDGES = {  # noqa: RUF012
        "open": {"postponed", "in_progress", "resolved"},
        "in_progress": {"postponed", "resolved"},
        "postponed": {"open", "in_progress", "resolved"},
        "resolved": {"closed", "open"},
        "closed": set(),
    }
    POLICIES = (
        DEFAULT_POLICY,
        AutomationPolicy(
            auto_close_after=DAY, reopen_window=3 * DAY, reply_reopens={"postponed", "resolved"}
        ),
        AutomationPolicy(
            auto_close_after=timedelta(0),
            reopen_window=timedelta(0),
            return_to="in_progress",
            reply_reopens=(),
        ),
        AutomationPolicy(reply_reopens=(), return_to="resolved", auto_close_after=2 * DAY, reopen_window=DAY),
    )


class UseResponseWorkflow(WorkflowMachine):
    GRAPH = USERESPONSE_GRAPH
    EDGES = {  # noqa: RUF012
        "open": {"on_hold", "awaiting_reply", "closed"},
        "on_hold": {"open", "awaiting_reply", "closed"},
        "awaiting_reply": {"open", "on_hold", "closed"},
        "closed": set(),
    }
    POLICIES = (
        USERESPONSE_POLICY,
        AutomationPolicy(reopen_window=None, reply_reopens={"awaiting_reply", "on_hold"}),
        AutomationPolicy(reopen_window=timedelta(hours=12), reply_reopens=()),
    )


_SETTINGS = settings(
    max_examples=100,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDefaultWorkflow = DefaultWorkflow.TestCase
TestDefaultWorkflow.settings = _SETTINGS
TestUseResponseWorkflow = UseResponseWorkflow.TestCase
TestUseResponseWorkflow.settings = _SETTINGS
