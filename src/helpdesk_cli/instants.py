"""Instants given on the command line (``--as-of``, ``--at``, ``--until``…)
and the CLI's clock: parsed one way by every command."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click

OPTION_YEARS = range(1900, 3000)
"""The years a date or instant given as an option may fall in: deadlines,
periods and days are computed around it, and dates end with the year 9999."""


def _within_years(value: str, parsed: date) -> None:
    if parsed.year not in OPTION_YEARS:
        raise click.BadParameter(
            f"{value!r} is outside the years {OPTION_YEARS.start}–{OPTION_YEARS.stop - 1} a date may take"
        )


def instant(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO-8601 date-time with an offset; a plain date means its midnight
    UTC. Either in :data:`OPTION_YEARS`."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO-8601 date-time (e.g. 2026-03-02T09:15:00+01:00)"
        ) from None
    _within_years(value, parsed)
    if parsed.tzinfo is None:
        if len(value) == 10:
            return parsed.replace(tzinfo=UTC)
        raise click.BadParameter(f"{value!r} has no UTC offset (e.g. 2026-03-02T09:15:00+01:00)")
    return parsed


def day_or_instant(ctx: click.Context, param: click.Parameter, value: str | None) -> date | datetime | None:
    """A calendar day ``YYYY-MM-DD`` (a whole local day of the desk) or an
    ISO-8601 date-time with an offset (that exact instant)."""
    if value is None:
        return None
    if len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date (e.g. 2026-03-02)") from None
        _within_years(value, day)
        return day
    parsed = instant(ctx, param, value)
    return parsed


def now() -> datetime:
    """The CLI's clock (the library never reads one)."""
    return datetime.now(UTC)


__all__ = ["OPTION_YEARS", "day_or_instant", "instant", "now"]
