"""Group commit: callers share batches, and one bad item fails only its own caller."""

from __future__ import annotations

import asyncio
import threading

from bot.delivery.batching import Batcher


async def test_items_that_pile_up_share_a_batch_and_keep_their_results():
    batches: list[list[int]] = []
    entered = threading.Event()
    gate = threading.Event()

    def run(items):
        entered.set()
        gate.wait(5)  # the first batch is slow, so the rest queue behind it
        batches.append(list(items))
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher(run)
    first = asyncio.create_task(batcher.submit(0))
    assert await asyncio.to_thread(entered.wait, 5)  # the first batch is running
    rest = [asyncio.create_task(batcher.submit(n)) for n in range(1, 6)]
    await asyncio.sleep(0)  # let them queue
    gate.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [10, 20, 30, 40, 50]
    assert batches == [[0], [1, 2, 3, 4, 5]]


async def test_a_failing_item_fails_only_its_caller():
    committed: list[int] = []

    def run(items):
        if 3 in items:
            raise ValueError("item 3 is bad")  # the whole transaction rolls back
        committed.extend(items)
        return [None] * len(items)

    batcher: Batcher[int, None] = Batcher(run)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(6)), return_exceptions=True)
    assert isinstance(results[3], ValueError)
    assert [r for i, r in enumerate(results) if i != 3] == [None] * 5
    assert sorted(committed) == [0, 1, 2, 4, 5]


async def test_a_batch_larger_than_the_limit_is_split():
    sizes: list[int] = []

    def run(items):
        sizes.append(len(items))
        return list(items)

    batcher: Batcher[int, int] = Batcher(run, max_size=4)
    assert await asyncio.gather(*(batcher.submit(n) for n in range(10))) == list(range(10))
    assert max(sizes) <= 4 and sum(sizes) == 10


async def test_lanes_let_batches_overlap():
    both_inside = threading.Barrier(2, timeout=5)

    def run(items):
        both_inside.wait()  # raises BrokenBarrierError unless a second batch runs meanwhile
        return list(items)

    two_lanes: Batcher[int, int] = Batcher(run, max_size=1, lanes=2)
    assert await asyncio.gather(*(two_lanes.submit(n) for n in range(4))) == [0, 1, 2, 3]

    inside = 0
    most = 0
    lock = threading.Lock()

    def counted(items):
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        threading.Event().wait(0.05)
        with lock:
            inside -= 1
        return list(items)

    one_lane: Batcher[int, int] = Batcher(counted, max_size=1)
    assert await asyncio.gather(*(one_lane.submit(n) for n in range(3))) == [0, 1, 2]
    assert most == 1  # SQLite: one writer transaction at a time


async def test_an_item_submitted_as_the_last_batch_finishes_is_not_stranded():
    batcher: Batcher[int, int] = Batcher(lambda items: [item * 10 for item in items])

    async def one_after_another() -> list[int]:
        # The second submit runs before the finished lane's done-callbacks would: a lane
        # that left the pool only then made the second item wait forever.
        return [await batcher.submit(1), await batcher.submit(2)]

    assert await asyncio.wait_for(one_after_another(), 5) == [10, 20]
