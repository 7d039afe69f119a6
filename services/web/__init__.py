"""The web page at `/` (docs/decisions/0070): a static HTML shell, our own ES modules and
the vendored libraries under /web/, served by the metadata service (pages.py)."""
