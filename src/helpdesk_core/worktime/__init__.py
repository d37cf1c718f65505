"""Working calendars and exact working-time arithmetic for SLA deadlines."""

from helpdesk_core.worktime.calendar import SEARCH_HORIZON, WorkingCalendar
from helpdesk_core.worktime.exception_days import ExceptionDay
from helpdesk_core.worktime.hours import WorkingHours
from helpdesk_core.worktime.periods import ClosedPeriod, WorkingPeriod
from helpdesk_core.worktime.public_holidays import PublicHolidays
from helpdesk_core.worktime.week import WEEKDAYS, WorkingWeek

__all__ = [
    "SEARCH_HORIZON",
    "WEEKDAYS",
    "ClosedPeriod",
    "ExceptionDay",
    "PublicHolidays",
    "WorkingCalendar",
    "WorkingHours",
    "WorkingPeriod",
    "WorkingWeek",
]
