"""Every page of every role passes axe-core, reflows at 320 CSS px, and offers the 大字版 switch.

The demo (catalog, one account per role, and its cases: a hotel waiting at the window, a hotel in
progress, a restaurant ready for issuance) is loaded on the kit's frozen clock; the applicant also
starts a draft through the pages. Then each role signs in and walks its pages: from its start pages it
follows every link to a page of the platform (a few of each view, so that each case state is seen),
and on each page

- axe-core (vendored in ``vendor/axe-core``, pinned, run only here) finds no serious or critical
  violation;
- the 大字版 switch is there, the page is in Chinese (the contexts ask for zh-CN), and no text a
  person reads is under 14 px;
- at 320 CSS px wide, in normal and in large text, (a 1280 px screen at 400 % zoom), for the pages WCAG's reflow criterion names
  here (the portal's and the window's), nothing scrolls sideways and no text is clipped.

axe-core is evaluated into the page through the DevTools protocol, so the platform never serves it
and the Content-Security-Policy stays as strict as in production.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

import pytest
from playwright.sync_api import expect

from lianban.demo.services import DEMO_PASSWORD

from .conftest import DESKTOP, TIMEOUT_MS, csp_watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_DIR = Path(__file__).resolve().parent / "vendor" / "axe-core"
AXE_VERSION = json.loads((AXE_DIR / "package.json").read_text())["version"]
#: axe-core's impacts that fail the walk.
FAILING = ("serious", "critical")
NARROW = {"width": 320, "height": 640}

#: Links the walk does not follow: files, PDFs, exports, signing out, the API, the language switch.
NOT_PAGES = re.compile(r"(\.pdf|/file/?|/document|/export/)$|^/(api|i18n|static|media)/|^/accounts/logout")
#: Views walked more than once (one page per case or item: each state the demo creates).
PER_VIEW = {"workbench:case": 6, "workbench:item": 6, "portal:case": 6, "portal:track_code": 3, "portal:guide": 3}
#: Views whose pages must reflow at 320 px: the portal (guide, form, my cases, tracking…) and the window.
REFLOW_VIEWS = re.compile(r"^portal:|^login$|^workbench:(window_queue|issuance_queue|case)$")
#: The Django admin is walked at its index and its first change list (its templates are Django's; its
#: stylesheet's sizes are exempt from the 14 px check).
ADMIN_PAGES = 2

#: Each role: the login (None for a visitor) and the pages it starts from.
ROLES: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "visitor": (None, ("/", "/search/?q=饭馆", "/guide/KJD/", "/track/", "/accounts/login/", "/no-such-page/")),
    "applicant": ("applicant", ("/", "/my/cases/", "/my/licences/")),
    "clerk": ("clerk", ("/work/",)),
    "reviewer": ("reviewer", ("/work/",)),
    "reviewer_XF": ("reviewer_XF", ("/work/",)),
    "reviewer_GA": ("reviewer_GA", ("/work/",)),
    "supervisor": ("supervisor", ("/work/",)),
    "admin": ("admin", ("/work/", "/admin/")),
    "security": ("security", ("/admin/",)),
}

#: Elements whose own text is smaller than ``min`` CSS px (screen-reader-only text excepted).
SMALL_TEXT = """(min) => [...document.body.querySelectorAll("*")].filter((el) => {
  const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
  const box = el.getBoundingClientRect();
  return own && box.width > 1 && box.height > 1 && parseFloat(getComputedStyle(el).fontSize) < min;
}).map((el) => el.tagName.toLowerCase() + "." + String(el.className).trim().split(/\\s+/).join(".") +
  " (" + getComputedStyle(el).fontSize + "): " + el.textContent.trim().slice(0, 20))"""

#: Text that sticks out of the viewport or is cut off by an element that hides its overflow.
CLIPPED_TEXT = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const scrolls = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      const x = getComputedStyle(up).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden for screen readers
    if (!el.textContent.trim()) continue;
    const hides = (o) => o === "hidden" || o === "clip";
    if ((hides(style.overflowX) && el.scrollWidth > el.clientWidth + 1) ||
        (hides(style.overflowY) && el.scrollHeight > el.clientHeight + 1) ||
        (style.textOverflow === "ellipsis" && el.scrollWidth > el.clientWidth)) {
      found.push(name(el) + ": clips its text");
    }
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (own && (box.right > width + 1 || box.left < -1) && !scrolls(el) && el.className !== "skip-link") {
      found.push(name(el) + ": text outside the 320 px viewport");
    }
  }
  return found;
}"""


