"""The one backoff policy: how long to wait after the n-th failure in a row."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """`first` seconds after the first failure, doubling up to `cap`, spread by ±`jitter`
    (a share) so that copies of the bot do not retry in step; never sooner than a server's
    Retry-After."""

    first: float
    cap: float
    jitter: float = 0.2

    def delay(self, failures: int, *, retry_after: float | None = None) -> float:
        base = min(self.first * 2 ** min(max(failures - 1, 0), 30), self.cap)
        if self.jitter:
            base *= random.uniform(1 - self.jitter, 1 + self.jitter)
        return max(base, retry_after or 0.0)
