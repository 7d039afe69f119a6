"""One running OnePic per mode for the whole session: every e2e test runs once against the
standalone process and once against the separate services behind nginx (`make up`).

A system that cannot start (no Postgres/Redis/RabbitMQ, a service that crashes) makes the
tests ERROR with the reason and the log tail; they are never skipped.
"""
import pytest

from . import launch
from .blobs import blobs_of
from .client import Api, sign_up

MODES = ["standalone", "services"]


@pytest.fixture(scope="session", params=MODES)
def system(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(request.param)
    start = launch.start_standalone if request.param == "standalone" else launch.start_services
    running = start(workdir)
    yield running
    launch.stop(running)


@pytest.fixture
def base_url(system) -> str:
    return system.base_url


@pytest.fixture
def user(base_url) -> Api:
    """A fresh account, so tests do not see each other's photos."""
    return sign_up(base_url)


@pytest.fixture
def other_user(base_url) -> Api:
    return sign_up(base_url)


@pytest.fixture
def anonymous(base_url) -> Api:
    return Api(base_url)


@pytest.fixture
def blobs(system):
    """The running system's blob store, listed (tests/e2e/blobs.py): files in standalone,
    the SeaweedFS bucket in services mode."""
    return blobs_of(system)


@pytest.fixture
def render_metrics_url(system) -> str:
    """The render service's own /metrics: the whole process in standalone, the render port
    (several worker processes behind it) in services mode."""
    if system.mode == "standalone":
        return system.base_url + "/metrics"
    return f"http://127.0.0.1:{system.env['RENDER_PORT']}/metrics"


@pytest.fixture
def resizer_metrics_url(system) -> str:
    """The /metrics that counts resize requests consumed: the whole process in standalone, the
    resizer's own ops port in services mode. A request the system published shows up here."""
    if system.mode == "standalone":
        return system.base_url + "/metrics"
    return f"http://127.0.0.1:{system.env['RESIZER_METRICS_PORT']}/metrics"
