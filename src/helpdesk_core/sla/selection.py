"""Which SLA rule applies to a ticket at one moment, and why.

Three sources, strongest first (AyMINE and Okdesk):

1. a rule chosen **by hand** on the ticket (an ``sla`` event with ``rule``);
2. the default SLA of the ticket's **customer group** (the first of the
   customer's groups, in the caller's priority order, that names one);
3. the first enabled matching rule of the **rules table**.

A name in 1 or 2 that the policy does not know is skipped (the reason says
so) rather than failing a batch report of millions of tickets because one
rule was renamed.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from helpdesk_core.model.checks import identifier, identifiers
from helpdesk_core.rules.conditions import (
    AttributeEquals,
    AttributeIn,
    FieldIn,
    FieldNotIn,
)
from helpdesk_core.rules.rule import Match
from helpdesk_core.rules.table import RuleTable
from helpdesk_core.sla.terms import AppliedRule, SlaTerms
from helpdesk_core.worktime import WorkingCalendar


def _groups(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _readonly(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class CustomerFacts:
    """What the SLA needs to know about the ticket's customer; the caller
    (storage, the desk) looks it up, the engine does no I/O.

    ``customer_groups`` in priority order (most important first);
    ``group_sla`` maps a group id to the SLA rule name that group carries
    (groups without one are simply absent).
    """

    client_category: str | None = attrs.field(default=None, validator=identifier)
    customer_groups: tuple[str, ...] = attrs.field(
        default=(), converter=_groups, validator=identifiers
    )
    group_sla: Mapping[str, str] = attrs.field(
        factory=dict, converter=_readonly, hash=False, eq=False
    )


NO_CUSTOMER = CustomerFacts()
"""A ticket without customer facts: no category, no groups."""


class Source(enum.StrEnum):
    """Where the rule in force came from."""

    MANUAL = "manual"
    CUSTOMER_GROUP = "customer_group"
    TABLE = "table"
    NONE = "none"


@attrs.frozen
class Selection:
    """The rule in force (None: no SLA), where it came from and why, in words."""

    applied: AppliedRule | None
    source: Source
    reason: str

    @property
    def name(self) -> str | None:
        return None if self.applied is None else self.applied.name


def ticket_facts(
    *,
    type: str | None,
    priority: str | None,
    status: str,
    channel: str | None,
    company: str | None,
    attributes: Mapping[str, Any],
    registered_at: datetime,
    customer: CustomerFacts,
) -> dict[str, object]:
    """The facts a ``when`` table tests (``docs/formats.md``), at one moment."""
    return {
        "type": type,
        "priority": priority,
        "status": status,
        "channel": channel,
        "company": company,
        "client_category": customer.client_category,
        "customer_group": customer.customer_groups,
        "attributes": attributes,
        "registered_at": registered_at,
    }


_CACHE_LIMIT = 4096


@attrs.define
class RuleSelector:
    """Selects rules for one policy, remembering table answers by the facts the
    table actually tests (a batch has few distinct type/priority/category
    combinations), and whole selections by those facts and the customer.
    Tables testing the registration time are not cached.

    The cache is a bounded plain dict: sharing a selector between threads can
    at worst compute an answer twice.
    """

    table: RuleTable[SlaTerms]
    calendars: Mapping[str, WorkingCalendar]
    rules: Mapping[str, AppliedRule]
    tested: frozenset[str] = attrs.field(init=False)
    """The facts some condition of the table tests (``attributes.NAME`` for an attribute)."""
    _fields: tuple[str, ...] | None = attrs.field(init=False)
    _attributes: tuple[str, ...] = attrs.field(init=False)
    _cache: dict[Hashable, Match[SlaTerms]] = attrs.field(init=False, factory=dict)
    _selections: dict[tuple[Hashable, int], tuple[CustomerFacts, Selection]] = attrs.field(
        init=False, factory=dict
    )
    """Whole selections without a rule chosen by hand, by the table's key and
    the customer facts (by identity: a report's directory hands out one object
    per company; the object is kept beside its id so a recycled id cannot match)."""
    _ticket_key: Callable[..., tuple[Any, ...]] | None = attrs.field(init=False)
    """The tested ticket fields out of :meth:`select_ticket`'s arguments, when
    the table tests nothing else of the ticket (no attribute, no registration
    time); None otherwise."""
    _by_ticket: dict[tuple[tuple[Any, ...], int], tuple[CustomerFacts, Selection]] = attrs.field(
        init=False, factory=dict
    )
    """:meth:`select_ticket`'s answers, by those fields and the customer facts' identity."""

    def __attrs_post_init__(self) -> None:
        fields: set[str] = set()
        attributes: set[str] = set()
        cacheable = True
        for rule in self.table.rules:
            for condition in rule.conditions:
                if isinstance(condition, FieldIn | FieldNotIn):
                    fields.add(condition.field)
                elif isinstance(condition, AttributeEquals | AttributeIn):
                    attributes.add(condition.name)
                else:
                    cacheable = False
                    fields.add("registered_at")
        self.tested = frozenset(fields | {f"attributes.{name}" for name in attributes})
        self._fields = tuple(sorted(fields)) if cacheable else None
        self._attributes = tuple(sorted(attributes))
        self._ticket_key = _ticket_key_of(fields) if cacheable and not attributes else None

    def _key(self, facts: Mapping[str, object]) -> Hashable | None:
        if self._fields is None:
            return None
        key = tuple(map(facts.get, self._fields))
        if self._attributes:
            attributes = facts.get("attributes")
            values = attributes if isinstance(attributes, Mapping) else {}
            key += tuple(
                tuple(value) if isinstance(value, list | set | frozenset) else value
                for value in map(values.get, self._attributes)
            )
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def table_match(self, facts: Mapping[str, object]) -> Match[SlaTerms]:
        """The table's first match for ``facts`` (cached when possible)."""
        key = self._key(facts)
        if key is not None:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        match = self.table.first_match(facts, calendars=self.calendars)
        if key is not None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = match
        return match

    def select(
        self,
        facts: Mapping[str, object],
        *,
        customer: CustomerFacts,
        manual: str | None = None,
        manual_note: str = "",
    ) -> Selection:
        """The rule in force for ``facts``; ``manual`` is a rule chosen by hand
        (``manual_note`` says by whom and when, for the reason)."""
        if manual is None:
            key = self._key(facts)
            if key is not None:
                entry = self._selections.get((key, id(customer)))
                if entry is not None and entry[0] is customer:
                    return entry[1]
                selection = self._select(facts, customer=customer, manual=None, manual_note="")
                if len(self._selections) >= _CACHE_LIMIT:
                    self._selections.clear()
                self._selections[key, id(customer)] = (customer, selection)
                return selection
        return self._select(facts, customer=customer, manual=manual, manual_note=manual_note)

    def select_ticket(
        self,
        type: str | None,
        priority: str | None,
        status: str,
        channel: str | None,
        company: str | None,
        attributes: Mapping[str, Any],
        registered_at: datetime,
        customer: CustomerFacts,
        manual: str | None = None,
        manual_note: str = "",
    ) -> Selection:
        """:meth:`select` for a ticket's facts given one by one, as the SLA
        clock knows them at each moment of a history. The facts mapping is
        built only when the answer is not known yet: a batch of a million
        tickets has a few hundred distinct answers."""
        ticket_key = self._ticket_key
        if manual is None and ticket_key is not None:
            key = (ticket_key(type, priority, status, channel, company), id(customer))
            entry = self._by_ticket.get(key)
            if entry is not None and entry[0] is customer:
                return entry[1]
        facts = ticket_facts(
            type=type, priority=priority, status=status, channel=channel, company=company,
            attributes=attributes, registered_at=registered_at, customer=customer,
        )
        selection = self.select(facts, customer=customer, manual=manual, manual_note=manual_note)
        if manual is None and ticket_key is not None:
            if len(self._by_ticket) >= _CACHE_LIMIT:
                self._by_ticket.clear()
            self._by_ticket[key] = (customer, selection)
        return selection

    def _select(
        self,
        facts: Mapping[str, object],
        *,
        customer: CustomerFacts,
        manual: str | None,
        manual_note: str,
    ) -> Selection:
        skipped: list[str] = []
        if manual is not None:
            applied = self.rules.get(manual)
            if applied is not None:
                return Selection(applied, Source.MANUAL, f"chosen by hand{manual_note}")
            skipped.append(f"the rule chosen by hand, {manual!r}, is not configured")
        for group in customer.customer_groups:
            name = customer.group_sla.get(group)
            if name is None:
                continue
            applied = self.rules.get(name)
            if applied is not None:
                reason = f"default SLA of customer group {group!r}"
                return Selection(applied, Source.CUSTOMER_GROUP, _with(reason, skipped))
            skipped.append(f"customer group {group!r} names {name!r}, which is not configured")
        match = self.table_match(facts)
        if match.rule is not None:
            applied = self.rules.get(match.rule.name)
            reason = f"first matching rule of the table, {match.rule.name!r}"
            return Selection(applied, Source.TABLE, _with(reason, skipped))
        if match.faults:
            fault = match.faults[0]
            reason = f"no SLA: rule {fault.rule!r} could not be evaluated: {fault.message}"
        else:
            reason = "no SLA: no enabled rule of the table matches"
        return Selection(None, Source.NONE, _with(reason, skipped))


_TICKET_FIELDS = ("type", "priority", "status", "channel", "company")
"""The facts :meth:`RuleSelector.select_ticket` takes one by one, in order
(the customer's facts come with the customer; the registration time and the
attributes are never part of its key)."""


def _ticket_key_of(tested: Iterable[str]) -> Callable[..., tuple[Any, ...]]:
    """A function of the :data:`_TICKET_FIELDS` returning those a table tests."""
    wanted = [name for name in _TICKET_FIELDS if name in set(tested)]
    source = f"def key({', '.join(_TICKET_FIELDS)}): return ({''.join(f'{name}, ' for name in wanted)})"
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    key: Callable[..., tuple[Any, ...]] = namespace["key"]
    return key


def _with(reason: str, skipped: list[str]) -> str:
    return reason if not skipped else f"{reason} ({'; '.join(skipped)})"


__all__ = ["NO_CUSTOMER", "CustomerFacts", "RuleSelector", "Selection", "Source", "ticket_facts"]
