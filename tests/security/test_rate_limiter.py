"""Finding 2: no rate limit anywhere. The limiter every rule goes through (shared/ratelimit.py):
counts per key, refuses past the limit with Retry-After and the IETF RateLimit fields,
switched off by RATE_LIMITS=off, and lets requests through when its storage is down."""
import pytest

from shared.config import Settings
from shared.ratelimit import Limiter, RateLimited


def limiter(spec="3/minute", **kw):
    return Limiter("memory://", {"signup": spec}, **kw)


def test_refuses_past_the_limit_with_retry_after_and_ietf_fields():
    lim = limiter()
    for _ in range(3):
        lim.check(("signup", "198.51.100.7"))
    with pytest.raises(RateLimited) as refused:
        lim.check(("signup", "198.51.100.7"))
    headers = dict(refused.value.headers)
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert headers["RateLimit-Policy"] == '"signup";q=3;w=60'
    assert headers["RateLimit"] == f'"signup";r=0;t={headers["Retry-After"]}'


def test_keys_are_counted_apart():
    lim = limiter("1/minute")
    lim.check(("signup", "198.51.100.7"))
    lim.check(("signup", "198.51.100.8"))
    with pytest.raises(RateLimited):
        lim.check(("signup", "198.51.100.7"))


def test_a_pass_says_what_is_left():
    outcome = limiter("5/minute").check(("signup", "a"))
    assert dict(outcome.headers)["RateLimit"].startswith('"signup";r=4;t=')


def test_every_limit_of_a_rule_counts():
    lim = limiter("100/minute;2/day")
    lim.check(("signup", "a"))
    lim.check(("signup", "a"))
    with pytest.raises(RateLimited) as refused:
        lim.check(("signup", "a"))
    assert dict(refused.value.headers)["RateLimit-Policy"] == '"signup";q=2;w=86400'


def test_off_lets_everything_through():
    lim = limiter("1/minute", enabled=False)
    for _ in range(5):
        assert lim.check(("signup", "a")).headers == []
    assert Limiter.from_settings(Settings(rate_limits="off")).enabled is False
    assert Limiter.from_settings(Settings()).enabled is True


def test_storage_down_fails_open():
    # Port 1 on loopback: nothing listens, the connection is refused at once.
    lim = Limiter("redis://127.0.0.1:1/0", {"signup": "1/minute"})
    for _ in range(3):
        assert lim.check(("signup", "a")).headers == []


def test_default_rules_parse():
    rules = Limiter.from_settings(Settings()).rules
    assert set(rules) >= {"signup", "tokens_user", "tokens_addr", "uploads", "email_claims",
                          "renders", "renders_photo"}


def test_a_pass_without_report_carries_no_fields_and_still_counts():
    lim = limiter("2/minute")
    assert lim.check(("signup", "a"), report=False).headers == []
    lim.check(("signup", "a"), report=False)
    with pytest.raises(RateLimited) as refused:
        lim.check(("signup", "a"), report=False)
    assert dict(refused.value.headers)["RateLimit-Policy"] == '"signup";q=2;w=60'


class Unreachable:
    """A storage that is down, and says whether it was asked."""

    asked = False

    def hit(self, *a, **k):
        self.asked = True
        raise ConnectionError("down")

    get_window_stats = hit


def test_a_refusal_is_answered_from_memory_until_its_retry_after(monkeypatch):
    from shared import ratelimit
    lim = Limiter("memory://", {"signup": "1/minute", "other": "5/minute"})
    lim.check(("signup", "a"))
    with pytest.raises(RateLimited) as first:
        lim.check(("signup", "a"))
    wait = first.value.retry_after
    counting, lim._strategy = lim._strategy, Unreachable()
    with pytest.raises(RateLimited) as again:   # no storage call, nothing else counted
        lim.check(("signup", "a"), ("other", "b"))
    assert not lim._strategy.asked
    assert again.value.retry_after <= wait
    assert dict(again.value.headers)["RateLimit-Policy"] == '"signup";q=1;w=60'
    later = ratelimit.time.time() + wait + 1
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)
    lim.check(("signup", "a"))   # past its Retry-After: the storage is asked again
    assert lim._strategy.asked
    lim._strategy = counting
    monkeypatch.undo()
    stats = counting.get_window_stats(lim.rules["other"][0], "other", "b")
    assert stats.remaining == 5   # the refused request counted nothing on "other"
