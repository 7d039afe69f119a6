"""Rate limits on what costs us or someone else (sign-up, token creation, uploads, email
claims, on-the-fly renders), counted in the cache's Redis (memory:// in standalone) by the
`limits` library's sliding-window counter: two counters per key, no hand-written arithmetic.

A limit is a `limits` string ("10/minute;100/day"), one setting per rule (shared/config.py).
`check` counts one hit for every rule and key it is given and raises `RateLimited` for the
first one over its limit; the answer then carries `Retry-After` and the IETF
`RateLimit-Policy` / `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers):

    RateLimit-Policy: "signup";q=10;w=3600
    RateLimit: "signup";r=0;t=1800

Each refusal is remembered in the process until the time its Retry-After names: a client
flooding past its limit is answered from memory, with no Redis round trip per request (the
count would not change: a refused hit is not counted). A caller that drops the fields of a
pass (render) asks `check(..., report=False)`: one round trip per limit instead of two.

A limiter that cannot reach its storage lets the request through and logs: a Redis outage
must not turn every write into an error, and the read path already serves (slower) without
Redis. `RATE_LIMITS=off` makes every check pass (test suites that sign up many accounts).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

log = logging.getLogger(__name__)

KEY_PREFIX = "onepic-rl"
# Refusals remembered per limiter (process); past it the oldest are dropped.
REFUSALS_KEPT = 10_000


class RateLimited(Exception):
    """Over a limit: `headers` go on the 429 answer."""

    def __init__(self, rule: str, retry_after: int, headers: list[tuple[str, str]]):
        super().__init__(f"rate limit {rule!r} exceeded")
        self.rule, self.retry_after, self.headers = rule, retry_after, headers


@dataclass(frozen=True)
class Outcome:
    """The tightest limit of a passed check, as response headers (empty when off)."""
    headers: list[tuple[str, str]]


def _policy(rule: str, item: RateLimitItem) -> str:
    return f'"{rule}";q={item.amount};w={item.get_expiry()}'


def _storage(url: str):
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        # One per limiter: each rule is counted by one service, so nothing needs sharing.
        return storage_from_string("memory://")
    if scheme in ("redis", "rediss"):
        # Short timeouts: a limit is not worth a request hanging on a sick Redis.
        return storage_from_string(url, key_prefix=KEY_PREFIX, wrap_exceptions=True,
                                   socket_timeout=0.5, socket_connect_timeout=0.5)
    raise ValueError(f"rate-limit storage: unsupported scheme {scheme!r}")


class Limiter:
    def __init__(self, url: str, rules: dict[str, str], enabled: bool = True):
        """`rules` maps a rule name to its `limits` string; `url` is CACHE_URL."""
        self.enabled = enabled
        self.rules = {name: parse_many(spec) for name, spec in rules.items()}
        self._strategy = SlidingWindowCounterRateLimiter(_storage(url)) if enabled else None
        # (rule, key) → (until, the limit that refused): answered here until `until`.
        self._refused: dict[tuple[str, str], tuple[float, RateLimitItem]] = {}

    @classmethod
    def from_settings(cls, settings) -> Limiter:
        return cls(settings.cache_url, settings.rate_limit_rules(),
                   enabled=settings.rate_limits != "off")

    def check(self, *hits: tuple[str, str], report: bool = True) -> Outcome:
        """Count one hit for each (rule, key); RateLimited for the first over its limit.

        Every rule is tried before deciding (a hit over its limit is not counted by
        `limits`), so the answer names the first refusal and the headers of a pass name the
        limit closest to running out. With `report=False` a pass carries no headers and
        costs one round trip per limit (the fields need a second). A (rule, key) refused
        before, until its Retry-After, is refused without asking the storage, and counts
        none of the other hits."""
        if not self.enabled or not hits:
            return Outcome([])
        now = time.time()
        for hit in hits:
            known = self._refused.get(hit)
            if known is not None:
                if known[0] > now:
                    raise _refusal(hit[0], known[1], known[0], now)
                self._refused.pop(hit, None)
        try:
            return self._check(hits, report)
        except RateLimited:
            raise
        except Exception as e:  # noqa: BLE001 - limits wraps storage errors; fail open
            log.warning("rate limits not checked (storage unavailable): %s", type(e).__name__)
            return Outcome([])

    def _check(self, hits, report: bool) -> Outcome:
        refused = None
        tightest = None   # (remaining, rule, item, reset)
        for rule, key in hits:
            for item in self.rules[rule]:
                ok = self._strategy.hit(item, rule, key)
                if not ok or report:
                    reset, remaining = self._strategy.get_window_stats(item, rule, key)
                if not ok and refused is None:
                    refused = (rule, key, item, reset)
                if report and (tightest is None or remaining < tightest[0]):
                    tightest = (remaining, rule, item, reset)
        now = time.time()
        if refused is not None:
            rule, key, item, reset = refused
            until = max(reset, now + 1)   # Retry-After is at least 1 s
            self._remember(rule, key, until, item, now)
            raise _refusal(rule, item, until, now)
        if not report:
            return Outcome([])
        remaining, rule, item, reset = tightest
        t = max(0, math.ceil(reset - now))
        return Outcome([("RateLimit-Policy", _policy(rule, item)),
                        ("RateLimit", f'"{rule}";r={remaining};t={t}')])

    def _remember(self, rule: str, key: str, until: float, item: RateLimitItem,
                  now: float) -> None:
        refused = self._refused
        if len(refused) >= REFUSALS_KEPT:  # rare: drop what has run out, else the oldest
            # A snapshot, and pop: other request threads add and drop entries meanwhile.
            for old, (end, _) in list(refused.items()):
                if end <= now:
                    refused.pop(old, None)
            if len(refused) >= REFUSALS_KEPT:
                refused.pop(next(iter(list(refused)), None), None)
        refused[(rule, key)] = (until, item)


def _refusal(rule: str, item: RateLimitItem, until: float, now: float) -> RateLimited:
    wait = max(1, math.ceil(until - now))
    return RateLimited(rule, wait, [
        ("Retry-After", str(wait)), ("RateLimit-Policy", _policy(rule, item)),
        ("RateLimit", f'"{rule}";r=0;t={wait}')])
