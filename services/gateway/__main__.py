"""`python -m services.gateway`: the local origin of `make up` on PORT."""
from shared.config import Settings
from shared.server import configure_logging, serve
from shared.uploads import MULTIPART_OVERHEAD

from .proxy import Gateway

THREADS = 32


def main() -> None:
    s = Settings.from_env()
    configure_logging(s.log_level)
    # UPLOAD_URL and RENDER_URL have defaults; METADATA_URL is empty unless set (its empty
    # value means "in-process" to upload and render), so it is the one that can be missing.
    if not s.metadata_url:
        raise SystemExit("gateway: METADATA_URL must be set")
    upstreams = {"upload": s.upload_url, "metadata": s.metadata_url, "render": s.render_url}
    max_body = s.max_upload_bytes + MULTIPART_OVERHEAD
    # The upstream connection pool matches the serving threads (see Gateway).
    serve(lambda: Gateway(upstreams, max_body, pool_size=THREADS), port=s.port, workers=1,
          threads=THREADS)


if __name__ == "__main__":
    main()
