"""Public holidays from the ``holidays`` package, and the book of all dates off.

``holidays`` is imported when a calendar first names a country, and then only
that country's module (see :mod:`helpdesk_core.worktime.holidays_on_demand`):
a desk without public holidays never loads the package.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

import attrs

from helpdesk_core.errors import ConfigError, ValidationError

if TYPE_CHECKING:
    from holidays import HolidayBase

EXTRA_HOLIDAY = "holiday"


def _optional_str(instance: PublicHolidays, attribute: attrs.Attribute[str | None], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and value):
        raise ValidationError(
            f"PublicHolidays.{attribute.name}: expected a non-empty string or None, got {value!r}"
        )


def _check_categories(
    instance: PublicHolidays, attribute: attrs.Attribute[tuple[str, ...] | None], value: Any
) -> None:
    if value is not None and not (
        isinstance(value, tuple) and value and all(isinstance(c, str) for c in value)
    ):
        raise ValidationError(
            f"PublicHolidays.categories: expected a non-empty tuple of strings or None, got {value!r}"
        )


@attrs.frozen
class PublicHolidays:
    """A set of public holidays as the ``holidays`` package knows them.

    ``country`` is an ISO code ("CZ"), ``subdiv`` a subdivision ("CA" of "US"),
    ``categories`` the package's holiday categories ("public", "bank", ...);
    ``None`` means the package's default (public holidays).
    """

    country: str = attrs.field(validator=attrs.validators.instance_of(str))
    subdiv: str | None = attrs.field(default=None, validator=_optional_str)
    categories: tuple[str, ...] | None = attrs.field(default=None, validator=_check_categories)

    def names_in(self, year: int) -> dict[date, str]:
        """Return the holidays of ``year`` as date -> name."""
        found = _country_holidays(self.country, self.subdiv, self.categories, year)
        return {day: str(name) for day, name in found.items()}

    @classmethod
    def from_dict(cls, value: Any, path: str) -> PublicHolidays:
        """Read ``{"country": "CZ", "subdiv"?: ..., "categories"?: [...]}`` and check it."""
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a table with 'country', got {value!r}")
        unknown = sorted(set(value) - {"country", "subdiv", "categories"})
        if unknown:
            raise ConfigError(f"{path}: unknown key {unknown[0]!r} (expected country, subdiv, categories)")
        country = value.get("country")
        if not isinstance(country, str) or not country:
            raise ConfigError(f"{path}.country: expected a country code such as 'CZ', got {country!r}")
        subdiv = value.get("subdiv")
        if subdiv is not None and not (isinstance(subdiv, str) and subdiv):
            raise ConfigError(f"{path}.subdiv: expected a subdivision code, got {subdiv!r}")
        raw_categories = value.get("categories")
        categories: tuple[str, ...] | None = None
        if raw_categories is not None:
            if (
                not isinstance(raw_categories, list | tuple)
                or not raw_categories
                or not all(isinstance(c, str) for c in raw_categories)
            ):
                raise ConfigError(
                    f"{path}.categories: expected a non-empty list of category names, got {raw_categories!r}"
                )
            categories = tuple(raw_categories)
        entry = cls(country, subdiv, categories)
        try:
            _country_holidays(country, subdiv, categories)
        except (NotImplementedError, ValueError, KeyError) as error:
            raise ConfigError(f"{path}: {error}") from error
        return entry

    def to_dict(self) -> dict[str, Any]:
        """Return the table as written in a calendar."""
        result: dict[str, Any] = {"country": self.country}
        if self.subdiv is not None:
            result["subdiv"] = self.subdiv
        if self.categories is not None:
            result["categories"] = list(self.categories)
        return result


def _country_holidays(
    country: str, subdiv: str | None, categories: tuple[str, ...] | None, year: int | None = None
) -> HolidayBase:
    """``holidays.country_holidays``, importing ``country``'s module alone."""
    import holidays

    from helpdesk_core.worktime.holidays_on_demand import countries_on_demand

    countries_on_demand()
    return holidays.country_holidays(country, subdiv=subdiv, years=year, categories=categories)


class HolidayBook:
    """Every date off of one calendar, with its name, computed lazily per year.

    Shared by all users of a calendar; the per-year cache is guarded by a lock.
    """

    def __init__(self, extra: Iterable[date], public: Iterable[PublicHolidays]) -> None:
        self._extra = frozenset(extra)
        self._public = tuple(public)
        self._years: dict[int, dict[date, str]] = {}
        self._lock = threading.Lock()

    def name_of(self, day: date) -> str | None:
        """Return the holiday's name for ``day``, or None on an ordinary day."""
        names = self._years.get(day.year)
        if names is None:
            names = self._load(day.year)
        return names.get(day)

    def _load(self, year: int) -> dict[date, str]:
        with self._lock:
            names = self._years.get(year)
            if names is not None:
                return names
            names = {}
            for entry in self._public:
                for day, name in entry.names_in(year).items():
                    names.setdefault(day, name)
            for day in self._extra:
                if day.year == year:
                    names.setdefault(day, EXTRA_HOLIDAY)
            self._years[year] = names
            return names
