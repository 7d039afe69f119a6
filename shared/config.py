"""Every setting OnePic reads, declared once with its default and meaning.

This is the only module that reads the environment. Services receive a `Settings`
object from their entry point, so tests build one explicitly with `Settings(...)` or
`Settings.from_env({...})`.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

# The project root: var/ (standalone data) lives beside the code checkout.
ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def _option(env: str, default, doc: str):
    return field(default=default, metadata={"env": env, "doc": doc})


@dataclass(frozen=True)
class Settings:
    database_url: str = _option(
        "DATABASE_URL", f"sqlite:///{VAR}/onepic.db",
        "postgresql://user@host/db or sqlite:///path; owned by the metadata service.")
    broker_url: str = _option(
        "BROKER_URL", "memory://",
        "amqp://user:pass@host:5672/vhost (RabbitMQ) or memory:// (in-process).")
    cache_url: str = _option(
        "CACHE_URL", "memory://",
        "redis://host:6379/0 or memory:// (in-process); holds the read model.")
    blob_url: str = _option(
        "BLOB_URL", f"file://{VAR}/blobs",
        "file:///abs/path or s3://bucket?endpoint_url=…&region=…; credentials from "
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.")
    port: int = _option("PORT", 8080, "Port of the public origin (standalone or gateway).")
    public_url: str = _option(
        "PUBLIC_URL", "",
        "Absolute origin used in links (url, avatar_url); default http://127.0.0.1:<PORT>.")
    metadata_url: str = _option(
        "METADATA_URL", "",
        "Base URL of the metadata service's internal API; empty means in-process (standalone).")
    upload_url: str = _option(
        "UPLOAD_URL", "http://127.0.0.1:8102", "Where the local gateway (make up) sends uploads.")
    render_url: str = _option(
        "RENDER_URL", "http://127.0.0.1:8103", "Where the local gateway (make up) sends renders.")
    internal_token: str = _option(
        "INTERNAL_TOKEN", "onepic-dev-internal-token",
        "Shared secret the services send on /internal calls; set a real one in production.")
    queue_prefix: str = _option(
        "QUEUE_PREFIX", "onepic",
        "Prefix of RabbitMQ queue names, so several deployments can share a broker.")
    max_upload_bytes: int = _option(
        "MAX_UPLOAD_BYTES", 20 * 1024 * 1024, "Largest accepted upload body (413 above).")
    max_pixels: int = _option(
        "MAX_PIXELS", 50_000_000, "Largest width × height × frames accepted (422 above).")
    max_frames: int = _option(
        "MAX_FRAMES", 200, "Most frames accepted in an animated GIF/WebP (422 above).")
    avatar_max_age: int = _option(
        "AVATAR_MAX_AGE", 300, "Cache-Control max-age (seconds) of the avatar routes.")
    render_cache_bytes: int = _option(
        "RENDER_CACHE_BYTES", 256 * 1024 * 1024,
        "Size of the render service's process-local byte cache.")
    micro_cache_seconds: float = _option(
        "MICRO_CACHE_SECONDS", 0.5,
        "How long render may reuse a read-model answer without asking the cache again (≤ 1 s).")
    render_concurrency: int = _option(
        "RENDER_CONCURRENCY", 4, "On-the-fly renderings allowed at once per render process.")
    resizer_metrics_port: int = _option(
        "RESIZER_METRICS_PORT", 8104,
        "Port of the resizer's /healthz, /readyz and /metrics; 0 disables it.")
    smtp_url: str = _option(
        "SMTP_URL", "",
        "Outgoing mail: smtp://[user:pass@]host:port, or smtp+starttls://… to upgrade the "
        "connection with STARTTLS before logging in; empty writes messages to the log.")
    mail_from: str = _option(
        "MAIL_FROM", "OnePic <no-reply@onepic.invalid>",
        "From: header of the mail OnePic sends (email verification).")
    email_token_ttl: int = _option(
        "EMAIL_TOKEN_TTL", 24 * 3600,
        "Seconds an email verification link stays valid.")
    email_resend_interval: int = _option(
        "EMAIL_RESEND_INTERVAL", 60,
        "Fewest seconds between two verification messages to one address (429 sooner), so "
        "nobody can use OnePic to flood someone's mailbox.")
    log_level: str = _option("LOG_LEVEL", "INFO", "Python logging level.")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        values = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = type(f.default)(raw) if not isinstance(f.default, str) else raw
        return cls(**values)

    @property
    def origin(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def redacted(self) -> dict[str, object]:
        """Settings safe to log: credentials in URLs and the internal token are masked."""
        from urllib.parse import urlsplit, urlunsplit

        out: dict[str, object] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "internal_token":
                value = "***"
            elif isinstance(value, str) and "://" in value:
                parts = urlsplit(value)
                if parts.password:
                    netloc = f"{parts.username}:***@{parts.hostname}" + (
                        f":{parts.port}" if parts.port else "")
                    value = urlunsplit(parts._replace(netloc=netloc))
            out[f.name] = value
        return out


def documented_settings() -> list[tuple[str, object, str]]:
    """(ENV, default, doc) for every setting, for the README and `make help`."""
    return [(f.metadata["env"], f.default, f.metadata["doc"]) for f in dataclasses.fields(Settings)]
