"""Playwright (sync API) on Debian's chromium against pytest-django's live server.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM
calls there unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the tests only touch the ORM to create
their data before driving the browser.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 390, "height": 844}


def offline(context) -> None:
    """Refuse every request that leaves the machine (map tiles): the tests must not depend on
    the network, and the pages must work without it."""
    context.route(
        re.compile(r"^https?://(?!localhost[:/]|127\.0\.0\.1[:/])"), lambda route: route.abort()
    )


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One headless chromium for this folder's tests.

    Package-scoped, not session-scoped: Playwright's sync API keeps an event loop running in
    the main thread while it is open, and other folders' browser tests start their own.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db) -> object:
    """The shipped demo content, loaded through the exchange's own loader (committed, so the
    live server's thread sees it; the transactional test flushes it afterwards)."""
    from metroscope.web.exchange.demo import load_demo

    return load_demo()


@pytest.fixture
def page(chromium, live_server) -> Iterator[object]:
    """A fresh desktop-sized page; JavaScript errors fail the test."""
    context = chromium.new_context(viewport=DESKTOP, base_url=live_server.url)
    offline(context)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def mobile_page(chromium, live_server) -> Iterator[object]:
    """A fresh phone-sized page (390 px wide)."""
    context = chromium.new_context(viewport=MOBILE, base_url=live_server.url, is_mobile=True)
    offline(context)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()
