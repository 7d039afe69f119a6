"""kill -9 of the resizer and of the metadata worker in the middle of a batch: every accepted
upload still ends `ready`, within a stated time of the restart."""
import time

import pytest

from tests.e2e.images import close_to, decode, jpeg

from .system import converge

BATCH = 6
BOUND = 45.0  # s from the kill to every photo ready (restart, reconnect, redelivery)


def upload_batch(user, shade: int) -> list[dict]:
    return [user.upload_ok(jpeg((shade, 20 * i, 255 - 20 * i), size=(1200, 900)))
            for i in range(BATCH)]


def all_ready(user, photos) -> bool:
    return all(user.get(f"/v1/photos/{p['id']}").json()["status"] == "ready" for p in photos)


@pytest.mark.parametrize("victim", ["resizer", "metadata-worker"])
def test_a_process_killed_mid_batch_loses_no_upload(system, user, anonymous, recovery, victim):
    shade = 40 if victim == "resizer" else 90
    photos = upload_batch(user, shade)[: BATCH // 2]
    old = system.kill(victim)
    killed_at = time.monotonic()
    # While it is down (or restarting), uploads are still accepted and pictures served from
    # the original.
    late = user.upload_ok(jpeg((200, 200, 30)))
    assert anonymous.get(f"/i/{late['id']}", params={"size": "small"}).status_code == 200
    photos += [user.upload_ok(jpeg((shade, 7 * i, 9 * i), size=(1200, 900)))
               for i in range(BATCH // 2)]
    system.restarted(victim, old)
    photos.append(late)
    converge(lambda: all_ready(user, photos), BOUND, f"photos ready after kill -9 {victim}")
    recovery[f"kill -9 {victim} → batch ready"] = time.monotonic() - killed_at
    img = decode(anonymous.get(f"/i/{late['id']}", params={"size": "small"}).content)
    assert max(img.size) == 256 and close_to(img, (200, 200, 30))
    converge(lambda: system.ops(victim, "/healthz").status_code == 200, 30,
             f"the restarted {victim} answers /healthz")
