"""Injected failures: "the next N matching requests fail with this status", and REST being unreachable."""

from __future__ import annotations

import dataclasses
import http
import re

from .errors import DiscordError
from .ratelimits import RateLimited, too_many_requests_headers


@dataclasses.dataclass
class FaultRule:
    """Matches on method and either the exact route template or a regex over the concrete path."""

    method: str
    route: str | re.Pattern[str]
    status: int
    remaining: int
    retry_after: float
    is_global: bool
    code: int | None
    message: str | None

    def matches(self, method: str, template: str, path: str) -> bool:
        if self.method != "*" and self.method.upper() != method:
            return False
        if isinstance(self.route, re.Pattern):
            return self.route.search(path) is not None
        return self.route == template

    def failure(self) -> Exception:
        if self.status == 429:
            headers = too_many_requests_headers(self.retry_after, is_global=self.is_global)
            return RateLimited(self.retry_after, headers, is_global=self.is_global)
        message = self.message or f"{self.status}: {http.HTTPStatus(self.status).phrase}"
        return DiscordError(self.status, self.code or 0, message)


class FaultInjector:
    """Holds pending fault rules; the first matching rule fires and counts down."""

    def __init__(self) -> None:
        self._rules: list[FaultRule] = []
        self._slow: list[list] = []  # [rule, seconds]: answers held back after the request took effect
        self.refusing = False  # REST is unreachable: every connection is dropped without an answer
        self.refused = 0  # requests dropped while refusing

    def add(self, rule: FaultRule) -> None:
        self._rules.append(rule)

    def take(self, method: str, template: str, path: str) -> Exception | None:
        for rule in self._rules:
            if rule.matches(method, template, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule.failure()
        return None

    def clear(self) -> None:
        self._rules.clear()
        self._slow.clear()

    def slow(self, method: str, route: str | re.Pattern[str], seconds: float, times: int) -> None:
        self._slow.append([FaultRule(method, route, 200, times, 0.0, False, None, None), seconds])

    def delay(self, method: str, template: str, path: str) -> float:
        """How long to hold the answer to this request (already handled) before sending it."""
        for entry in self._slow:
            rule, seconds = entry
            if rule.matches(method, template, path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._slow.remove(entry)
                return seconds
        return 0.0

    @property
    def pending(self) -> int:
        """How many injected failures have not fired yet."""
        return sum(rule.remaining for rule in self._rules)
