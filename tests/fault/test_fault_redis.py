"""Redis flushed, then stopped, under read load: the origin keeps answering with the right
picture (misses heal the read model; without Redis render asks metadata, slower), render and
metadata stay ready (guarantee 3), and a change made while Redis is down shows once it is
back, without anyone rebuilding anything."""
import threading
import time

from tests.e2e.images import GREEN, RED, close_to, decode, jpeg

from .system import converge


def shows(anonymous, username, colour) -> bool:
    r = anonymous.get(f"/{username}")
    return r.status_code == 200 and close_to(decode(r.content), colour)


def test_redis_flushed_and_stopped_under_load(system, user, anonymous, recovery):
    red = user.upload_ok(jpeg(RED), activate="true")
    green = user.upload_ok(jpeg(GREEN))
    for p in (red, green):
        user.wait_ready(p["id"], timeout=30)
    assert shows(anonymous, user.username, RED)

    wrong, stop = [], threading.Event()
    expected = [RED]

    def read_load():
        while not stop.is_set():
            r = anonymous.get(f"/{user.username}")
            if r.status_code != 200:
                wrong.append(r.status_code)

    reader = threading.Thread(target=read_load, daemon=True)
    reader.start()
    try:
        system.redis.flush()
        converge(lambda: shows(anonymous, user.username, RED), 5, "served after FLUSHALL")
        system.redis.stop()
        time.sleep(0.5)
        assert shows(anonymous, user.username, RED)       # from metadata, without Redis
        assert system.ops("render", "/readyz").status_code == 200
        assert system.ops("metadata", "/readyz").status_code == 200
        # A change while Redis is down: committed, its read-model write pending.
        user.activate(green["id"])
        expected[0] = GREEN
        converge(lambda: shows(anonymous, user.username, GREEN), 5,
                 "the change served while Redis is down")
        system.redis.start()
        back = time.monotonic()
        converge(lambda: shows(anonymous, user.username, GREEN), 10,
                 "the change served once Redis is back")
        recovery["Redis restart → change served"] = time.monotonic() - back
        # The pending write lands: the read model itself converges (not only the fallback).
        converge(lambda: 'onepic_read_model_refresh_lag_seconds 0.0' in
                 system.ops("metadata-worker", "/metrics").text, 30, "no refresh pending")
    finally:
        stop.set()
        reader.join(10)
    assert wrong == [], sorted(set(wrong))
