"""Micro-batching: requests that arrive within a few milliseconds share one call of the predictor.

A model runs a batch of 16 texts in far less than 16 times the time of one text, so a server that answers
each request alone wastes most of its time. The `MicroBatcher` owns one worker thread and a queue:

    request handler --submit(items)--> queue --worker--> predict_batch(all waiting items) --> each future

The worker takes the first waiting request and everything queued behind it (up to `max_batch_size`
items); when it is alone, it waits up to `max_wait_ms` for company, but only if the last batch held several
requests (a lone client pays no delay). It runs the predictor once and hands each request its own slice
of the results. When the combined batch fails, each request is run alone, so one bad input fails only its own
request. Handlers `await batcher.predict(items)`; the event loop stays free while the model runs.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

JsonDict = Dict[str, Any]
logger = logging.getLogger(__name__)


@dataclass
class _Request:
    items: List[JsonDict]
    future: "Future[List[JsonDict]]" = field(default_factory=Future)


class MicroBatcher:
    """Runs `predict_batch(list of inputs) -> list of outputs` on batches gathered from concurrent requests."""

    def __init__(self, predict_batch: Callable[[List[JsonDict]], List[JsonDict]], max_batch_size: int = 32,
                 max_wait_ms: float = 2.0) -> None:
        if max_batch_size < 1 or max_wait_ms < 0:
            raise ValueError(f"max_batch_size must be >= 1 and max_wait_ms >= 0, got {max_batch_size}, {max_wait_ms}")
        self.predict_batch = predict_batch
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000.0
        self.batches = 0          # predictor calls made
        self.items = 0            # inputs predicted
        self.largest_batch = 0
        self._queue: "queue.Queue[Optional[_Request]]" = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()
        self._closed = False
        self._busy = True  # wait for company until a batch shows there is none

    def start(self) -> None:
        """Start the worker thread (done by the first `submit` if not before)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("this MicroBatcher is closed")
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="swapnlp-micro-batcher", daemon=True)
                self._thread.start()

    def submit(self, items: List[JsonDict]) -> "Future[List[JsonDict]]":
        """Queue one request's inputs; the future gets their outputs, in order (or the error)."""
        self.start()
        request = _Request(list(items))
        self._queue.put(request)
        return request.future

    async def predict(self, items: List[JsonDict]) -> List[JsonDict]:
        """`submit`, awaited from an event loop."""
        return await asyncio.wrap_future(self.submit(items))

    def close(self, timeout: float = 10.0) -> None:
        """Answer the requests already queued, then stop the worker thread (what it could not answer within
        `timeout` fails). Later submits are refused."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
        while True:
            try:
                request = self._queue.get_nowait()
            except queue.Empty:
                break
            if request is not None and not request.future.done():
                request.future.set_exception(RuntimeError("the server is shutting down"))

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _work(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group, size, stop = [first], len(first.items), False
            deadline = time.monotonic() + (self.max_wait if self._busy else 0.0)
            while size < self.max_batch_size:
                try:  # whatever is already waiting joins at once
                    request = self._queue.get_nowait()
                except queue.Empty:
                    wait = deadline - time.monotonic()
                    if len(group) > 1 or wait <= 0:
                        break
                    try:  # alone so far: wait a little for company (an idle worker costs less than a batch of 1)
                        request = self._queue.get(timeout=wait)
                    except queue.Empty:
                        break
                if request is None:
                    stop = True
                    break
                group.append(request)
                size += len(request.items)
            self._busy = len(group) > 1  # others were waiting too: worth waiting for company next time
            self._run(group)
            if stop:
                return

    def _run(self, group: List[_Request]) -> None:
        items = [item for request in group for item in request.items]
        try:
            outputs = self.predict_batch(items)
            self._count(len(items))
        except Exception as error:
            if len(group) == 1:
                group[0].future.set_exception(error)
                return
            for request in group:  # find the culprit: each request on its own
                try:
                    request.future.set_result(self.predict_batch(request.items))
                    self._count(len(request.items))
                except Exception as error:
                    request.future.set_exception(error)
            return
        start = 0
        for request in group:
            request.future.set_result(outputs[start:start + len(request.items)])
            start += len(request.items)

    def _count(self, size: int) -> None:
        self.batches += 1
        self.items += size
        self.largest_batch = max(self.largest_batch, size)
