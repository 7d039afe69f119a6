"""RabbitMQ killed and restarted with messages in flight: uploads during the outage are
accepted (the outbox keeps their requests), and every photo ends ready once it is back."""
import time

from tests.e2e.images import GREEN, close_to, decode, jpeg

from .system import converge


def test_rabbitmq_restart_with_messages_in_flight(system, user, anonymous, recovery):
    before = [user.upload_ok(jpeg((20 * i, 100, 50), size=(1200, 900))) for i in range(4)]
    system.rabbit.kill()
    during = user.upload_ok(jpeg(GREEN))
    assert during["status"] == "processing"
    r = anonymous.get(f"/i/{during['id']}", params={"size": "small"})
    assert r.status_code == 200 and close_to(decode(r.content), GREEN)
    system.rabbit.start()
    back = time.monotonic()
    photos = before + [during]
    converge(lambda: all(user.get(f"/v1/photos/{p['id']}").json()["status"] == "ready"
                         for p in photos), 60, "photos ready after the broker restart")
    recovery["RabbitMQ restart → all ready"] = time.monotonic() - back
    img = decode(anonymous.get(f"/i/{during['id']}", params={"size": "small"}).content)
    assert max(img.size) == 256 and close_to(img, GREEN)
    converge(lambda: system.ops("resizer", "/readyz").status_code == 200, 30, "resizer ready")
