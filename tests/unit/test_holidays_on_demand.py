"""A calendar with Czech public holidays imports the Czech module of ``holidays``,
not all ~250 countries; the rest of the process still sees the package as
``holidays`` made it (each check in a fresh interpreter: imports are global)."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from helpdesk_core.worktime import WorkingCalendar

def countries():
    return sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("holidays.countries."))

seen = {}
office = WorkingCalendar.from_dict({"tz": "Europe/Prague", "public_holidays": [{"country": "CZ"}]})
seen["calendar"] = countries()
import holidays
seen["after_a_lookup"] = str(holidays.country_holidays("DE", years=2026).get("2026-10-03"))
seen["lookup"] = countries()
import holidays.countries.czechia as czechia
from holidays.countries import Czechia, Germany
seen["same_class"] = czechia.Czechia is Czechia and holidays.countries.czechia is czechia
seen["whole_package"] = len(countries()) > 200 and holidays.countries.Germany is Germany
ours = office.public_holidays[0].names_in(2026)
theirs = {day.isoformat(): str(name) for day, name in Czechia(years=2026).items()}
seen["same_names"] = {day.isoformat(): name for day, name in ours.items()} == theirs and len(theirs) > 10
try:
    holidays.countries.NoSuchCountry
except AttributeError as error:
    seen["unknown"] = str(error)
print(json.dumps(seen))
"""


def test_only_the_named_countries_load_and_the_package_stays_whole() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["calendar"] == ["czechia"]
    assert seen["after_a_lookup"] == "German Unity Day" and seen["lookup"] == ["czechia", "germany"]
    assert seen["same_class"] is True
    assert seen["whole_package"] is True, "asking the package for a name runs its own __init__"
    assert seen["same_names"] is True
    assert seen["unknown"] == "module 'holidays.countries' has no attribute 'NoSuchCountry'"


def test_a_calendar_without_public_holidays_never_imports_holidays() -> None:
    probe = (
        "import sys\nfrom helpdesk_core.worktime import WorkingCalendar\n"
        "WorkingCalendar.from_dict({'tz': 'UTC', 'holidays': ['2026-12-31']})\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'holidays'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")
