"""Box plans are remembered on the micro-cache entry they were made from: planned once per
entry and box while it lives, planned afresh when the entry changes."""
from services.render import pipeline
from tests import imagefactory as f


def test_a_box_is_planned_once_per_entry_and_again_after_a_change(make_world, monkeypatch):
    w = make_world(micro_cache_seconds=60)  # nothing expires during the test
    view = w.add_photo("p1", f.solid_jpeg(300, 200, (200, 0, 0)))
    w.set_user("alice", view)
    planned = []
    real = pipeline.plan_box

    def counting(*args):
        planned.append(args[1:])
        return real(*args)

    monkeypatch.setattr(pipeline, "plan_box", counting)
    for _ in range(3):
        assert w.get("/alice?s=40").status_code == 200
    assert w.get("/alice?s=50").status_code == 200
    assert planned == [(40, 40, "square", "jpeg"), (50, 50, "square", "jpeg")]

    w.set_user("alice", w.add_photo("p2", f.solid_jpeg(300, 200, (0, 0, 200))))  # announced
    r = w.get("/alice?s=40")
    assert r.status_code == 200 and len(planned) == 3  # the new entry is planned anew
