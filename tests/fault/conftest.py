"""The fault tier: the whole system on private servers, faulted for real (see servers.py and
docs/reliability.md). Its marker, `fault`, comes from its folder (tests/conftest.py); part
of `make test`."""
from __future__ import annotations

import json
import os

import pytest

from tests.e2e.client import Api, sign_up

from .system import FaultSystem

RESULTS = os.environ.get("FAULT_RESULTS", "")


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    s = FaultSystem(tmp_path_factory.mktemp("fault"))
    try:
        s.start()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def recovery():
    """fault → measured seconds to converge; printed at the end (and written to
    $FAULT_RESULTS), for docs/reliability.md."""
    times: dict[str, float] = {}
    yield times
    print("\nfault recovery times (s):", json.dumps({k: round(v, 2) for k, v in times.items()}))
    if RESULTS:
        with open(RESULTS, "w") as f:
            json.dump(times, f, indent=1)


@pytest.fixture
def user(system) -> Api:
    return sign_up(system.base_url)


@pytest.fixture
def anonymous(system) -> Api:
    return Api(system.base_url)
