"""Browser fixtures for every app (imported by the root conftest.py, so that the whole session
shares one browser): Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server. One browser per session; every test opens fresh browser contexts (one per person
who logs in), which are closed when the test ends.

Only the tests that ask for `open_as` (the ones marked `browser`) start the browser.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000  # a step that takes longer than this is broken, not slow


@pytest.fixture(scope="session")
def chromium():
    """The one headless Chromium of the session. Never downloads a browser."""
    if not os.path.exists(CHROMIUM):
        message = f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI is set, so this is an error, not a skip.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio loop in this thread; without this Django refuses the
    # ORM calls the tests make between browser steps (SynchronousOnlyOperation).
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


def log_in(page, username: str, password: str) -> None:
    """Through the real login page, typing the username and the password."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.locator("input[name=username]").press_sequentially(username)
    page.locator("input[name=password]").press_sequentially(password)
    page.locator("[data-testid=login-submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.fixture
def open_as(chromium, live_server, password):
    """open_as("clerk") -> a page in a fresh browser context, logged in as that persona.
    `phone=True` gives a 390×844 touch viewport (the resident's phone).

    `chromium` comes before `live_server` on purpose: once Playwright runs, this thread has a
    running event loop and Django gives it another connection object; the (session) live server
    must be started after that, so that it shares the connection the test code uses."""
    contexts = []

    def open_as(username: str, *, phone: bool = False):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            locale="zh-CN",
        )
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, username, password)
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig) -> Path:
    directory = pytestconfig.rootpath / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def screenshot(screenshot_dir):
    """screenshot(page, "workbench") saves a full-page PNG for people to look at (not an assertion)."""

    def take(page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
