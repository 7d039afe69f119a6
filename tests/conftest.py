"""Marks every test with its tier (the folder it lives in), so `-m unit`, `-m "not e2e"` etc.
select tiers. See tests/README.md."""
import pytest

_TIERS = ("unit", "integration", "e2e")


def pytest_configure(config):
    # integration and e2e are declared in pyproject.toml; unit is the remaining tier.
    config.addinivalue_line("markers", "unit: fast, pure tests with no server")


def pytest_collection_modifyitems(items):
    for item in items:
        tier = next((t for t in _TIERS if t in item.path.parts), None)
        if tier:
            item.add_marker(getattr(pytest.mark, tier))
