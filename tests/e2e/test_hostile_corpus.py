"""The hostile corpus against the running system, in both modes, over HTTP only.

Refused files: the status and error code owed, the service still up, and nothing left behind
(no photo, no blob, no resize request). Accepted files: once ready, every named size in every
format and on-the-fly sizes look like the corpus says (size, orientation, quadrant colours,
transparency) and carry no metadata at all.
"""
from __future__ import annotations

import hashlib
import io
import time
import uuid

import pytest
import requests
from PIL import Image, ImageStat
from prometheus_client.parser import text_string_to_metric_families

from tests.hostile import corpus
from tests.hostile.inspect import leaks

from . import launch
from .client import sign_up

CASES = corpus.cases()
REFUSED = [c for c in CASES if c.status >= 400]
ACCEPTED = [c for c in CASES if c.status == 201]
SIZES = ("thumbnail", "small", "medium", "large", "original")
EXTS = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def post(api, case):
    return api.upload(case.data, filename=case.name, ctype=case.content_type)


def assert_alive(base_url: str) -> None:
    r = requests.get(base_url + "/healthz", timeout=10)
    assert r.status_code == 200, f"the service died: {r.status_code} {r.text[:200]}"


def assert_error(r, status: int, code: str | None) -> None:
    assert r.status_code == status, r.text[:300]
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"], body
    if code:
        assert body["error"]["code"] == code, body


def blobs_of(blobs, sha256: str) -> set:
    return blobs.keys(f"originals/{sha256}") | blobs.keys(f"variants/{sha256}/")


# --- refused ----------------------------------------------------------------------------------

@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused_file_gets_its_answer_and_leaves_nothing(user, base_url, blobs, case):
    originals_before = blobs.keys("originals/")
    assert_error(post(user, case), case.status, case.code)
    assert_alive(base_url)
    assert user.get("/v1/photos").json()["photos"] == []
    assert blobs_of(blobs, hashlib.sha256(case.data).hexdigest()) == set()
    # Other tests' uploads only ever add originals when they are answered, so any new one
    # here would be ours.
    assert blobs.keys("originals/") == originals_before


def _chunks(data: bytes, size: int = 64 * 1024):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("how", ["multipart", "raw", "raw-chunked"])
def test_over_the_byte_cap_is_413(user, base_url, blobs, how):
    data = corpus.reference().tobytes()  # pixels, not a format: the cap must answer first
    data = b"\xff\xd8\xff" + data * (launch.MAX_UPLOAD_BYTES // len(data) + 1)
    if how == "multipart":
        r = user.upload(data)
    else:
        body = _chunks(data) if how == "raw-chunked" else data
        r = user.request("POST", "/v1/photos", data=body, headers={"Content-Type": "image/jpeg"})
    assert_error(r, 413, "payload_too_large")
    assert_alive(base_url)
    assert user.get("/v1/photos").json()["photos"] == []
    assert blobs_of(blobs, hashlib.sha256(data).hexdigest()) == set()


def resize_requests_consumed(url: str) -> float:
    text = requests.get(url, timeout=10).text
    return sum(s.value for fam in text_string_to_metric_families(text)
               if fam.name == "onepic_events_consumed"
               for s in fam.samples
               if s.name.endswith("_total") and s.labels.get("service") == "resizer"
               and s.labels.get("queue") == "resize.requests")


def _sentinel(api) -> dict:
    """A unique picture, uploaded and processed: every resize request published before it has
    been consumed by the time it is ready (one queue, delivered in order)."""
    colour = tuple(uuid.uuid4().bytes[:3])
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, "JPEG")
    return api.wait_ready(api.upload_ok(out.getvalue())["id"])


def _settled(url: str, want=None, timeout: float = 10.0) -> float:
    """The consumed count once it stops moving (and has reached `want`, if given)."""
    deadline = time.monotonic() + timeout
    last = resize_requests_consumed(url)
    while True:
        time.sleep(0.5)
        now = resize_requests_consumed(url)
        if now == last and (want is None or now >= want):
            return now
        assert time.monotonic() < deadline, f"resize counter never settled: {last} → {now}"
        last = now


