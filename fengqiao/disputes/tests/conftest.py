"""Dispute fixtures on top of the root conftest's tree and personas, and a phone browser."""

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone

from fengqiao.cases import actions
from fengqiao.taxonomy.models import CaseType, Subcategory
from fengqiao.testing.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, TIMEOUT_MS, log_in


@pytest.fixture
def dispute(people, tree):
    """A neighbours' dispute recorded by the clerk of 海恒社区."""
    case, _ = actions.do_create_case(
        actor=people["clerk"],
        unit=tree["building1"],
        text="楼上漏水到我家，协商不成",
        case_type=CaseType.objects.get(code="dispute"),
        subcategory=Subcategory.objects.get(code="14.01"),
        contact_name="陈桂兰",
        phone="13855550201",
    )
    return case


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def on_phone(live_server, password, pytestconfig):
    """on_phone("resident1", steps) logs in on a 390×844 touch viewport of Debian's Chromium and
    runs steps(page) -> result.

    Playwright runs in a thread of its own, started and stopped for the call: the cases app's
    session browser may already hold this thread's event loop (Playwright's sync API allows one
    per thread), and the test's ORM calls stay in this thread, outside the browser steps."""
    if not os.path.exists(CHROMIUM):
        message = f"The browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(f"{message} CI is set, so this is an error, not a skip.", pytrace=False)
        pytest.skip(message)
    screenshots = Path(pytestconfig.rootpath) / "test-artifacts" / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)

    def run(username: str, steps):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(
                    base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN"
                )
                context.set_default_timeout(TIMEOUT_MS)
                context.set_default_navigation_timeout(TIMEOUT_MS)
                page = context.new_page()
                log_in(page, username, password)
                return steps(page, screenshots)
            finally:
                browser.close()

    def on_phone(username: str, steps):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run, username, steps).result()

    return on_phone
