"""The one place pyvips is imported and configured; every image module imports it from here.

- Untrusted loaders (SVG, PDF, ImageMagick, matload, …) are blocked process-wide: we only ever
  decode JPEG, PNG, WebP and GIF, and the others carry script or parser risk.
- libvips' operation cache is bounded: every upload is a distinct buffer, so caching results
  only pins memory (a cached operation keeps its input buffer alive).

Run libvips workers with MALLOC_ARENA_MAX=2: glibc gives each libvips worker thread its own
malloc arena and they fragment badly, so RSS creeps up under load. The process launcher sets it.
"""
import pyvips

pyvips.block_untrusted_set(True)
pyvips.cache_set_max(16)
pyvips.cache_set_max_mem(32 * 1024 * 1024)
pyvips.cache_set_max_files(4)

# thumbnail's "no limit" side: a box larger than any image we accept.
UNBOUNDED = 10_000_000

__all__ = ["pyvips", "UNBOUNDED"]
