"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: Chromium is ``/usr/bin/chromium`` (install it with
``scripts/ensure_browser.py``). When it is missing the tests FAIL, they do not
skip. The live server and the browser run in the test process; every test
uses a transactional database (``django_db(transaction=True)``) so the server
thread sees what the test wrote. Works with pytest-xdist (one live server and
one Chromium per worker) and on PostgreSQL (``DATABASE_URL``).

Every page the ``desktop`` and ``phone`` contexts open is watched for Content-Security-Policy
violations (console errors and ``securitypolicyviolation`` events): a test whose pages broke the
policy fails at teardown.

Fixtures: ``browser``; ``desktop`` and ``phone`` contexts; ``page`` (desktop)
and ``phone_page``; ``demo`` (demo catalog and accounts); ``login`` and
``screenshot`` helpers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# The case-engine kit's fixtures, for journeys through the workbenches: the demo catalog plus a 容缺
# material and fees (``catalog``), everyone a case meets (``people``, password "x"), the frozen clock.
from tests.accounts.codes import sms_outbox
from tests.cases.kit import case_rows_wiped_first, catalog, clock, people

__all__ = ["case_rows_wiped_first", "catalog", "clock", "people", "sms_outbox"]

#: Debian's Chromium. ``LIANBAN_CHROMIUM`` overrides it (used to prove a missing browser fails the run).
CHROMIUM = Path(os.environ.get("LIANBAN_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
#: How long a page action may wait, in milliseconds (a slow CI machine, not a timing assertion).
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def _playwright() -> Iterator[Any]:
    """Playwright's driver, started once per module.

    Playwright's sync API runs an event loop in this thread, which makes Django
    refuse database calls from it ("async unsafe"); the test's own database
    work is synchronous, so the guard is lifted while the driver runs and
    restored after.
    """
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium and a CJK font; "
            "run `python3 scripts/ensure_browser.py` as root (apt-get install -y chromium fonts-noto-cjk)",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_playwright: Any) -> Iterator[Any]:
    """Headless Chromium (Debian's), launched once per module."""
    instance = _playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
    yield instance
    instance.close()


#: Reports every CSP violation of a page to the console (Playwright's init scripts are not subject to the CSP).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def csp_watch(context: Any) -> list[str]:
    """Collect the CSP violations of every page of ``context``: Chromium's console errors and the DOM events."""
    violations: list[str] = []
    context.add_init_script(REPORT_CSP_VIOLATIONS)

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    return violations


def _context(browser: Any, live_server: Any, **options: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _closed_without_violations(context: Any, violations: list[str]) -> None:
    context.close()
    assert violations == [], "the pages broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def desktop(browser: Any, live_server: Any) -> Iterator[Any]:
    """A desktop browser context (1280×800) pointed at the live server; fails on any CSP violation."""
    context = _context(browser, live_server, viewport=DESKTOP)
    violations = csp_watch(context)
    yield context
    _closed_without_violations(context, violations)


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    """A phone-sized context (375×812, touch, mobile user agent) pointed at the live server; fails on CSP violations."""
    context = _context(
        browser,
        live_server,
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=(
            "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0 Mobile Safari/537.36"
        ),
    )
    violations = csp_watch(context)
    yield context
    _closed_without_violations(context, violations)


@pytest.fixture
def page(desktop: Any) -> Any:
    """A page in the desktop context."""
    return desktop.new_page()


@pytest.fixture
def phone_page(phone: Any) -> Any:
    """A page in the phone context."""
    return phone.new_page()


@pytest.fixture
def demo(transactional_db: None) -> list[Any]:
    """The demo catalog (KFG, KJD, KYD) and one account per role (password ``DEMO_PASSWORD``)."""
    from lianban.demo.services import demo_load

    return demo_load()


@pytest.fixture
def login() -> Callable[..., None]:
    """``login(page, username, password=DEMO_PASSWORD)``: sign in through the login page."""
    from lianban.demo.services import DEMO_PASSWORD

    def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        if page.url.rstrip("/").endswith("/accounts/login"):
            raise AssertionError(f"could not log in as {username!r}")

    return sign_in


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, "name", full_page=False, clip=None)``: write ``docs/screenshots/name.png``."""

    def take(page: Any, name: str, **options: Any) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled", **options)
        return path

    return take


def no_horizontal_scroll(page: Any) -> tuple[int, int]:
    """The document's scroll width and the viewport width (equal when nothing sticks out)."""
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
