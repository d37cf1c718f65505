"""The storage contract on the in-memory backend."""

from __future__ import annotations

import threading
import time

import pytest

from helpdesk_core.errors import ConflictError, StorageUnavailable
from helpdesk_core.storage import MemoryStore
from helpdesk_core.testing.contract import StoreContract, desk_events


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store_url(self) -> str:
        return "memory://"


def test_a_nested_unit_of_work_asking_for_the_out_box_counter_is_refused_not_hung() -> None:
    store = MemoryStore()
    [event] = desk_events(1)
    with store.unit_of_work() as outer:
        outer.outbox.append([event])
        with store.unit_of_work() as inner:
            with pytest.raises(StorageUnavailable, match="another unit of work of this thread"):
                inner.outbox.append([event])
            with pytest.raises(StorageUnavailable, match="another unit of work of this thread"):
                inner.sequences.next("tickets")
        outer.commit()
    with store.unit_of_work() as after:  # the counter was given back at the commit
        assert after.outbox.append([event])[0].position == 2
        after.commit()


def test_threads_take_gap_free_numbers_and_positions_in_commit_order() -> None:
    store = MemoryStore()
    [event] = desk_events(1)
    taken: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for round in range(20):
            with store.unit_of_work() as uow:
                number = uow.sequences.next("tickets", start=1001)
                [entry] = uow.outbox.append([event])
                time.sleep(0.0005)
                if (n + round) % 4 == 0:
                    continue  # rolled back: the number and the position are given back
                uow.commit()
            with lock:
                taken.append((number, entry.position))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken) == [(1001 + i, 1 + i) for i in range(len(taken))] and len(taken) == 120
    assert [e.position for e in store.outbox.entries(limit=1000)] == list(range(1, 121))


def test_two_units_of_work_setting_the_same_value_meanwhile_the_second_commit_is_refused() -> None:
    store = MemoryStore()
    with store.unit_of_work() as first, store.unit_of_work() as second:
        first.settings.put("scheduler.policy", "A", expected=None)
        second.settings.put("scheduler.policy", "B", expected=None)  # each sees it unset
        first.commit()
        with pytest.raises(ConflictError, match=r"settings scheduler\.policy: another writer committed first"):
            second.commit()
    assert store.settings.get("scheduler.policy") == "A"
