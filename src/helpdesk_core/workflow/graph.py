"""Which status may follow which: the transition graph, a value an admin configures.

The graph is data, not an ``if`` ladder, so it can be printed, linted, diffed and
explained. :meth:`TransitionGraph.build` checks a configured graph once, on load,
and names the place of every mistake; afterwards a move is a set lookup.

A move made *by hand* (an agent, a macro, an automation rule acting for a
person) must be an edge of the graph. Moves the service desk makes *by itself*
— the return of a postponed ticket, the auto-close of a resolved one, the
reopen of a closed ticket by a customer's reply — are decided by
:class:`helpdesk_core.workflow.automatic.AutomationPolicy`, which may reopen a
closed ticket even though the graph has no edge out of a closed status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from helpdesk_core.errors import ConfigError, TransitionError, ValidationError
from helpdesk_core.workflow.statuses import Status, StatusCategory

_STATUS_KEYS = (
    "id",
    "category",
    "name",
    "pauses_sla",
    "counts_toward_load",
    "requires_until",
    "notify_customer",
)
_FLAGS = ("pauses_sla", "counts_toward_load", "requires_until", "notify_customer")
_CATEGORIES = ", ".join(c.value for c in StatusCategory)


def _readonly(transitions: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({key: frozenset(targets) for key, targets in transitions.items()})


def _status_tuple(statuses: Iterable[Status]) -> tuple[Status, ...]:
    return tuple(statuses)


@attrs.frozen
class TransitionGraph:
    """The statuses of a workflow and the moves allowed between them.

    ``transitions`` maps a status id to the ids a ticket may move to from
    there; a status that is not a key (or maps to an empty set) is final.
    ``initial`` is where every new ticket starts. Construction checks the same
    rules as :meth:`build`; use :meth:`build` to get error messages that name
    the place in the configuration file.
    """

    statuses: tuple[Status, ...] = attrs.field(converter=_status_tuple)
    transitions: Mapping[str, frozenset[str]] = attrs.field(converter=_readonly, hash=False)
    initial: str

    def __attrs_post_init__(self) -> None:
        _validate(self.statuses, self.transitions, self.initial, "workflow")

    # -- building from configuration ------------------------------------------------

    @classmethod
    def build(
        cls,
        statuses: Iterable[Status | Mapping[str, Any]],
        transitions: Mapping[str, Iterable[str]],
        initial: str,
        *,
        path: str = "workflow",
    ) -> TransitionGraph:
        """A checked graph from configuration data.

        ``statuses`` are :class:`Status` values or mappings with the keys
        ``id``, ``category`` (both required), ``name`` and the boolean flags
        ``pauses_sla``, ``counts_toward_load``, ``requires_until`` and
        ``notify_customer``. ``path`` is the place of the workflow in the
        configuration, prefixed to every error, e.g.
        ``"workflow.transitions.postponed: unknown status 'opne' (known: …)"``.

        Raises :class:`ConfigError` for: a malformed status, a duplicate status
        id, an unknown initial status (or one that is closed or needs an
        until-time), a transition naming an unknown status, a status listing
        itself, no closed-category status at all, a status that cannot be
        reached from the initial one, and a status from which no
        closed-category status can be reached.
        """
        parsed = tuple(_parse_status(s, f"{path}.statuses[{i}]") for i, s in enumerate(statuses))
        if not isinstance(transitions, Mapping):
            raise ConfigError(
                f"{path}.transitions: expected a table of status id -> list of status ids, "
                f"got {transitions!r}"
            )
        moves: dict[str, frozenset[str]] = {s.id: frozenset() for s in parsed}
        for source, targets in transitions.items():
            if isinstance(targets, str) or not isinstance(targets, Iterable):
                raise ConfigError(
                    f"{path}.transitions.{source}: expected a list of status ids, got {targets!r}"
                )
            moves[source] = frozenset(targets)
        _validate(parsed, moves, initial, path)
        return cls(parsed, moves, initial)

    # -- queries ------------------------------------------------------------------------

    @property
    def ids(self) -> tuple[str, ...]:
        """Every status id, in the configured order."""
        return tuple(s.id for s in self.statuses)

    def status(self, id: str) -> Status:
        """The status called ``id``; an unknown id raises :class:`ValidationError`."""
        for status in self.statuses:
            if status.id == id:
                return status
        raise ValidationError(_unknown(id, self.ids))

    def knows(self, id: str) -> bool:
        """Whether ``id`` is a status of this workflow."""
        return any(s.id == id for s in self.statuses)

    def category(self, id: str) -> StatusCategory:
        """The category of status ``id``."""
        return self.status(id).category

    def in_category(self, category: StatusCategory) -> tuple[Status, ...]:
        """The statuses of one category, in the configured order."""
        return tuple(s for s in self.statuses if s.category is category)

    def targets(self, id: str) -> frozenset[str]:
        """Where a ticket in status ``id`` may be moved by hand."""
        self.status(id)
        return self.transitions.get(id, frozenset())

    def allows(self, source: str, target: str) -> bool:
        """Whether a move from ``source`` to ``target`` is an edge of the graph.

        Unknown ids are simply not allowed (no error): use :meth:`check` to
        learn why.
        """
        return target in self.transitions.get(source, frozenset())

    def check(self, ticket_id: str, source: str, target: str) -> None:
        """Raise :class:`TransitionError` unless ``source`` → ``target`` is allowed.

        The message names the ticket, both statuses and what is allowed, e.g.
        ``"ticket T-1: cannot move from 'closed' to 'in_progress' (allowed from
        'closed': none)"``.
        """
        if not self.knows(source):
            raise TransitionError(f"ticket {ticket_id}: is in {_unknown(source, self.ids)}")
        if not self.knows(target):
            raise TransitionError(f"ticket {ticket_id}: cannot move to {_unknown(target, self.ids)}")
        if not self.allows(source, target):
            raise TransitionError(f"ticket {ticket_id}: {self.refusal(source, target)}")

    def refusal(self, source: str, target: str) -> str:
        """Why ``source`` → ``target`` is refused, without the ticket: the shared
        wording of :meth:`check` and of replayed histories."""
        return (
            f"cannot move from {source!r} to {target!r} "
            f"(allowed from {source!r}: {self.allowed_text(source)})"
        )

    def allowed_text(self, source: str) -> str:
        """The targets of ``source`` as ``"a, b"`` in configured order, or ``"none"``."""
        allowed = self.transitions.get(source, frozenset())
        names = [s.id for s in self.statuses if s.id in allowed]
        return ", ".join(names) if names else "none"


# -- validation -------------------------------------------------------------------------


def _unknown(id: object, known: Iterable[str]) -> str:
    return f"unknown status {id!r} (known: {', '.join(known)})"


def _parse_status(raw: Status | Mapping[str, Any], place: str) -> Status:
    if isinstance(raw, Status):
        return raw
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{place}: expected a table with 'id' and 'category', got {raw!r}")
    for key in raw:
        if key not in _STATUS_KEYS:
            raise ConfigError(f"{place}.{key}: unknown key (expected one of: {', '.join(_STATUS_KEYS)})")
    if "id" not in raw:
        raise ConfigError(f"{place}: a status needs an 'id'")
    status_id = raw["id"]
    if "category" not in raw:
        raise ConfigError(f"{place}: status {status_id!r} needs a 'category' (one of: {_CATEGORIES})")
    for flag in _FLAGS:
        if flag in raw and not isinstance(raw[flag], bool):
            raise ConfigError(f"{place}.{flag}: expected true or false, got {raw[flag]!r}")
    flags: dict[str, bool] = {flag: raw[flag] for flag in _FLAGS if flag in raw}
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"{place}.name: expected a text, got {name!r}")
    if not isinstance(status_id, str):
        raise ConfigError(f"{place}.id: expected a text, got {status_id!r}")
    try:
        return Status.define(status_id, raw["category"], name, **flags)
    except ValidationError as error:
        raise ConfigError(f"{place}: {error}") from None


def _validate(
    statuses: tuple[Status, ...],
    transitions: Mapping[str, frozenset[str]],
    initial: str,
    path: str,
) -> None:
    first_at: dict[str, int] = {}
    for index, status in enumerate(statuses):
        if not isinstance(status, Status):
            raise ConfigError(f"{path}.statuses[{index}]: expected a Status, got {status!r}")
        if status.id in first_at:
            raise ConfigError(
                f"{path}.statuses[{index}]: duplicate status id {status.id!r} "
                f"(first at statuses[{first_at[status.id]}])"
            )
        first_at[status.id] = index
    known = tuple(first_at)
    by_id = {s.id: s for s in statuses}

    if initial not in by_id:
        raise ConfigError(f"{path}.initial: {_unknown(initial, known)}")
    if by_id[initial].category is StatusCategory.CLOSED:
        raise ConfigError(
            f"{path}.initial: {initial!r} is a closed-category status; a ticket cannot start closed"
        )
    if by_id[initial].requires_until:
        raise ConfigError(
            f"{path}.initial: {initial!r} needs an until-time, so a new ticket cannot start there"
        )

    for source, targets in transitions.items():
        if source not in by_id:
            raise ConfigError(f"{path}.transitions.{source}: {_unknown(source, known)}")
        for target in sorted(targets, key=str):
            if target not in by_id:
                raise ConfigError(f"{path}.transitions.{source}: {_unknown(target, known)}")
        if source in targets:
            raise ConfigError(
                f"{path}.transitions.{source}: {source!r} lists itself; staying in a status is not a move"
            )

    closed = {s.id for s in statuses if s.category is StatusCategory.CLOSED}
    if not closed:
        raise ConfigError(
            f"{path}.statuses: no status of category 'closed'; every ticket must be able to end"
        )

    reachable = _reachable_from({initial}, transitions)
    for index, status in enumerate(statuses):
        if status.id not in reachable:
            raise ConfigError(
                f"{path}.statuses[{index}]: status {status.id!r} cannot be reached "
                f"from the initial status {initial!r}"
            )

    reversed_moves: dict[str, set[str]] = {}
    for source, targets in transitions.items():
        for target in targets:
            reversed_moves.setdefault(target, set()).add(source)
    can_close = _reachable_from(closed, {k: frozenset(v) for k, v in reversed_moves.items()})
    for status in statuses:
        if status.id not in can_close:
            raise ConfigError(
                f"{path}.transitions.{status.id}: no closed-category status can be reached "
                f"from {status.id!r} (closed: {', '.join(s for s in known if s in closed)})"
            )


def _reachable_from(start: set[str], moves: Mapping[str, frozenset[str]]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for target in moves.get(todo.pop(), frozenset()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


__all__ = ["TransitionGraph"]
