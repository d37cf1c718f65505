"""Loading helpdesk.toml: the defaults, the FORMATS.md example, and errors that name their place."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from helpdesk_core.config import Configuration, load_configuration, parse_configuration
from helpdesk_core.errors import ConfigError
from helpdesk_core.workflow import DEFAULT_GRAPH, DEFAULT_POLICY, USERESPONSE_GRAPH

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_no_file_is_a_valid_setup() -> None:
    config = load_configuration(None)
    assert config == Configuration()
    assert config.graph is DEFAULT_GRAPH
    assert config.sla is None
    assert config.catalogs.priorities is None, "without a catalog any priority id is accepted"


def test_the_formats_example_loads_with_its_multiline_inline_tables() -> None:
    config = load_configuration(DATA / "formats_example.toml")
    assert sorted(config.calendars) == ["24x7", "prague-office"]
    assert config.sla is not None
    assert [rule.name for rule in config.sla.rules] == ["VIP incidents", "Default"]


def test_the_example_configuration_loads() -> None:
    config = load_configuration(EXAMPLES / "helpdesk.toml")
    assert config.automation.auto_close_after == timedelta(hours=48)
    assert [p.id for p in config.catalogs.priorities_in_order()] == ["low", "normal", "high", "critical"]


def test_a_preset_brings_its_automation_and_keys_override_it() -> None:
    config = parse_configuration('[workflow]\npreset = "useresponse"\n[workflow.automation]\nreopen_window = "24h"\n')
    assert config.graph is USERESPONSE_GRAPH
    assert config.automation.reopen_window == timedelta(hours=24)
    assert config.automation.reply_reopens == frozenset({"awaiting_reply"})


def test_a_custom_graph() -> None:
    config = parse_configuration(
        """
        [workflow]
        initial = "new"
        statuses = [
          { id = "new", category = "new" },
          { id = "working", category = "open" },
          { id = "done", category = "closed" },
        ]
        transitions = { new = ["working", "done"], working = ["done"] }
        """
    )
    assert config.graph.allows("new", "working")
    assert not config.graph.allows("done", "working")
    assert config.automation != DEFAULT_POLICY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[slas]\n", "slas: unknown key (expected one of: calendars, workflow, catalog, sla, desk, routing, intake); did you mean 'sla'?"),
        ("[workflow]\npreset = 'x'\n", "workflow.preset: 'x' is not one of: default, useresponse"),
        ("[workflow.automation]\nauto_close_after = '2d'\n",
         "workflow.automation.auto_close_after: '2d' uses days; there is no day unit"),
        ("[workflow.automation]\nreopen_to = 'gone'\n", "workflow.automation.reopen_to: unknown status 'gone'"),
        ("[catalog]\npriorities = [{ id = 'low', name = 'Low', order = 1, color = '#ffffff' }]\n",
         "catalog.priorities[0].color: unknown key (expected one of: id, name, order, colour); "
         "did you mean 'colour'?"),
        ("[catalog]\npriorities = [{ id = 'low', order = 1 }]\n", "catalog.priorities[0]: missing key 'name'"),
        ("[[calendars]]\ntz = 'UTC'\n", "calendars[0].name: a configured calendar needs a name"),
        ("[[calendars]]\nname = 'a'\ntz = 'Mars/Base'\n", "calendars[0].tz"),
        ("[[sla.rules]]\nname = 'x'\ncalendar = 'nowhere'\nreaction = '1h'\nresolution = '2h'\n",
         "sla.rules[0].calendar: unknown calendar 'nowhere'"),
        ("a = \n", "not valid TOML"),
    ],
)
def test_errors_name_the_file_the_place_and_the_value(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configuration(text, source="helpdesk.toml")
    assert str(caught.value).startswith(f"helpdesk.toml: {message}")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: configuration file not found"):
        load_configuration(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[desk]\nticket_ids = "T-"\n', "desk.ticket_ids: expected a text holding '{n}' once"),
        ('[desk]\nticket_ids = "{n}-{n}"\n', "desk.ticket_ids: expected a text holding '{n}' once"),
        ('[desk]\nticket_ids = "T-{n}-{x}"\n', "desk.ticket_ids: only '{n}' may stand in braces"),
        ('[desk]\nticket_ids = " T-{n}"\n', "desk.ticket_ids: only '{n}' may stand in braces"),
        ("[desk]\nfirst_ticket_number = 0\n", "desk.first_ticket_number: expected a whole number >= 1"),
        ("[desk]\nfirst_ticket_number = true\n", "desk.first_ticket_number: expected a whole number >= 1"),
        ("[desk]\nticket_id = 'T-{n}'\n", "desk.ticket_id: unknown key"),
    ],
)
def test_the_desk_section_refuses_what_cannot_number_tickets(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configuration(text, source="helpdesk.toml")
    assert str(caught.value).startswith(f"helpdesk.toml: {message}")


def test_the_desk_section_numbers_tickets_by_its_pattern() -> None:
    settings = parse_configuration('[desk]\nticket_ids = "HD-{n}/26"\nfirst_ticket_number = 7\n').desk
    assert (settings.ticket_id(settings.first_ticket_number), settings.ticket_id(12)) == ("HD-7/26", "HD-12/26")
    assert parse_configuration("").desk.ticket_id(1001) == "T-1001"
