"""The transition graph: the presets edge by edge, messages, and config validation."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk_core.errors import ConfigError, TransitionError, ValidationError
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    USERESPONSE_GRAPH,
    Status,
    StatusCategory,
    TransitionGraph,
)

DEFAULT_EDGES = {
    ("open", "postponed"),
    ("open", "in_progress"),
    ("open", "resolved"),
    ("in_progress", "postponed"),
    ("in_progress", "resolved"),
    ("postponed", "open"),
    ("postponed", "in_progress"),
    ("postponed", "resolved"),
    ("resolved", "closed"),
    ("resolved", "open"),
}
USERESPONSE_EDGES = {
    ("open", "on_hold"),
    ("open", "awaiting_reply"),
    ("open", "closed"),
    ("on_hold", "open"),
    ("on_hold", "awaiting_reply"),
    ("on_hold", "closed"),
    ("awaiting_reply", "open"),
    ("awaiting_reply", "on_hold"),
    ("awaiting_reply", "closed"),
}


def _pairs(graph: TransitionGraph) -> list[tuple[str, str]]:
    return [(a, b) for a in graph.ids for b in graph.ids]


@pytest.mark.parametrize(("source", "target"), _pairs(DEFAULT_GRAPH))
def test_default_graph_allows_exactly_the_okdesk_lis_edges(source: str, target: str) -> None:
    expected = (source, target) in DEFAULT_EDGES
    assert DEFAULT_GRAPH.allows(source, target) is expected
    if expected:
        DEFAULT_GRAPH.check("T-1", source, target)
    else:
        with pytest.raises(TransitionError):
            DEFAULT_GRAPH.check("T-1", source, target)


@pytest.mark.parametrize(("source", "target"), _pairs(USERESPONSE_GRAPH))
def test_useresponse_graph_allows_exactly_its_edges(source: str, target: str) -> None:
    expected = (source, target) in USERESPONSE_EDGES
    assert USERESPONSE_GRAPH.allows(source, target) is expected


def test_default_graph_shape() -> None:
    assert DEFAULT_GRAPH.ids == ("open", "in_progress", "postponed", "resolved", "closed")
    assert DEFAULT_GRAPH.initial == "open"
    assert DEFAULT_GRAPH.targets("closed") == frozenset()
    postponed = DEFAULT_GRAPH.status("postponed")
    assert postponed.requires_until and postponed.pauses_sla
    assert DEFAULT_GRAPH.category("resolved") is StatusCategory.RESOLVED
    assert [s.id for s in DEFAULT_GRAPH.in_category(StatusCategory.CLOSED)] == ["closed"]
    assert not DEFAULT_GRAPH.status("closed").counts_toward_load


def test_useresponse_on_hold_pauses_sla_but_awaiting_reply_does_not() -> None:
    assert USERESPONSE_GRAPH.status("on_hold").pauses_sla
    assert not USERESPONSE_GRAPH.status("awaiting_reply").pauses_sla
    assert USERESPONSE_GRAPH.category("awaiting_reply") is StatusCategory.WAITING


def test_refusal_message_names_ticket_statuses_and_allowed_targets() -> None:
    with pytest.raises(TransitionError) as caught:
        DEFAULT_GRAPH.check("T-1", "closed", "in_progress")
    assert str(caught.value) == (
        "ticket T-1: cannot move from 'closed' to 'in_progress' (allowed from 'closed': none)"
    )
    with pytest.raises(TransitionError) as caught:
        DEFAULT_GRAPH.check("T-2", "in_progress", "open")
    assert str(caught.value) == (
        "ticket T-2: cannot move from 'in_progress' to 'open' "
        "(allowed from 'in_progress': postponed, resolved)"
    )


def test_move_to_unknown_status_is_a_transition_error_listing_known_ones() -> None:
    with pytest.raises(TransitionError) as caught:
        DEFAULT_GRAPH.check("T-1", "open", "opne")
    assert str(caught.value) == (
        "ticket T-1: cannot move to unknown status 'opne' "
        "(known: open, in_progress, postponed, resolved, closed)"
    )


def test_unknown_status_lookup() -> None:
    with pytest.raises(ValidationError) as caught:
        DEFAULT_GRAPH.status("x")
    assert str(caught.value) == ("unknown status 'x' (known: open, in_progress, postponed, resolved, closed)")
    assert not DEFAULT_GRAPH.allows("x", "open")
    with pytest.raises(ValidationError):
        DEFAULT_GRAPH.targets("x")


# -- configuration ---------------------------------------------------------------------

STATUSES: list[dict[str, Any]] = [
    {"id": "open", "category": "open"},
    {"id": "postponed", "category": "waiting", "requires_until": True, "pauses_sla": True},
    {"id": "closed", "category": "closed"},
]
MOVES = {"open": ["postponed", "closed"], "postponed": ["open"]}


def _build(
    statuses: list[dict[str, Any]] | None = None,
    transitions: dict[str, Any] | None = None,
    initial: str = "open",
) -> TransitionGraph:
    return TransitionGraph.build(
        STATUSES if statuses is None else statuses,
        MOVES if transitions is None else transitions,
        initial,
        path="workflow",
    )


def test_build_from_configuration_tables() -> None:
    graph = _build()
    assert graph.ids == ("open", "postponed", "closed")
    assert graph.status("postponed").requires_until
    assert graph.status("postponed").name == "Postponed"
    assert graph.targets("closed") == frozenset()
    assert graph == _build()


@pytest.mark.parametrize(
    ("statuses", "transitions", "initial", "message"),
    [
        (
            None,
            {**MOVES, "postponed": ["opne"]},
            "open",
            "workflow.transitions.postponed: unknown status 'opne' (known: open, postponed, closed)",
        ),
        (
            None,
            {**MOVES, "pending": ["open"]},
            "open",
            "workflow.transitions.pending: unknown status 'pending' (known: open, postponed, closed)",
        ),
        (
            [*STATUSES, {"id": "spam"}],
            None,
            "open",
            "workflow.statuses[3]: status 'spam' needs a 'category' "
            "(one of: new, open, waiting, resolved, closed)",
        ),
        (
            [*STATUSES, {"id": "spam", "category": "junk"}],
            None,
            "open",
            "workflow.statuses[3]: status category 'junk' is not one of: "
            "new, open, waiting, resolved, closed",
        ),
        (
            [*STATUSES, {"id": "spam", "category": "closed", "pause_sla": True}],
            None,
            "open",
            "workflow.statuses[3].pause_sla: unknown key (expected one of: id, category, "
            "name, pauses_sla, counts_toward_load, requires_until, notify_customer)",
        ),
        (
            [*STATUSES, {"id": "spam", "category": "closed", "pauses_sla": "yes"}],
            None,
            "open",
            "workflow.statuses[3].pauses_sla: expected true or false, got 'yes'",
        ),
        (
            [*STATUSES, {"category": "closed"}],
            None,
            "open",
            "workflow.statuses[3]: a status needs an 'id'",
        ),
        (
            [*STATUSES, {"id": "open", "category": "new"}],
            None,
            "open",
            "workflow.statuses[3]: duplicate status id 'open' (first at statuses[0])",
        ),
        (
            [*STATUSES, {"id": "archived", "category": "closed"}],
            None,
            "open",
            "workflow.statuses[3]: status 'archived' cannot be reached from the initial status 'open'",
        ),
        (
            [*STATUSES, {"id": "limbo", "category": "waiting"}],
            {**MOVES, "open": ["postponed", "closed", "limbo"]},
            "open",
            "workflow.transitions.limbo: no closed-category status can be reached "
            "from 'limbo' (closed: closed)",
        ),
        (
            [{"id": "open", "category": "open"}, {"id": "done", "category": "resolved"}],
            {"open": ["done"], "done": ["open"]},
            "open",
            "workflow.statuses: no status of category 'closed'; every ticket must be able to end",
        ),
        (
            None,
            {**MOVES, "postponed": ["open", "postponed"]},
            "open",
            "workflow.transitions.postponed: 'postponed' lists itself; staying in a status is not a move",
        ),
        (
            None,
            None,
            "new",
            "workflow.initial: unknown status 'new' (known: open, postponed, closed)",
        ),
        (
            None,
            {**MOVES, "closed": ["open"]},
            "closed",
            "workflow.initial: 'closed' is a closed-category status; a ticket cannot start closed",
        ),
        (
            None,
            None,
            "postponed",
            "workflow.initial: 'postponed' needs an until-time, so a new ticket cannot start there",
        ),
        (
            None,
            {**MOVES, "open": "closed"},
            "open",
            "workflow.transitions.open: expected a list of status ids, got 'closed'",
        ),
        (
            [*STATUSES, {"id": "gone", "category": "closed", "counts_toward_load": True}],
            None,
            "open",
            "workflow.statuses[3]: status 'gone': a closed-category status never counts toward load",
        ),
    ],
)
def test_invalid_configuration_is_refused_with_the_place_and_value(
    statuses: list[dict[str, Any]] | None,
    transitions: dict[str, Any] | None,
    initial: str,
    message: str,
) -> None:
    with pytest.raises(ConfigError) as caught:
        _build(statuses, transitions, initial)
    assert str(caught.value) == message


def test_path_prefix_names_the_place_in_the_file() -> None:
    with pytest.raises(ConfigError, match=r"^desk\.workflow\.transitions\.postponed: "):
        TransitionGraph.build(STATUSES, {**MOVES, "postponed": ["opne"]}, "open", path="desk.workflow")


def test_closed_status_may_have_outgoing_moves_when_configured() -> None:
    graph = _build(transitions={**MOVES, "closed": ["open"]})
    assert graph.allows("closed", "open")


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ConfigError, match="unknown status 'nowhere'"):
        TransitionGraph(
            (Status.define("open", "open"), Status.define("closed", "closed")),
            {"open": frozenset({"nowhere"})},
            "open",
        )


def test_transitions_cannot_be_mutated_after_building() -> None:
    graph = _build()
    with pytest.raises(TypeError):
        graph.transitions["closed"] = frozenset({"open"})  # type: ignore[index]
