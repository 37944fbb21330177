"""Browser tests: Playwright for Python driving Debian's chromium against the live test server on 127.0.0.1.

Select them with ``-m browser`` (or leave them out with ``-m "not browser"``). Every test runs at desktop
(1280x800) and phone (390x844) width through the ``page`` fixture, which fails the test on any console error,
uncaught page error, failed request or HTTP error response. ``screenshot()`` saves the page to
``test-artifacts/screenshots/<test>-<width>.png``; ``axe()`` runs the vendored axe-core on the page and fails on
serious or critical violations; ``assert_no_horizontal_scroll(page)`` checks the page fits its width.

Chromium is Debian's (``apt-get install chromium``; scripts/test.sh installs it), never Playwright's download.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from tests.browser.helpers import assert_no_horizontal_scroll

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server():
    """The live test server, on 127.0.0.1 (pytest-django's default is "localhost")."""
    server = LiveServer("127.0.0.1:0")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does it)", pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait up to 15 s: on a loaded 2-core machine a page can take several seconds to answer.
    expect.set_options(timeout=15_000)
    # Playwright's synchronous API keeps an asyncio loop registered on this thread, and Django then refuses ORM
    # calls from the test code ("SynchronousOnlyOperation"). The tests are plain synchronous code, so this only
    # lifts a false alarm, and only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


class Problems(list):
    """What went wrong in the browser during a test. ``allow_status(404)`` lets a test expect an error page."""

    def __init__(self):
        super().__init__()
        self.allowed_statuses: set[int] = set()

    def allow_status(self, *statuses: int) -> None:
        self.allowed_statuses.update(statuses)


def watch(page, problems: Problems) -> None:
    def on_console(message):
        if message.type == "error":
            text = message.text
            # Chromium repeats every HTTP error response as a console error; those are judged by status below.
            if re.match(r"Failed to load resource: the server responded with a status of (\d+)", text):
                status = int(re.search(r"status of (\d+)", text).group(1))
                if status in problems.allowed_statuses:
                    return
            problems.append(f"console error: {text} ({message.location.get('url', '')})")

    def on_response(response):
        if response.status >= 400 and response.status not in problems.allowed_statuses:
            problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))

    def on_request_failed(request):
        # The browser fetches the tab's icon on its own and drops the fetch when the test moves on first.
        if request.failure == "net::ERR_ABORTED" and request.url.endswith("/favicon.svg"):
            return
        problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    page.on("response", on_response)


@pytest.fixture
def problems() -> Problems:
    return Problems()


@pytest.fixture
def new_page(browser, live_server, viewport, problems):
    """Open a fresh browser context (own cookies) at the test's width: ``new_page(javascript=False)``."""
    contexts = []

    def open_page(*, javascript: bool = True, locale: str = "en-GB"):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport],
            base_url=live_server.url,
            java_script_enabled=javascript,
            locale=locale,
            reduced_motion="reduce",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watch(page, problems)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("problems in the browser:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page):
    """A page at the test's width, in English, with JavaScript on; any browser problem fails the test."""
    return new_page()


@pytest.fixture
def screenshot(request, viewport):
    """``screenshot(page, "name")`` saves test-artifacts/screenshots/<test>[-name]-<width>.png (full page)."""

    def take(page, name: str = "") -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = VIEWPORTS[viewport]["width"]
        stem = request.node.originalname.removeprefix("test_") + (f"-{name}" if name else "")
        path = SCREENSHOTS / f"{stem}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """``axe(page)`` runs axe-core on the page as it is now and fails on serious or critical violations."""

    def check(page) -> list[dict]:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(axe_source)  # through the DevTools protocol: not an inline script, so no CSP applies
        results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        violations = results["violations"]
        severe = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not severe, f"axe-core on {page.url}:\n" + json.dumps(
            [
                {
                    "rule": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [node["target"] for node in v["nodes"][:5]],
                }
                for v in severe
            ],
            indent=1,
            ensure_ascii=False,
        )
        return violations

    return check


@pytest.fixture
def inspect(axe, screenshot):
    """``inspect(page, "name")``: the page fits its width, passes axe-core, and is saved as a screenshot."""

    def check(page, name: str = "") -> None:
        assert_no_horizontal_scroll(page)
        screenshot(page, name)
        axe(page)

    return check
