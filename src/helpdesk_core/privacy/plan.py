"""A plan of privacy work: every place that would change, counted per kind,
what legal holds keep unchanged, and how many possible mentions are left for
a person to review. Built from a stream of places, so a person
with 70,000 tickets needs memory for the counts only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

import attrs

from helpdesk_core.privacy.erasure import Place, PossibleMention
from helpdesk_core.privacy.holds import LegalHold


@attrs.frozen
class Held:
    """A record left unchanged because ``hold`` covers it; ``places`` is how
    many places of it would otherwise have changed."""

    record: str
    hold: LegalHold
    places: int


@attrs.frozen
class PlanSummary:
    """Counts of a plan: places per kind, records touched, the holds, and
    the possible mentions of the person's name outside the records linked to
    them (left unchanged)."""

    counts: Mapping[str, int]
    records: int
    held: tuple[Held, ...] = ()
    possible_mentions: int = 0

    @property
    def places(self) -> int:
        return sum(self.counts.values())

    def lines(self) -> list[str]:
        """The plan as people read it, one line per kind, then one per hold."""
        out = [f"{count:>8}  {kind}" for kind, count in sorted(self.counts.items())]
        out.append(f"{self.places:>8}  places in {self.records} record(s)")
        for held in self.held:
            out.append(f"kept by {held.hold.describe()}: {held.record} ({held.places} place(s))")
        if self.possible_mentions:
            out.append(
                f"{self.possible_mentions:>8}  possible mention(s) of their name in records not linked "
                "to them: left unchanged (--review lists them)"
            )
        return out


class PlanTally:
    """Counts places as they stream by; :meth:`summary` gives the result."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._records = 0
        self._last: str | None = None
        self._held: list[Held] = []
        self._mentions = 0

    def add(self, places: Iterable[Place]) -> None:
        """Count ``places``; the places of one record come one after another,
        so records are counted without remembering them."""
        for place in places:
            self._counts[place.kind] += 1
            if place.record != self._last:
                self._records += 1
                self._last = place.record

    def hold(self, record: str, holds: Iterable[LegalHold], places: int) -> None:
        for hold in holds:
            self._held.append(Held(record, hold, places))

    def mention(self, mention: PossibleMention) -> None:
        """Count a possible mention (left unchanged)."""
        self._mentions += 1

    def summary(self) -> PlanSummary:
        return PlanSummary(
            dict(sorted(self._counts.items())), self._records, tuple(self._held), self._mentions
        )


__all__ = ["Held", "PlanSummary", "PlanTally"]
