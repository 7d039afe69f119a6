"""`python -m services.gateway`: the local origin of `make up` on PORT."""
from shared.config import Settings
from shared.server import configure_logging, serve

from services.upload.body import MULTIPART_OVERHEAD

from .proxy import Gateway


def main() -> None:
    s = Settings.from_env()
    configure_logging(s.log_level)
    upstreams = {"upload": s.upload_url, "metadata": s.metadata_url, "render": s.render_url}
    if not all(upstreams.values()):
        raise SystemExit("gateway: UPLOAD_URL, METADATA_URL and RENDER_URL must all be set")
    max_body = s.max_upload_bytes + MULTIPART_OVERHEAD
    serve(lambda: Gateway(upstreams, max_body), port=s.port, workers=1, threads=32)


if __name__ == "__main__":
    main()
