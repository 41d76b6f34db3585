"""Rate-limit buckets and the headers discord.py reads to pace itself.

Only the reaction routes are limited, like Discord's well-known 1-per-250 ms bucket
(shared per channel by every reaction PUT/DELETE). Other routes advertise a generous
bucket so discord.py never waits on them.
"""

from __future__ import annotations

import hashlib
import math
import time

from .models import Json

_VIA = "1.1 google"
"""discord.py only retries a 429 that came through Discord's proxy, recognised by ``Via``."""


class RateLimited(Exception):
    """Answered as 429: a request arrived before its bucket refilled, or a fault was injected."""

    def __init__(self, retry_after: float, headers: dict[str, str], *, is_global: bool = False) -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after
        self.headers = headers
        self.is_global = is_global

    def body(self) -> Json:
        return {
            "code": 0,
            "message": "You are being rate limited.",
            "retry_after": self.retry_after,
            "global": self.is_global,
        }


def bucket_hash(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()[:16]


def _round_up_to_ms(value: float) -> float:
    """Discord reports milliseconds; rounding up means a client never comes back early."""
    return math.ceil(value * 1000) / 1000


def _seconds(value: float) -> str:
    return f"{_round_up_to_ms(value):.3f}"


def rate_limit_headers(*, limit: int, remaining: int, reset_after: float, bucket: str) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset-After": _seconds(reset_after),
        "X-RateLimit-Reset": _seconds(time.time() + reset_after),
        "X-RateLimit-Bucket": bucket,
    }


def too_many_requests_headers(retry_after: float, *, is_global: bool) -> dict[str, str]:
    headers = {
        "Via": _VIA,
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Scope": "global" if is_global else "user",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return headers


def generous_headers(route_template: str) -> dict[str, str]:
    return rate_limit_headers(limit=50, remaining=49, reset_after=1.0, bucket=bucket_hash(route_template))


class ReactionRateLimiter:
    """One request per ``interval`` seconds per channel across all reaction PUT/DELETE routes."""

    BUCKET = bucket_hash("reactions")

    def __init__(self, interval: float = 0.25, *, enabled: bool = True) -> None:
        self.interval = interval
        self.enabled = enabled
        self._next_allowed: dict[int, float] = {}

    def acquire(self, channel_id: int) -> dict[str, str]:
        """Consume the channel's token or raise ``RateLimited``; returns the headers to send."""
        if not self.enabled:
            return generous_headers("reactions")
        now = time.monotonic()
        next_allowed = self._next_allowed.get(channel_id, 0.0)
        if now < next_allowed:
            retry_after = next_allowed - now
            headers = rate_limit_headers(limit=1, remaining=0, reset_after=retry_after, bucket=self.BUCKET)
            headers |= too_many_requests_headers(retry_after, is_global=False)
            raise RateLimited(_round_up_to_ms(retry_after), headers)
        self._next_allowed[channel_id] = now + self.interval
        return rate_limit_headers(limit=1, remaining=0, reset_after=self.interval, bucket=self.BUCKET)
