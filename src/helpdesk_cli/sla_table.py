"""The SLA report and other rows as tables a person reads in a terminal.

The SLA report reads ticket, state, reaction, resolution, then rule, paused
minutes and calendar as the width allows. Reaction and resolution are one
column each: ``due → reacted ✗`` (``✗`` when breached) where 37 cells per
column fit, else ``due ✗`` / ``due ✓`` (``✓``: done in time). Instants are
local date and time in the desk's home zone, to the minute; the legend above
the heading names the zone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from helpdesk_cli.table import Column, Layout, Symbols
from helpdesk_cli.terminal import shown

INSTANT_WIDTH = len("2026-04-08 15:00")
STATE_WIDTH = len("breached")
"""The longest SLA state (``running``, ``at_risk``, ``breached``, ``met``, ``no_sla``)."""


def local_time(value: object, zone: tzinfo | None) -> str:
    """An ISO-8601 instant as ``YYYY-MM-DD HH:MM`` in ``zone`` (to the minute,
    as a clock shows it); empty for None."""
    if value is None:
        return ""
    if zone is None or not isinstance(value, str):
        return shown(value)
    return datetime.fromisoformat(value).astimezone(zone).isoformat(" ", "minutes")[:INSTANT_WIDTH]


def flag(value: object) -> str:
    """A table cell: yes/no for a flag, the escaped text otherwise."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return shown(value)


def _target(kind: str, done: str, zone: tzinfo, symbols: Symbols, *, full: bool) -> Column:
    """``kind_due → done ✗`` (full) or ``kind_due ✗|✓`` as one kept column."""
    due_key, done_key, breached_key = f"{kind}_due", done, f"{kind}_breached"
    arrow, cross, tick = symbols.arrow, symbols.breached, symbols.in_time

    def text(row: Mapping[str, Any]) -> str:
        due = local_time(row.get(due_key), zone) or "-"
        finished = local_time(row.get(done_key), zone)
        if full:
            mark = cross if row.get(breached_key) else ""
            return f"{due:<{INSTANT_WIDTH}} {arrow} {finished:<{INSTANT_WIDTH}} {mark}"
        mark = cross if row.get(breached_key) else tick if finished else ""
        return f"{due:<{INSTANT_WIDTH}} {mark}"

    done_word = {"reaction": "reacted", "resolution": "resolved"}[kind]
    heading = f"{kind} due {arrow} {done_word}" if full else f"{kind} due"
    marks = max(len(cross), len(tick))
    width = 2 * INSTANT_WIDTH + len(arrow) + 3 + len(cross) if full else INSTANT_WIDTH + 1 + marks
    return Column(heading, text, width=width, kept=True)


def report_layouts(zone: tzinfo) -> Callable[[Symbols], Sequence[Layout]]:
    """The SLA report's layouts, widest first (see the module)."""

    def layouts(symbols: Symbols) -> Sequence[Layout]:
        offered = []
        for full in (True, False):
            legend = f"times in {zone}; {symbols.breached} breached"
            if not full:
                legend += f", {symbols.in_time} done in time"
            offered.append(Layout((
                Column("ticket", lambda row: shown(row.get("ticket")), kept=True),
                Column("state", lambda row: shown(row.get("state")), width=STATE_WIDTH, kept=True),
                _target("reaction", "reacted_at", zone, symbols, full=full),
                _target("resolution", "resolved_at", zone, symbols, full=full),
                Column("rule", lambda row: flag(row.get("rule"))),
                Column("paused min", lambda row: flag(row.get("paused_minutes")), right=True),
                Column("calendar", lambda row: flag(row.get("calendar"))),
            ), legend))
        return offered

    return layouts


def plain_layouts(
    columns: Sequence[str], instants: Collection[str], zone: tzinfo | None
) -> Callable[[Symbols], Sequence[Layout]]:
    """Any rows (``sla whatif``'s): a column each, headings in words. Kept:
    the first column (the row's ticket), the states and the instants (local
    time in ``zone``); the rest as the width allows."""
    local = frozenset(instants) if zone is not None else frozenset()

    def column(name: str, first: bool) -> Column:
        heading = name.replace("_", " ")
        if name in local:
            return Column(heading, lambda row: local_time(row.get(name), zone),
                          width=INSTANT_WIDTH, kept=True)
        state = name == "state" or name.startswith("state_")
        return Column(heading, lambda row: flag(row.get(name)), width=STATE_WIDTH if state else None,
                      kept=first or state)

    legend = f"times in {zone}" if local else ""
    table = Layout(tuple(column(name, i == 0) for i, name in enumerate(columns)), legend)
    return lambda symbols: (table,)


__all__ = ["flag", "local_time", "plain_layouts", "report_layouts"]
