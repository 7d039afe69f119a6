"""PostgreSQL stopped during reads and writes: known avatars keep being served (render reads
Redis, design guarantee 3); every API that needs the database answers 503 with
Retry-After, never 500; accepted writes resume once it is back."""
import threading
import time

from tests.e2e.images import BLUE, close_to, decode, jpeg

from .system import converge


def test_postgres_stopped_during_reads_and_writes(system, user, anonymous, recovery):
    photo = user.upload_ok(jpeg(BLUE), activate="true")
    user.wait_ready(photo["id"], timeout=30)
    assert close_to(decode(anonymous.get(f"/{user.username}").content), BLUE)

    statuses, stop = [], threading.Event()

    def read_load():
        while not stop.is_set():
            r = anonymous.get(f"/{user.username}")
            statuses.append(r.status_code if close_to(decode(r.content), BLUE) else -1)

    reader = threading.Thread(target=read_load, daemon=True)
    reader.start()
    system.postgres.stop()
    try:
        time.sleep(1)
        for method, path, kw in (("GET", "/v1/me", {}),
                                 ("PUT", "/v1/me/active-photo", {"json": {"photo_id": None}}),
                                 ("POST", "/v1/photos",
                                  {"files": {"file": ("p.jpg", jpeg((1, 2, 3)), "image/jpeg")}})):
            r = user.request(method, path, **kw)
            assert r.status_code == 503, (path, r.status_code, r.text)
            assert r.headers.get("Retry-After"), path
            assert r.json()["error"]["code"]
        # Render stays in the load balancer; metadata is honestly unready.
        assert system.ops("render", "/readyz").status_code == 200
        assert system.ops("metadata", "/readyz").status_code == 503
        time.sleep(1)
    finally:
        system.postgres.start()
        back = time.monotonic()
    stop.set()
    reader.join(10)
    assert statuses and all(s == 200 for s in statuses), sorted(set(statuses))

    def write_works():
        return user.upload(jpeg((5, 150, 150))).status_code == 201

    converge(write_works, 30, "uploads after PostgreSQL is back")
    recovery["PostgreSQL restart → first accepted upload"] = time.monotonic() - back
