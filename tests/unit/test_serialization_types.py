"""Every field is checked for its JSON type at the edge, never coerced (issue 12, item 5).

A coerced value is a leak or a loss: ``"public": "false"`` read as true shows an
internal note to the customer; ``"mentions": "E-1"`` became ``("E", "-", "1")``;
a list subject became the text ``"['a', 'b']"``; 1.5 became 1; NaN was accepted
and then written as invalid JSON.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.parties import Company
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.serialization import (
    MAX_NESTING,
    json_from_line,
    structure,
    ticket_from_json,
    ticket_to_json_line,
)

AT = "2026-03-02T10:00:00+01:00"


def _ticket(**fields: Any) -> dict[str, Any]:
    return {"id": "T-1", "subject": "Boiler", "created_at": "2026-03-02T09:00:00+01:00", "events": [], **fields}


def _comment(**fields: Any) -> dict[str, Any]:
    return {"kind": "comment", "at": AT, "author": "employee", "body": "internal", **fields}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_ticket(events=[_comment(), _comment(), _comment(public="false")]),
         "ticket T-1: events[2].public: expected a boolean (true or false), got the text 'false'"),
        (_ticket(events=[_comment(mentions="E-1")]),
         "ticket T-1: events[0].mentions: expected a list of texts, got the text 'E-1'"),
        (_ticket(events=[_comment(mentions=["E-1", 7])]),
         "ticket T-1: events[0].mentions[1]: expected a text, got the number 7"),
        (_ticket(subject=["a", "b"]), "ticket T-1: subject: expected a text, got a list ['a', 'b']"),
        (_ticket(events=[_comment(attachments=[{"name": "a.pdf", "size": 1.5}])]),
         "ticket T-1: events[0].attachments[0].size: expected a whole number, got the number 1.5"),
        (_ticket(events=[_comment(attachments=[{"name": "a.pdf", "size": "12"}])]),
         "ticket T-1: events[0].attachments[0].size: expected a whole number, got the text '12'"),
        (_ticket(assignee={"id": "E-1", "group": "no"}),
         "ticket T-1: assignee.group: expected a boolean (true or false), got the text 'no'"),
        (_ticket(observer_employees="E-1"),
         "ticket T-1: observer_employees: expected a list of texts, got the text 'E-1'"),
        (_ticket(events=[{"kind": "status", "at": AT, "to": "in_progress", "by": 3}]),
         "ticket T-1: events[0].by: expected a text or null, got the number 3"),
        (_ticket(events=[{"kind": "assign", "at": AT, "to": "E-1", "group": 1}]),
         "ticket T-1: events[0].group: expected a boolean (true or false), got the number 1"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_with_its_path(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ticket_from_json(json.dumps(document))
    assert str(refused.value) == message


def test_the_right_types_still_read() -> None:
    ticket = ticket_from_json(json.dumps(_ticket(events=[_comment(public=False, mentions=["E-1"])])))
    comment = ticket.events[0]
    assert isinstance(comment, Comment) and comment.public is False and comment.mentions == ("E-1",)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinities_are_refused_where_json_is_read(number: str) -> None:
    line = json.dumps(_ticket()).replace('"events": []', f'"events": [], "attributes": {{"weight": {number}}}')
    with pytest.raises(ValidationError, match=r"not a JSON number|too large for a number"):
        ticket_from_json(line)


def test_a_ticket_holding_nan_is_never_written_as_invalid_json() -> None:
    ticket = Ticket(id="T-1", subject="s", created_at=ticket_from_json(_ticket()).created_at,
                    attributes={"weight": float("nan")})
    with pytest.raises(ValidationError, match="ticket T-1: cannot be written as JSON"):
        ticket_to_json_line(ticket)


def test_deep_nesting_and_lone_surrogates_are_refused_clearly() -> None:
    deep = "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1)
    with pytest.raises(ValidationError, match=f"nested deeper than {MAX_NESTING} levels"):
        json_from_line(deep)
    very_deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(ValidationError, match="nested deeper"):
        json_from_line(very_deep)
    with pytest.raises(ValidationError, match="lone surrogate"):
        json_from_line('{"subject": "a\\ud800b"}')
    assert json_from_line('{"subject": "\\ud83d\\ude00"}') == {"subject": "\U0001f600"}  # a pair is a character


def test_stored_classes_are_checked_through_the_same_converter() -> None:
    with pytest.raises(ValidationError, match=r"domains: expected a list of texts, got the text 'a\.cz'"):
        structure({"id": "C-1", "name": "Alpha", "domains": "a.cz"}, Company)
