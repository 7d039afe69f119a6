"""The one place pyvips is imported and configured; every image module imports it from here.

- Loaders are allow-listed process-wide: only JPEG, PNG, WebP and GIF can be decoded.
  `block_untrusted_set` alone is not enough — it leaves TIFF, HEIF, UltraHDR, CSV, matrix,
  raw and .v loaders reachable through `new_from_buffer`/`thumbnail_buffer`, which pick a
  loader by libvips' own sniffing. With every other loader blocked, even a file that slipped
  past our magic-byte sniff cannot reach a parser we did not choose. (UltraHDR JPEGs then
  load through the plain JPEG loader: the SDR base picture, which is what we serve.)
- libvips' operation cache is bounded: every upload is a distinct buffer, so caching results
  only pins memory (a cached operation keeps its input buffer alive).

Run libvips workers with MALLOC_ARENA_MAX=2: glibc gives each libvips worker thread its own
malloc arena and they fragment badly, so RSS creeps up under load. The process launcher sets it.
- pyvips hands libvips' own messages to Python logging, where its INFO chatter ("thumbnailing
  …", "reducev: 21 point mask", a dozen lines per operation) passed at the services' default
  LOG_LEVEL=INFO: formatting and writing it cost more CPU per upload than hashing the upload.
  Warnings and errors still come through.
"""
import logging

import pyvips

logging.getLogger("pyvips").setLevel(logging.WARNING)

# Base classes of the loaders we decode; blocking/unblocking a class covers its
# file/buffer/source subclasses.
ALLOWED_LOADERS = ("VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadWebp",
                   "VipsForeignLoadNsgif")

pyvips.block_untrusted_set(True)
pyvips.operation_block_set("VipsForeignLoad", True)
for _loader in ALLOWED_LOADERS:
    pyvips.operation_block_set(_loader, False)

pyvips.cache_set_max(16)
pyvips.cache_set_max_mem(32 * 1024 * 1024)
pyvips.cache_set_max_files(4)

# thumbnail's "no limit" side: a box larger than any image we accept.
UNBOUNDED = 10_000_000

__all__ = ["ALLOWED_LOADERS", "UNBOUNDED", "pyvips"]