def test_refused_files_publish_no_event(base_url, resizer_metrics_url):
    api = sign_up(base_url)
    first = _sentinel(api)
    before = _settled(resizer_metrics_url)
    for case in REFUSED:
        assert post(api, case).status_code == case.status, case.name
    second = _sentinel(api)
    # Exactly one request consumed since `before`: the second sentinel's. A refused file that
    # had queued one would have been consumed ahead of it.
    assert _settled(resizer_metrics_url, want=before + 1) == before + 1
    ids = [p["id"] for p in api.get("/v1/photos").json()["photos"]]
    assert sorted(ids) == sorted([first["id"], second["id"]])


# --- accepted ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uploaded(system):
    """Every accepted file uploaded once per mode by one user, then waited for: the checks
    below look at the results without paying for a round of polling each."""
    api = sign_up(system.base_url)
    answers = {}
    for case in ACCEPTED:
        r = post(api, case)
        answers[case.name] = (r.status_code, r.json())
        assert_alive(system.base_url)
    ready = {}
    for name, (status, body) in answers.items():
        if status == 201:
            ready[name] = api.wait_ready(body["id"], timeout=30)
    return api, answers, ready


def _quadrant_boxes(w: int, h: int) -> list[tuple[int, int, int, int]]:
    # Well inside each quadrant, away from JPEG ringing at the borders.
    return [(x, y, x + max(1, w // 4), y + max(1, h // 4))
            for y in (h // 8, 5 * h // 8) for x in (w // 8, 5 * w // 8)]


def _mean(im: Image.Image, box) -> list[float]:
    return ImageStat.Stat(im.crop(box)).mean


def check_picture(case, data: bytes, ext: str, size: tuple[int, int] | None) -> None:
    shown = case.display
    assert leaks(data) == [], leaks(data)
    im = Image.open(io.BytesIO(data))
    assert im.format == {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}[ext]
    assert getattr(im, "n_frames", 1) == 1, "served animated"
    im.load()
    want_size = size or (shown["width"], shown["height"])
    assert im.size == want_size, (im.size, want_size)
    has_alpha = im.mode in ("RGBA", "LA") or "transparency" in im.info
    im = im.convert("RGBA")
    for i, (box, want) in enumerate(zip(_quadrant_boxes(*im.size), shown["quadrants"])):
        mean = _mean(im, box)
        if "alpha" in shown and ext != "jpg":
            assert has_alpha, "transparency lost"
            assert abs(mean[3] - shown["alpha"][i]) < 8, (i, mean)
            if shown["alpha"][i] == 0:
                continue
        got = mean[:3]
        if case.name == "cmyk.jpg":
            # Untagged CMYK goes through a real press profile, which dulls saturated colours:
            # the hue must survive, not the exact value (see tests/unit/images).
            if min(want) > 200:
                assert min(got) > 200, (i, got)
            else:
                assert got.index(max(got)) == want.index(max(want)), (i, got, want)
        else:
            assert all(abs(a - b) <= 25 for a, b in zip(got, want)), (i, got, want)


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted_file_is_served_sanitized(uploaded, case):
    api, answers, ready = uploaded
    status, body = answers[case.name]
    assert status == 201, body
    photo = ready[case.name]
    assert (photo["width"], photo["height"]) == (case.display["width"], case.display["height"])
    assert all(photo["variants"].values()), photo["variants"]
    longest = max(case.display["width"], case.display["height"])
    for ext, ctype in EXTS.items():
        urls = {f"size={s}": None for s in SIZES}  # the corpus is smaller than every size
        urls["w=60"] = (60, round(60 * case.display["height"] / case.display["width"]))
        urls["w=50&h=50&fit=cover"] = (50, 50)
        for query, size in urls.items():
            if size is None and longest > 128:
                pytest.fail("corpus pictures are expected to be smaller than every named size")
            r = api.get(f"/i/{photo['id']}.{ext}?{query}")
            assert r.status_code == 200, (ext, query, r.status_code)
            assert r.headers["Content-Type"] == ctype, (ext, query)
            assert r.headers.get("X-Content-Type-Options") == "nosniff"
            try:
                check_picture(case, r.content, ext, size)
            except AssertionError as e:
                raise AssertionError(f"{case.name} as .{ext}?{query}: {e}") from None
