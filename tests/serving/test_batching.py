"""The micro-batcher: concurrent requests share predictor calls, keep their own results, fail alone."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from swapnlp.serving.batching import MicroBatcher


class RecordingPredictor:
    """Doubles numbers; records each batch; fails on a "boom" item; optionally slow."""

    def __init__(self, seconds: float = 0.0) -> None:
        self.batches = []
        self.seconds = seconds

    def __call__(self, items):
        self.batches.append([item["x"] for item in items])
        time.sleep(self.seconds)
        if any(item["x"] == "boom" for item in items):
            raise ValueError("boom is not a number")
        return [{"y": item["x"] * 2} for item in items]


def test_requests_waiting_together_share_one_batch():
    release = threading.Event()
    predictor = RecordingPredictor()

    def predict(items):
        if items[0]["x"] == "first":
            release.wait(10)  # the model is busy while the other requests arrive
            return [{"y": "first"}]
        return predictor(items)

    batcher = MicroBatcher(predict, max_batch_size=64, max_wait_ms=0)
    try:
        busy = batcher.submit([{"x": "first"}])
        time.sleep(0.05)
        futures = [batcher.submit([{"x": i}]) for i in range(10)]
        release.set()
        assert busy.result(timeout=10) == [{"y": "first"}]
        assert [future.result(timeout=10) for future in futures] == [[{"y": 2 * i}] for i in range(10)]
    finally:
        batcher.close()
    assert predictor.batches == [list(range(10))]
    assert (batcher.batches, batcher.items, batcher.largest_batch) == (2, 11, 10)


def test_a_lone_request_waits_a_little_for_company():
    predictor = RecordingPredictor()
    batcher = MicroBatcher(predictor, max_batch_size=64, max_wait_ms=1000)
    try:
        first = batcher.submit([{"x": 1}])
        time.sleep(0.05)  # well inside the window
        second = batcher.submit([{"x": 2}])
        assert first.result(timeout=10) == [{"y": 2}] and second.result(timeout=10) == [{"y": 4}]
    finally:
        batcher.close()
    assert predictor.batches == [[1, 2]]


def test_each_request_gets_its_own_slice_in_order():
    batcher = MicroBatcher(RecordingPredictor(), max_batch_size=64, max_wait_ms=200)
    try:
        first, second = batcher.submit([{"x": 1}, {"x": 2}]), batcher.submit([{"x": 3}])
        assert first.result(timeout=10) == [{"y": 2}, {"y": 4}]
        assert second.result(timeout=10) == [{"y": 6}]
    finally:
        batcher.close()


def test_batches_never_exceed_max_batch_size():
    predictor = RecordingPredictor()
    batcher = MicroBatcher(predictor, max_batch_size=4, max_wait_ms=100)
    try:
        futures = [batcher.submit([{"x": i}]) for i in range(10)]
        assert [f.result(timeout=10)[0]["y"] for f in futures] == [2 * i for i in range(10)]
    finally:
        batcher.close()
    assert max(len(batch) for batch in predictor.batches) <= 4
    assert sorted(x for batch in predictor.batches for x in batch) == list(range(10))


def test_a_bad_request_fails_alone():
    predictor = RecordingPredictor()
    batcher = MicroBatcher(predictor, max_batch_size=64, max_wait_ms=200)
    try:
        good, bad, other = (batcher.submit([{"x": 1}]), batcher.submit([{"x": "boom"}]), batcher.submit([{"x": 2}]))
        assert good.result(timeout=10) == [{"y": 2}] and other.result(timeout=10) == [{"y": 4}]
        with pytest.raises(ValueError, match="boom is not a number"):
            bad.result(timeout=10)
    finally:
        batcher.close()
    assert predictor.batches[0] == [1, "boom", 2]  # tried together first, then one by one


def test_concurrent_clients_get_batched_while_the_model_is_busy():
    predictor = RecordingPredictor(seconds=0.05)
    batcher = MicroBatcher(predictor, max_batch_size=32, max_wait_ms=1)
    try:
        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(lambda i: batcher.submit([{"x": i}]).result(timeout=30), range(40)))
    finally:
        batcher.close()
    assert results == [[{"y": 2 * i}] for i in range(40)]
    assert len(predictor.batches) < 40 and batcher.largest_batch > 1


def test_predict_is_awaitable_from_an_event_loop():
    batcher = MicroBatcher(RecordingPredictor(), max_wait_ms=5)

    async def main():
        return await asyncio.gather(*(batcher.predict([{"x": i}]) for i in range(5)))

    try:
        assert asyncio.run(main()) == [[{"y": 2 * i}] for i in range(5)]
    finally:
        batcher.close()


def test_close_answers_what_is_queued_then_stops_the_thread():
    started = threading.Event()

    def slow(items):
        started.set()
        time.sleep(0.3)
        return [{"ok": True} for _ in items]

    batcher = MicroBatcher(slow, max_batch_size=1, max_wait_ms=0)
    in_progress = batcher.submit([{"x": 1}])
    assert started.wait(5)
    waiting = batcher.submit([{"x": 2}])
    batcher.close()
    assert not batcher.running
    assert in_progress.result(timeout=1) == [{"ok": True}]  # the batch in progress finishes
    assert waiting.result(timeout=1) == [{"ok": True}]      # and so does what was queued before close
    with pytest.raises(RuntimeError, match="closed"):
        batcher.submit([{"x": 3}])
    assert not any(thread.name == "swapnlp-micro-batcher" for thread in threading.enumerate())


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="max_batch_size"):
        MicroBatcher(RecordingPredictor(), max_batch_size=0)
