"""The one clock the tests move, for code that takes an injectable `clock()`: a datetime
(token expiry, resend throttles) or a number of seconds (cache TTLs, metric flushes)."""
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | float | None = None):
        self.now = datetime.now(UTC) if start is None else start

    def __call__(self) -> datetime | float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds) if isinstance(self.now, datetime) else seconds
