"""From a plan (what to show) to bytes: fetch the source blob and transform it, with a bound
on how many transforms run at once so a flood of distinct sizes cannot starve the process.

A Job's `key` names its bytes exactly (image, source, box, fit, format), so the byte cache
and the strong ETag can both be derived from it."""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import cached_property

from shared.blobstore import BlobNotFound, BlobStore, original_key, variant_key
from shared.images import VARIANTS
from shared.readmodel import PhotoView

from . import sources

# How long a request waits for a transform slot before answering 503.
SLOT_WAIT_SECONDS = 2.0
# `size=original` is bounded like any box (w/h are clamped to 2048 too), so nothing render
# draws holds a decoded image larger than this on a side.
ORIGINAL_MAX_SIDE = 2048


class Busy(Exception):
    """No transform slot became free in time."""


class SourceMissing(Exception):
    """The read model names an image whose original is not in the blob store."""


@dataclass(frozen=True, kw_only=True)
class Job:
    op: str                   # "variant" (stored bytes as-is) | "sanitize" | "render" | "default"
    fmt: str
    sha256: str = ""          # the image's (not for a default)
    kind: str = ""            # a generated default's kind (identicon, mp, …)
    source: str = sources.ORIGINAL
    source_fmt: str = ""
    width: int | None = None
    height: int | None = None
    fit: str = ""
    ident: str = ""           # what a generated default is derived from (its seed)
    text: str = ""            # the letters of an `initials` default

    @cached_property  # a memoised plan (RenderApp._plan_box) reuses it on every warm hit
    def key(self) -> str:
        box = f"{self.width or ''}x{self.height or ''}"
        src = f"{self.source}.{self.source_fmt}" if self.source_fmt else self.source
        # The second part is the image, or the default's kind: keys (so ETags) as before.
        subject = self.kind if self.op == "default" else self.sha256
        return (f"{self.op}/{subject}/{src}/{box}/{self.fit}/{self.ident}/{self.text}/"
                f"{self.fmt}")


def plan_box(view: PhotoView, width: int | None, height: int | None, fit: str, fmt: str) -> Job:
    """A rendering of `view` into a box (fit: square | contain | cover)."""
    source, source_fmt = sources.choose(view, width, height, fit)
    return Job(op="render", fmt=fmt, sha256=view["sha256"], source=source,
               source_fmt=source_fmt or "", width=width, height=height, fit=fit)


def plan_named(view: PhotoView, name: str, fmt: str) -> Job:
    """A named size: the stored variant as it is, or (until it exists) its equivalent."""
    sha = view["sha256"]
    if name == sources.ORIGINAL:
        return Job(op="sanitize", fmt=fmt, sha256=sha)
    # The box is kept on a variant job too, so it can be rendered if the blob is missing.
    side = min(VARIANTS[name], max(view["width"], view["height"]))
    if fmt in view.get("variants", {}).get(name, ()):
        return Job(op="variant", fmt=fmt, sha256=sha, source=name, source_fmt=fmt, width=side,
                   height=side, fit="contain")
    return plan_box(view, side, side, "contain", fmt)


def plan_default(kind: str, size: int, fmt: str, seed: str = "", text: str = "") -> Job:
    return Job(op="default", fmt=fmt, kind=kind, source="", width=size, height=size,
               fit="square", ident=seed, text=text)


class Pipeline:
    def __init__(self, blobs: BlobStore, concurrency: int, defaults,
                 slot_wait: float = SLOT_WAIT_SECONDS):
        self.blobs = blobs
        self.defaults = defaults   # callable(kind, size, fmt, seed, text) -> bytes
        self.slots = threading.BoundedSemaphore(max(1, concurrency))
        self.slot_wait = slot_wait

    def produce(self, job: Job) -> tuple[Job, bytes]:
        """The bytes of `job`, and the job actually done: a missing variant blob falls back
        to the original, which changes the key."""
        if job.op == "default":
            return job, self._transform(self.defaults, job.kind, job.width, job.fmt,
                                        job.ident, job.text)
        if job.source != sources.ORIGINAL:
            try:
                data = self.blobs.get(variant_key(job.sha256, job.source, job.source_fmt))
            except BlobNotFound:
                job = replace(job, op="render", source=sources.ORIGINAL, source_fmt="")
            else:
                if job.op == "variant":
                    return job, data
                return job, self._render(data, job)
        try:
            original = self.blobs.get(original_key(job.sha256))
        except BlobNotFound as e:
            raise SourceMissing(job.sha256) from e
        if job.op == "sanitize":
            from shared.images import transform
            return job, self._transform(transform.sanitize, original, job.fmt, ORIGINAL_MAX_SIDE)
        return job, self._render(original, job)

    def _render(self, source: bytes, job: Job) -> bytes:
        from shared.images import transform
        return self._transform(lambda: transform.render(
            source, width=job.width, height=job.height, fit=job.fit, fmt=job.fmt))

    def _transform(self, fn, *args):
        if not self.slots.acquire(timeout=self.slot_wait):
            raise Busy()
        try:
            return fn(*args)
        finally:
            self.slots.release()
