"""A clock the test moves, for code that takes an injectable `clock()` (token expiry,
resend throttles)."""
from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self, start: datetime | None = None):
        self.now = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
