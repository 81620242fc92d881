"""Counting refused and failed requests, and logging each kind once rather than once per request.

A client that sends 10,000 bad requests gets 10,000 clear 4xx answers; the server's log gets one line for
that kind of rejection ("400", "422 field sentence", ...). The counts are shown at GET /health. A model
failure (500) is logged with its traceback the first time each exception type occurs, then only counted.
"""

from __future__ import annotations

import logging
import threading
from typing import Dict, Optional

logger = logging.getLogger("swapnlp.serving")
OTHER = "other"


class Rejections:
    """kind -> how many requests were refused (or failed) that way."""

    def __init__(self, max_kinds: int = 64) -> None:
        self.counts: Dict[str, int] = {}
        self.max_kinds = max_kinds
        self._lock = threading.Lock()

    def note(self, status: int, detail: str, field: Optional[str] = None) -> None:
        """Count a refused request; log it if it is the first of its kind (status, and field if any)."""
        kind = f"{status} field {field}" if field else str(status)
        if self._count(kind):
            logger.warning("refused a request (%s): %s. Further requests refused this way are counted at "
                           "/health, not logged.", kind, _short(detail))

    def failure(self, error: BaseException) -> None:
        """Count a request the model failed on; log the traceback the first time this exception type occurs."""
        kind = f"500 {type(error).__name__}"
        if self._count(kind):
            logger.error("the model failed on a request (%s: %s); later failures of this type are counted at "
                         "/health, not logged", type(error).__name__, _short(str(error)),
                         exc_info=(type(error), error, error.__traceback__))

    def _count(self, kind: str) -> bool:
        """Add one to `kind` (or to "other" past max_kinds); True when it is the first of its kind."""
        with self._lock:
            if kind not in self.counts and len(self.counts) >= self.max_kinds:
                kind = OTHER
            self.counts[kind] = self.counts.get(kind, 0) + 1
            return self.counts[kind] == 1

    def as_dict(self) -> Dict[str, int]:
        with self._lock:
            return dict(self.counts)


def _short(text: str, limit: int = 200) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 3] + "..."
