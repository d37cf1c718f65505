"""``rebuild`` and ``freshness``: every ticket's stored SLA state computed again
when it cannot be kept (missing, stale, another fingerprint, another customer
key), the rest kept; the setting ``sla.fingerprint`` set at the end; the same
records whatever the number of worker processes, on memory, SQLite and
PostgreSQL. (The kill -9 in the middle is ``tests/cli/test_sla_rebuild_cli.py``.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from helpdesk_cli.demo import save_customers
from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.model.ticket import Comment
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.serialization import ticket_sla_state_from_json
from helpdesk_core.sla import SlaState
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.keeping import NO_SLA
from helpdesk_core.sla_states.rebuild import RebuildSummary, freshness, rebuild
from helpdesk_core.sla_states.state import TicketSlaState, ticket_sla_state
from helpdesk_core.storage import Store, open_store

TICKETS = 120
CONFIG = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")


def other_target(config_text: str = DEMO_CONFIGURATION) -> Configuration:
    """The demo configuration with the first rule's resolution target changed."""
    changed = config_text.replace('resolution = "', 'resolution = "1', 1)
    assert changed != config_text
    return parse_configuration(changed, source="changed configuration")


def sample_desk(store: Store, count: int = TICKETS, *, seed: int = 7) -> Store:
    """A desk whose tickets were written without their SLA states (as by a
    program of the previous release)."""
    customers = sample_customers(seed, companies=12)
    save_customers(store, customers)
    with store.unit_of_work() as uow:
        for ticket in sample_tickets(seed, count, customers=customers, end=DEMO_END, days=60):
            uow.tickets.add(ticket)
        uow.commit()
    return store


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'rebuild.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url)
    yield sample_desk(opened)
    opened.close()


def folded(store: Store, config: Configuration) -> dict[str, TicketSlaState]:
    """Every ticket's state folded from its history, as the writers compute it."""
    assert config.sla is not None
    customers = customer_directory(store)
    return {
        stored.value.id: ticket_sla_state(
            stored.value, policy=config.sla, graph=config.graph, customer=customers(stored.value)
        )
        for stored in store.tickets.iter_tickets()
    }


def stored(store: Store, config: Configuration) -> dict[str, TicketSlaState]:
    """Every stored state that is usable under ``config`` (fresh, its fingerprint)."""
    fingerprint = sla_fingerprint(config)
    found = {}
    for ticket in store.tickets.iter_tickets():
        record = store.sla_states.get(ticket.value.id)
        if record is not None and not record.stale and record.fingerprint == fingerprint:
            found[ticket.value.id] = ticket_sla_state_from_json(record.document)
    return found


def counts(summary: RebuildSummary) -> tuple[int, int, int, int]:
    return summary.examined, summary.rebuilt, summary.kept, summary.skipped


def test_a_rebuild_stores_every_ticket_s_state_then_keeps_them_and_sets_the_fingerprint(store: Store) -> None:
    before = freshness(store, CONFIG)
    assert (before.in_store, before.fresh) == (None, False)
    done: list[int] = []
    summary = rebuild(store, CONFIG, jobs=2, progress=done.append, batch=50)  # memory: in this process
    assert counts(summary) == (TICKETS, TICKETS, 0, 0)
    assert sum(done) == TICKETS, "the progress saw every ticket"
    assert stored(store, CONFIG) == folded(store, CONFIG)
    after = freshness(store, CONFIG)
    assert after.fresh and after.in_store == sla_fingerprint(CONFIG) == after.fingerprint
    assert counts(rebuild(store, CONFIG)) == (TICKETS, 0, TICKETS, 0), "nothing to do the second time"


def test_a_rebuild_computes_again_only_what_cannot_be_kept(store: Store) -> None:
    rebuild(store, CONFIG)
    ids = sorted(folded(store, CONFIG))
    companies = {t.value.id: t.value.company for t in store.tickets.iter_tickets()}
    with store.unit_of_work() as uow:
        # written without keeping its state: stale
        ticket = uow.tickets.get(ids[0])
        later = ticket.value.events[-1].at + timedelta(minutes=5)
        uow.tickets.append(ids[0], [Comment(at=later, author="employee", public=True)],
                           expected_version=ticket.version)
        uow.sla_states.delete(ids[1])  # missing
        record = uow.sla_states.get(ids[2])
        assert record is not None
        uow.sla_states.put(attrs.evolve(record, fingerprint="another"))  # another configuration
        spaced = uow.sla_states.get(ids[4])  # the same JSON written otherwise: still usable
        assert spaced is not None
        uow.sla_states.put(attrs.evolve(spaced, document=json.dumps(json.loads(spaced.document), indent=1)))
        # a company made VIP: its tickets' states were computed for other customer facts
        company = uow.companies.get(companies[ids[3]])  # type: ignore[arg-type]
        uow.companies.save(attrs.evolve(company.value, category="vip"), expected_version=company.version)
        uow.commit()
    of_company = {t for t, c in companies.items() if c == companies[ids[3]]}
    assert ids[4] not in of_company
    changed = {ids[0], ids[1], ids[2]} | of_company
    summary = rebuild(store, CONFIG)
    assert counts(summary) == (TICKETS, len(changed), TICKETS - len(changed), 0)
    assert stored(store, CONFIG) == folded(store, CONFIG)


def test_another_sla_configuration_makes_the_store_stale_until_rebuilt(store: Store) -> None:
    rebuild(store, CONFIG)
    changed = other_target()
    assert not freshness(store, changed).fresh
    assert stored(store, changed) == {}, "no record was computed under the changed rules"
    summary = rebuild(store, changed, batch=40)
    assert counts(summary) == (TICKETS, TICKETS, 0, 0)
    assert freshness(store, changed).fresh and not freshness(store, CONFIG).fresh
    assert stored(store, changed) == folded(store, changed) != folded(store, CONFIG)


def test_workers_compute_the_same_records_as_one_process(tmp_path: Path) -> None:
    one = sample_desk(open_store(str(tmp_path / "one.sqlite3")))
    two = sample_desk(open_store(str(tmp_path / "two.sqlite3")))
    assert counts(rebuild(one, CONFIG, jobs=1)) == counts(rebuild(two, CONFIG, jobs=2, batch=16))
    for ticket in folded(one, CONFIG):
        assert one.sla_states.get(ticket) == two.sla_states.get(ticket)
    assert stored(two, CONFIG) == folded(two, CONFIG)


def test_a_configuration_without_sla_rules_builds_states_saying_no_sla() -> None:
    store = sample_desk(open_store("memory://"), 3)
    assert counts(rebuild(store, Configuration())) == (3, 3, 0, 0)
    assert freshness(store, Configuration()).fresh
    for ticket, state in stored(store, Configuration()).items():
        assert state.projection.row(DEMO_END, policy=NO_SLA).state is SlaState.NO_SLA, ticket
