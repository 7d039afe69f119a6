"""The browser tier: the web page of a running system (started as tests/e2e does, standalone
and behind the `make up` front door) driven in Debian's Chromium through Playwright.

Playwright's own browser builds cannot be downloaded here (nor in CI), so it launches the
chromium that Debian installs (`apt-get install chromium`, done by .ci/run); without it the
tier fails with that instruction, it is not skipped. Like the e2e tier it imports nothing
from services/ or shared/: it sees what a person sees.

Every page records what went wrong in it: a console error, an uncaught exception, a 5xx
answer. The test fails on any of them at the end. The browser reports each 4xx answer as
a console error of its own ("Failed to load resource: … status of 401"); those are the
answers the failure paths provoke on purpose (wrong password, refused file), so they are
left out, and what the page made of them is asserted on screen instead.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e import launch

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Not the e2e tier's db: both tiers' systems can be up at once within one pytest session.
REDIS_DB = int(os.environ.get("BROWSER_REDIS_DB", "13"))
SCREENS = Path(os.environ.get("BROWSER_SCREENSHOTS") or launch.ROOT / "var" / "test-output" / "browser")
_BROWSER_4XX = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


# Module scope: the systems stop when this tier is done, before the e2e tier starts its own.
@pytest.fixture(scope="module", params=["standalone", "services"])
def system(request, tmp_path_factory):
    workdir = tmp_path_factory.mktemp(f"browser-{request.param}")
    if request.param == "standalone":
        running = launch.start_standalone(workdir)
    else:
        running = launch.start_services(workdir, redis_db=REDIS_DB)
    yield running
    launch.stop(running)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: install Debian's (apt-get install chromium; "
                    "bash .ci/run does) or name one with CHROMIUM=")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


class Trouble:
    """What went wrong in a page, as the page's visitor would never see it."""

    def __init__(self):
        self.problems: list[str] = []
        self.may_fail: set[str] = set()  # request paths a test expects to be cut off

    def _failed(self, request) -> None:
        # ERR_ABORTED: the page dropped a request it no longer needs (an image re-rendered).
        if "ERR_ABORTED" in (request.failure or ""):
            return
        if not any(path in request.url for path in self.may_fail):
            self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def watch(self, page) -> None:
        def console(msg):
            if msg.type == "error" and not _BROWSER_4XX.match(msg.text):
                self.problems.append(f"console error: {msg.text}")

        page.on("console", console)
        page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))
        page.on("response", lambda r: r.status >= 500 and self.problems.append(
            f"{r.status} from {r.request.method} {r.url}"))
        page.on("requestfailed", self._failed)


@pytest.fixture
def trouble():
    return Trouble()


@pytest.fixture
def new_page(browser, system, trouble):
    """A function that opens a fresh browser (own cookies) at the system's page."""
    contexts = []

    def open_page(width: int = 1100, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      base_url=system.base_url)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=system.base_url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        trouble.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not trouble.problems, "\n".join(trouble.problems)


@pytest.fixture
def screenshot(system):
    folder = SCREENS / system.mode
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = True) -> Path:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
