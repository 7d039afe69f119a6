"""Two racing active-photo changes, and a delete: within the bound (API.md: 1 s) the origin
serves exactly what the database says, never the superseded or deleted picture."""
import threading
import time

from tests.e2e.images import BLUE, GREEN, close_to, decode, jpeg

from .system import converge

BOUND = 1.0  # s, after the change returned (API.md)


def test_racing_active_photo_changes_converge_on_the_last_committed(system, user, anonymous,
                                                                     recovery):
    colours = {}
    for colour in (BLUE, GREEN):
        p = user.upload_ok(jpeg(colour))
        user.wait_ready(p["id"], timeout=30)
        colours[p["id"]] = colour
    ids = list(colours)
    worst = 0.0
    for round_ in range(10):
        barrier = threading.Barrier(2)

        def change(photo_id, barrier=barrier):
            barrier.wait()
            user.activate(photo_id)

        threads = [threading.Thread(target=change, args=(pid,)) for pid in
                   (ids if round_ % 2 else ids[::-1])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done = time.monotonic()
        winner = user.get("/v1/me").json()["active_photo_id"]

        def served_winner(winner=winner):
            r = anonymous.get(f"/{user.username}")
            return close_to(decode(r.content), colours[winner])

        converge(served_winner, BOUND, f"round {round_}: the committed active photo")
        worst = max(worst, time.monotonic() - done)
        # And it stays: no older write lands afterwards.
        time.sleep(0.3)
        assert served_winner(), f"round {round_}: an older state came back"
    recovery["racing active-photo changes → served (worst of 10)"] = worst


def test_a_deleted_photo_stops_being_served(system, user, anonymous, recovery):
    p = user.upload_ok(jpeg(BLUE), activate="true")
    user.wait_ready(p["id"], timeout=30)
    assert anonymous.get(f"/i/{p['id']}").status_code == 200
    assert close_to(decode(anonymous.get(f"/{user.username}").content), BLUE)
    assert user.request("DELETE", f"/v1/photos/{p['id']}").status_code == 204
    done = time.monotonic()
    converge(lambda: anonymous.get(f"/i/{p['id']}").status_code == 404, BOUND, "/i/ gone")
    converge(lambda: not close_to(decode(anonymous.get(f"/{user.username}").content), BLUE),
             BOUND, "the avatar no longer shows it")
    recovery["delete → not served"] = time.monotonic() - done
