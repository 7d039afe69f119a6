"""Marks every test with its tier (the folder it lives in), so `-m unit`, `-m "not e2e"` etc.
select tiers. See tests/README.md."""
from pathlib import Path

import pytest

_TIERS = ("unit", "integration", "e2e", "security", "browser", "fault")


def pytest_configure(config):
    # integration, e2e and browser are declared in pyproject.toml; unit is the remaining tier.
    config.addinivalue_line("markers", "unit: fast, pure tests with no server")
    # security is declared in pyproject.toml: tests/security/ (no server) carries it by folder,
    # and security tests in other tiers (they need a server) mark themselves.


_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        # The folder under tests/, not any part of the path: a checkout may be named "unit".
        try:
            folder = item.path.resolve().relative_to(_TESTS).parts[0]
        except (ValueError, IndexError):
            continue
        tier = folder if folder in _TIERS else None
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
