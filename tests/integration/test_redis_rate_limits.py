"""The rate limiter (shared/ratelimit.py) on a real Redis: counted there, so every worker
process of a service shares one count; refused past the limit; a Redis that is down lets
requests through (fail open, docs/decisions/0031)."""
import pytest

from shared.ratelimit import Limiter, RateLimited

pytestmark = pytest.mark.security


def test_counts_are_shared_through_redis(redis_url, run_id):
    one = Limiter(redis_url, {"signup": "3/minute"})
    two = Limiter(redis_url, {"signup": "3/minute"})   # another worker process
    key = f"{run_id}-addr"
    one.check(("signup", key))
    two.check(("signup", key))
    one.check(("signup", key))
    with pytest.raises(RateLimited) as refused:
        two.check(("signup", key))
    assert dict(refused.value.headers)["RateLimit-Policy"] == '"signup";q=3;w=60'


def test_a_dead_redis_lets_requests_through(closed_port):
    lim = Limiter(f"redis://127.0.0.1:{closed_port}/0", {"signup": "1/minute"})
    for _ in range(3):
        assert lim.check(("signup", "a")).headers == []
