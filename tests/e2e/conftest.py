"""End-to-end tests: Playwright (sync API) driving Debian's Chromium against live_server.

The browser is the system one (/usr/bin/chromium, `make browser` installs it); Playwright
never downloads its own. Screenshots go to a temporary folder, or to SCREENSHOT_DIR when set,
for looking at a run; the user guide's pictures come from scripts/screenshots.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def async_unsafe_allowed():
    """Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    are still plain synchronous calls. Set only around each browser test (first fixture set
    up, last torn down) so no other test, nor a subprocess it starts, inherits the switch."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in item.keywords and "async_unsafe_allowed" not in item.fixturenames:
            item.fixturenames.insert(0, "async_unsafe_allowed")
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed; run `make browser` (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page(locale=..., viewport=...) -> a fresh page in its own context (own cookies)."""
    contexts = []

    def make(locale: str = "en-US", viewport: dict | None = None, **kwargs):
        # Reduced motion: charts draw at once, so screenshots show the finished picture.
        context = browser.new_context(locale=locale, viewport=viewport or {"width": 1366, "height": 900},
                                      reduced_motion="reduce", **kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(tmp_path):
    """screenshot(page, name) saves a picture of the page (to SCREENSHOT_DIR when set)."""
    target = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, full_page: bool = False) -> Path:
        path = target / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base_url}/")
