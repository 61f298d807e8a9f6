"""The browser fixtures (chromium, open_as, screenshot) live in fengqiao/testing/browser.py and
are loaded by the root conftest.py, so that every app's browser tests share one Chromium."""
