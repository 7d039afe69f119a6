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


DEV_INTERNAL_TOKEN = "onepic-dev-internal-token"  # noqa: S105 - the known dev default, refused outside standalone
MIN_INTERNAL_TOKEN = 32


class ConfigError(RuntimeError):
    """A setting that must not be used where it is (the process refuses to start)."""


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _parse(env: str, default, raw: str):
    """`raw` as the type of `default`. Not bool(raw): that is True for "false" and "0"."""
    if isinstance(default, str):
        return raw
    if isinstance(default, bool):
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ConfigError(f"{env} must be true or false, not {raw!r}")
        return word in _TRUE
    try:
        return type(default)(raw)
    except ValueError:
        kind = "a whole number" if isinstance(default, int) else "a number"
        raise ConfigError(f"{env} must be {kind}, not {raw!r}") from None


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
    host: str = _option(
        "HOST", "127.0.0.1",
        "Address standalone's server binds; 0.0.0.0 to be reached from outside (the container "
        "image sets it).")
    port: int = _option("PORT", 8080,
                        "Port of the public origin (standalone, or nginx in `make up`).")
    public_url: str = _option(
        "PUBLIC_URL", "",
        "Absolute origin used in links (url, avatar_url); default http://127.0.0.1:<PORT>.")
    metadata_url: str = _option(
        "METADATA_URL", "",
        "Base URL of the metadata service's internal API; empty means in-process (standalone).")
    metadata_public_url: str = _option(
        "METADATA_PUBLIC_URL", "",
        "Base URL of metadata's public API, for upload: a front door that routes by path only "
        "(a Kubernetes Ingress) sends upload every method of /v1/photos, and upload hands the "
        "ones that are metadata's (GET: the photo list) on to it. Empty: upload answers them "
        "405 (standalone; `make up` and deploy/k8s set it).")
    internal_token: str = _option(
        "INTERNAL_TOKEN", DEV_INTERNAL_TOKEN,
        "Shared secret the services send on /internal calls. Outside standalone the services "
        f"refuse to start with this default or one shorter than {MIN_INTERNAL_TOKEN} characters; "
        "`make up` generates one per run.")
    internal_port: int = _option(
        "INTERNAL_PORT", 8106,
        "Port of metadata's internal API (/internal/…, for upload and render only); the "
        "public API's port does not serve it.")
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
    resizer_consumers: int = _option(
        "RESIZER_CONSUMERS", 2,
        "Resize requests one resizer process works on at once, each on its own broker "
        "consumer: one at a time leaves a core idle while the other waits on I/O.")
    resizer_metrics_port: int = _option(
        "RESIZER_METRICS_PORT", 8104,
        "Port of the resizer's /healthz, /readyz and /metrics; 0 disables it.")
    metadata_worker_port: int = _option(
        "METADATA_WORKER_PORT", 8105,
        "Port of the metadata worker's /healthz (its loops beat), /readyz and /metrics; 0 "
        "disables it.")
    gc_interval: float = _option(
        "GC_INTERVAL", 300.0,
        "Seconds between the metadata worker's garbage-collection passes (bytes no photo "
        "uses, orphans, temp files); 0 disables them.")
    gc_grace: float = _option(
        "GC_GRACE", 3600.0,
        "Seconds an image stays unreferenced, and an orphan or temp file untouched, before "
        "garbage collection removes its bytes.")
    resize_timeout: float = _option(
        "RESIZE_TIMEOUT", 60.0,
        "Seconds the resizer may spend on one image before it kills the work (a failed "
        "attempt; after 3 more the image is dead-lettered and its photo `failed`).")
    resize_max_memory_mb: int = _option(
        "RESIZE_MAX_MEMORY_MB", 1024,
        "Resident memory (MiB) the resizer's variant worker may use for one image; above it "
        "the work is killed, as for RESIZE_TIMEOUT.")
    smtp_url: str = _option(
        "SMTP_URL", "",
        "Outgoing mail: smtp://[user:pass@]host:port, or smtp+starttls://… to upgrade the "
        "connection with STARTTLS before logging in; empty writes messages to the log "
        "(standalone only: the services refuse to start without it).")
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
    token_ttl: int = _option(
        "TOKEN_TTL", 30 * 24 * 3600, "Seconds an API token stays valid after it is issued.")
    rate_limits: str = _option(
        "RATE_LIMITS", "on",
        "`off` switches every rate limit off (test suites that sign up many accounts).")
    trusted_proxies: str = _option(
        "TRUSTED_PROXIES", "",
        "Comma-separated addresses/networks of our own proxies: only from these peers is "
        "X-Forwarded-For believed (its right-most untrusted address is the client).")
    limit_signup: str = _option(
        "LIMIT_SIGNUP", "10/hour;50/day", "Sign-ups per client address.")
    limit_tokens_per_username: str = _option(
        "LIMIT_TOKENS_PER_USERNAME", "10/minute;100/day",
        "Token requests (sign-in attempts) per username.")
    limit_tokens_per_address: str = _option(
        "LIMIT_TOKENS_PER_ADDRESS", "30/minute;500/day",
        "Token requests (sign-in attempts) per client address.")
    limit_uploads: str = _option(
        "LIMIT_UPLOADS", "60/minute;2000/day", "Uploads per account.")
    limit_uploads_per_address: str = _option(
        "LIMIT_UPLOADS_PER_ADDRESS", "120/minute", "Uploads per client address.")
    limit_email_claims: str = _option(
        "LIMIT_EMAIL_CLAIMS", "10/hour;30/day",
        "Email addresses added (each sends a message) per account, removed ones included.")
    limit_renders: str = _option(
        "LIMIT_RENDERS", "120/minute",
        "On-the-fly renderings (a size or default not in render's cache) per client address.")
    limit_renders_per_photo: str = _option(
        "LIMIT_RENDERS_PER_PHOTO", "60/minute",
        "On-the-fly renderings per photo, from any client (429 past it; sizes already drawn "
        "are served from the byte cache regardless).")
    quota_photos: int = _option("QUOTA_PHOTOS", 1000, "Photos an account may hold (403 above).")
    quota_bytes: int = _option(
        "QUOTA_BYTES", 1024 * 1024 * 1024, "Bytes of originals an account may hold (403 above).")
    upload_ticket_ttl: int = _option(
        "UPLOAD_TICKET_TTL", 600,
        "Seconds a presigned direct upload (POST /v1/uploads) may be sent and completed; "
        "its bytes are swept after that.")
    max_photo_lifetime: int = _option(
        "MAX_PHOTO_LIFETIME", 0,
        "Longest a photo may live, in seconds from its upload (e.g. 31536000 for a year); "
        "photos get it as their expiry when they ask for none or a later one. 0: no limit.")
    view_counts: str = _option(
        "VIEW_COUNTS", "on",
        "on: render counts views per photo per day (GET /v1/photos/<id>/stats); off: not.")
    log_level: str = _option("LOG_LEVEL", "INFO", "Python logging level.")

    def __post_init__(self):
        if self.view_counts not in ("on", "off"):
            raise ValueError(f"VIEW_COUNTS must be on or off, not {self.view_counts!r}")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.metadata["env"])
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.metadata["env"], f.default, raw)
        return cls(**values)

    @property
    def origin(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def rate_limit_rules(self) -> dict[str, str]:
        """Rule name → `limits` string, for shared/ratelimit.py."""
        return {"signup": self.limit_signup, "tokens_user": self.limit_tokens_per_username,
                "tokens_addr": self.limit_tokens_per_address, "uploads": self.limit_uploads,
                "uploads_addr": self.limit_uploads_per_address,
                "email_claims": self.limit_email_claims, "renders": self.limit_renders,
                "renders_photo": self.limit_renders_per_photo}

    def check_outside_standalone(self, *, sends_mail: bool = False) -> None:
        """Refuse settings that are only safe in one process on one machine.

        Called by the entry points of the separate services (gunicorn/granian factories), not
        by standalone, which has no internal API on the network and may log its mail."""
        token = self.internal_token
        if token == DEV_INTERNAL_TOKEN or len(token) < MIN_INTERNAL_TOKEN:
            raise ConfigError(
                "INTERNAL_TOKEN is the public default or shorter than "
                f"{MIN_INTERNAL_TOKEN} characters: set a random one (python -c 'import "
                "secrets; print(secrets.token_urlsafe(32))'), the same for every service")
        if sends_mail and not self.smtp_url:
            raise ConfigError("SMTP_URL is empty: outside standalone, verification links "
                              "must go by mail, not to the log")
        from .clientaddr import parse_networks
        parse_networks(self.trusted_proxies)  # a typo fails here, not on the first request

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
    """(ENV, default, doc) for every setting: the README's table is tested against it
    (tests/unit/docs/test_readme_settings.py)."""
    return [(f.metadata["env"], f.default, f.metadata["doc"]) for f in dataclasses.fields(Settings)]
