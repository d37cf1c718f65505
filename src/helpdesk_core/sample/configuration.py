"""The configuration of the sample desk, as the TOML text of ``examples/demo.toml``
(a test keeps the two identical). Text rather than a file read at run time: the
package stays pure and ``helpdesk demo`` works from an installed wheel."""

DEMO_CONFIGURATION = """\
# The configuration of the sample desk that `helpdesk demo` builds (and `make demo` shows).
# Every key is described in docs/configuration.md; the data come from helpdesk_core.sample.
# This file and helpdesk_core.sample.DEMO_CONFIGURATION are kept identical by a test.

[[calendars]]
name = "prague-office"
tz = "Europe/Prague"
week = { mon = [["08:00", "17:00"]], tue = [["08:00", "17:00"]], wed = [["08:00", "17:00"]],
         thu = [["08:00", "17:00"]], fri = [["08:00", "15:00"]] }
holidays = ["2026-12-31"]
public_holidays = [{ country = "CZ" }]
exceptions = { "2026-12-23" = [["08:00", "12:00"]] }

[[calendars]]
name = "bratislava-office"
tz = "Europe/Bratislava"
week = { mon = [["08:00", "16:30"]], tue = [["08:00", "16:30"]], wed = [["08:00", "16:30"]],
         thu = [["08:00", "16:30"]], fri = [["08:00", "16:30"]] }
public_holidays = [{ country = "SK" }]

[[calendars]]
name = "24x7"
tz = "UTC"
week = { mon = [["00:00", "24:00"]], tue = [["00:00", "24:00"]], wed = [["00:00", "24:00"]],
         thu = [["00:00", "24:00"]], fri = [["00:00", "24:00"]], sat = [["00:00", "24:00"]],
         sun = [["00:00", "24:00"]] }

[workflow]
preset = "default"

[workflow.automation]
auto_close_after = "48h"

[catalog]
ticket_types = [
  { id = "incident", name = "Incident" },
  { id = "request", name = "Service request" },
  { id = "question", name = "Question" },
  { id = "maintenance", name = "Scheduled maintenance" },
]
priorities = [
  { id = "low", name = "Low", order = 1, colour = "#8fbc8f" },
  { id = "normal", name = "Normal", order = 2, colour = "#4682b4" },
  { id = "high", name = "High", order = 3, colour = "#ff8c00" },
  { id = "critical", name = "Critical", order = 4, colour = "#dc143c" },
]
client_categories = [
  { id = "client", name = "Client" },
  { id = "partner", name = "Partner" },
  { id = "vip", name = "VIP client" },
]

[sla]
at_risk_share = 0.2

[[sla.rules]]
name = "VIP urgent incidents"
when = { type = ["incident"], priority = ["high", "critical"], client_category = ["vip"] }
calendar = "24x7"
reaction = "15m"
resolution = "4h"

[[sla.rules]]
name = "Critical incidents"
when = { type = ["incident"], priority = ["critical"] }
calendar = "24x7"
reaction = "30m"
resolution = "8h"

[[sla.rules]]
name = "Slovak customers"
when = { customer_group = ["slovakia"] }
calendar = "bratislava-office"
reaction = "2h"
resolution = "16h"

[[sla.rules]]
name = "High priority"
when = { priority = ["high", "critical"] }
calendar = "prague-office"
reaction = "1h"
resolution = "8h"

[[sla.rules]]
name = "Partners"
when = { client_category = ["partner"] }
calendar = "prague-office"
reaction = "2h"
resolution = "16h"

[[sla.rules]]
name = "Gold support"                # the default SLA of the customer group "gold"
enabled = false                      # never chosen by the table, only by the group or by hand
calendar = "prague-office"
reaction = "1h"
resolution = "12h"
on_change = "keep_elapsed"

[[sla.rules]]
name = "Default"                     # the catch-all
calendar = "prague-office"
reaction = "4h"
resolution = "24h"
"""
"""``helpdesk.toml`` of the sample desk: calendars with Czech and Slovak public
holidays, the client categories client/partner/vip and an SLA table ending in a catch-all."""

__all__ = ["DEMO_CONFIGURATION"]