@dataclass
class Walk:
    """What the walk saw: pages per role, and every problem found."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    axe: list[str] = field(default_factory=list)
    reflow: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    reflowed: int = 0
    rules_seen: Counter[str] = field(default_factory=Counter)


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of the page (every rule axe runs by default: WCAG 2.x A/AA and best practice)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate((AXE_DIR / "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return list(result)


def describe(violation: dict[str, Any]) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
    return f"{violation['impact']} {violation['id']} ({violation['help']}): {targets}"


def view_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def links(page: Any, origin: str) -> list[str]:
    hrefs = page.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or NOT_PAGES.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk_role(context: Any, origin: str, role: str, starts: tuple[str, ...], walk: Walk) -> None:
    """Visit the role's pages breadth first, checking each one."""
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.dismiss())
    queue = list(starts)
    seen: set[str] = set()
    per_view: Counter[str] = Counter()
    visited = walk.pages.setdefault(role, [])
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        path = urlsplit(url).path
        name = view_name(path)
        key = "admin" if path.startswith("/admin/") else (name or "404")
        if per_view[key] >= (ADMIN_PAGES if key == "admin" else PER_VIEW.get(key, 1)):
            continue
        if key == "admin" and not re.fullmatch(r"/admin/([\w-]+/[\w-]+/)?", path):
            continue  # the admin's index and change lists only
        per_view[key] += 1
        response = page.goto(url)
        status = response.status if response else 0
        if status != 200 and url != "/no-such-page/":
            walk.other.append(f"{role} {url}: answered {status}")
            continue
        visited.append(url)
        for violation in run_axe(page):
            walk.rules_seen[violation["id"]] += 1
            if violation["impact"] in FAILING:
                walk.axe.append(f"{role} {url}: {describe(violation)}")
        if not page.get_by_role("button", name="大字版").is_visible():
            walk.other.append(f"{role} {url}: no 大字版 switch")
        if page.locator("html").get_attribute("lang") != "zh-hans":
            walk.other.append(f"{role} {url}: not in Chinese")
        if not path.startswith("/admin/"):  # the admin's own stylesheet sets its sizes (from 11 px)
            walk.other.extend(f"{role} {url}: text under 14 px: {el}" for el in page.evaluate(SMALL_TEXT, 14))
        if (name and REFLOW_VIEWS.search(name)) or url == "/no-such-page/":
            walk.reflowed += 1
            walk.reflow.extend(f"{role} {url}: {problem}" for problem in reflow_problems(page))
        queue.extend(link for link in links(page, origin) if link not in seen)
    page.close()


def reflow_problems(page: Any) -> list[str]:
    """At 320 CSS px, in normal and in large text: a document wider than the viewport, text clipped or outside it."""
    page.set_viewport_size(NARROW)
    large = page.evaluate("() => document.documentElement.classList.contains('large-text')")
    problems = []
    try:
        page.wait_for_function("() => document.documentElement.clientWidth === 320")
        for mode in ("", "大字版 "):
            page.evaluate("(on) => document.documentElement.classList.toggle('large-text', on)", bool(mode))
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                problems.append(f"{mode}scrolls sideways ({scroll} px wide in {client} px)")
            problems.extend(mode + problem for problem in page.evaluate(CLIPPED_TEXT))
        return problems
    finally:
        page.evaluate("(on) => document.documentElement.classList.toggle('large-text', on)", large)
        page.set_viewport_size(DESKTOP)


def context_for(browser: Any, live_server: Any) -> tuple[Any, list[str]]:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport=DESKTOP
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context, csp_watch(context)


def start_a_draft(page: Any) -> None:
    """The applicant starts a hotel application: the draft page (with its message) joins the walk."""
    page.goto("/apply/KJD/?area=600&central_ac=true&has_catering=true")
    page.locator("input[name=applicant]").first.check()
    page.get_by_role("button", name="开始填写申请").click()
    expect(page.locator("#application")).to_be_visible()


@pytest.fixture
def demo_world(demo: Any, clock: Any, case_rows_wiped_first: None) -> list[Any]:
    """The demo with its cases (on the kit's frozen clock, whose year the working-day calendar covers)."""
    from lianban.demo.cases import demo_cases_load

    cases = demo_cases_load()
    assert {case.state for case in cases} == {"SUBMITTED", "IN_PROGRESS", "READY"}
    return cases


def test_every_page_of_every_role_passes_axe_and_reflows(browser, live_server, demo_world, login):
    walk = Walk()
    violations_csp: list[str] = []
    for role, (username, starts) in ROLES.items():
        context, csp = context_for(browser, live_server)
        try:
            extra: tuple[str, ...] = ()
            if username:
                page = context.new_page()
                login(page, username, DEMO_PASSWORD)
                if role == "applicant":
                    start_a_draft(page)
                    extra = (urlsplit(page.url).path,)
                page.close()
            if role == "visitor":
                extra = tuple(f"/track/{case.tracking_code}/" for case in demo_world)
            walk_role(context, live_server.url, role, starts + extra, walk)
        finally:
            context.close()
        violations_csp.extend(csp)

    counted = {role: len(urls) for role, urls in walk.pages.items()}
    summary = f"axe-core {AXE_VERSION}: {sum(counted.values())} pages × roles {counted}; {walk.reflowed} at 320 px"
    print(summary)  # the report's figure (pytest -s)
    print("rules with minor or moderate findings:", dict(walk.rules_seen))
    problems = walk.axe + walk.reflow + walk.other + violations_csp
    print("\n".join(problems))
    assert problems == [], summary + "\n" + "\n".join(problems)
    # the walk reached each case state through the staff pages and the applicant's pages
    assert counted["clerk"] >= 5 and counted["reviewer"] >= 3 and counted["applicant"] >= 7, walk.pages
    assert any(re.search(r"^/apply/drafts/\d+/$", url) for url in walk.pages["applicant"])
    assert any(url.startswith("/admin/") for url in walk.pages["security"])


def test_the_large_text_switch_works_by_keyboard_and_is_kept(page, demo):
    """大字版: reached with Tab, pressed with Enter; root text 125 %, larger controls; kept on the next page."""
    page.goto("/")
    switch = page.get_by_role("button", name="大字版")
    expect(switch).to_have_attribute("aria-pressed", "false")
    root_size = "() => parseFloat(getComputedStyle(document.documentElement).fontSize)"
    control = page.get_by_role("button", name="搜索")
    normal_size, normal_height = page.evaluate(root_size), control.bounding_box()["height"]
    assert normal_size == 16
    for _ in range(30):  # the skip link, the brand, the menu links, then the switch
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.hasAttribute('data-text-size')"):
            break
    expect(switch).to_be_focused()
    page.keyboard.press("Enter")
    expect(switch).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(root_size) >= 1.25 * normal_size
    assert control.bounding_box()["height"] >= 1.2 * normal_height
    assert any(c["name"] == "lianban_text_size" and c["value"] == "large" for c in page.context.cookies())

    page.goto("/guide/KJD/?area=600&central_ac=true&has_catering=true")  # the server renders it large
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    assert page.evaluate(root_size) == 20
    small = page.evaluate(SMALL_TEXT, 14 * 1.25)
    assert small == [], small  # nothing under 14 px × 1.25
    switch = page.get_by_role("button", name="大字版")
    expect(switch).to_have_attribute("aria-pressed", "true")
    switch.focus()
    page.keyboard.press("Space")
    expect(switch).to_have_attribute("aria-pressed", "false")
    page.reload()
    assert page.evaluate(root_size) == 16


def test_the_large_text_switch_works_in_the_admin_too(page, demo, login):
    login(page, "security")
    page.goto("/admin/")
    switch = page.get_by_role("button", name="大字版")
    expect(switch).to_have_attribute("aria-pressed", "false")
    switch.focus()
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    page.goto("/admin/accounts/user/")
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))  # from the cookie
    expect(page.get_by_role("button", name="大字版")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") == 20
