"""The reader in a real browser (Debian's Chromium via Playwright), at desktop and phone
sizes and in dark mode: every page clean (console, overlap, 360 px, axe-core), and the
things a reader does — sign in, follow, mute, hide and undo, every keyboard shortcut."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.accounts import PASSWORD
from tests.browser.checks import DARK, DARK_PHONE, DESKTOP, PHONE, Look, Watch, inspect
from tests.browser.conftest import Reader

pytestmark = pytest.mark.timeout(300)


@dataclass
class Ids:
    story: int  # a demo story covered by at least four outlets
    article: int  # the loopback article with a lead image
    entity: int
    feed_story: int  # a story of the feed the suite may hide and restore


@pytest.fixture(scope="session")
def ids(reader_site: Reader) -> Ids:
    with httpx.Client(base_url=reader_site.base, timeout=30) as http:
        signed = http.post("/api/v1/session", json={"name": reader_site.settings.user,
                                                    "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        added = http.post("/api/v1/sources", json={
            "url": reader_site.site.url("/feed.xml"), "full_text": True})
        assert added.status_code == 201, added.text
        items = http.get("/api/v1/feed", params={"limit": 200}).json()["items"]
        wide = max(items, key=lambda i: len(set(i["sources"])))
        assert len(set(wide["sources"])) >= 4, [i["sources"] for i in items]
        image = next(i for i in items if i["lead"]["title"] == reader_site.image_article_title)
        story = http.get(f"/api/v1/stories/{wide['story']['id']}").json()
        article = http.get(f"/articles/{story['articles'][0]['id']}").text
    entity = int(re.findall(r'href="/entities/(\d+)"', article)[0])
    return Ids(wide["story"]["id"], image["lead"]["id"], entity, items[-1]["story"]["id"])


def _context(browser: Any, reader_site: Reader, look: Look) -> Any:
    context = browser.new_context(base_url=reader_site.base, color_scheme=look.scheme,
                                  viewport={"width": look.width, "height": look.height},
                                  has_touch=look.width < 800)
    ours = reader_site.base
    foreign: list[str] = []
    context.foreign = foreign

    def only_ours(route: Any) -> None:
        if route.request.url.startswith(ours):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()
    context.route("**/*", only_ours)
    return context


def _sign_in(page: Any, reader_site: Reader) -> None:
    page.goto("/")
    assert page.url.endswith("/signin?next=/"), page.url
    page.get_by_label("User name").fill(reader_site.settings.user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


@pytest.fixture
def desktop(browser: Any, reader_site: Reader) -> Iterator[Any]:
    context = _context(browser, reader_site, DESKTOP)
    page = context.new_page()
    watch = Watch(page)
    _sign_in(page, reader_site)
    yield page
    assert watch.errors == [], watch.errors
    assert context.foreign == [], context.foreign
    context.close()


def _pages(ids: Ids) -> list[tuple[str, str]]:
    return [("feed", "/"), ("story", f"/stories/{ids.story}"),
            ("article", f"/articles/{ids.article}"), ("entity", f"/entities/{ids.entity}"),
            ("latest", "/latest?all=true"), ("starred", "/starred"), ("following", "/follows"),
            ("sources", "/sources"), ("account", "/account"), ("search", "/search?q=storm"),
            ("headlines", "/headlines"), ("rules", "/rules"),
            ("api-docs", "/api/v1/docs"),
            ("not-found", "/no/such/page")]


@pytest.mark.parametrize("look", [DESKTOP, PHONE, DARK, DARK_PHONE], ids=lambda lk: lk.name)
def test_every_page_is_clean_in_every_look(browser: Any, reader_site: Reader, ids: Ids,
                                           look: Look) -> None:
    context = _context(browser, reader_site, look)
    page = context.new_page()
    watch = Watch(page)
    page.goto("/signin")
    problems = {"signin": inspect(page, reader_site.axe, look, "signin")}
    _sign_in(page, reader_site)
    for name, path in _pages(ids):
        before = len(watch.errors)
        answer = page.goto(path)
        if name == "not-found":  # the browser reports the page's own 404; nothing else may fail
            watch.errors[before:] = [e for e in watch.errors[before:] if "status of 404" not in e]
        assert answer is not None
        assert answer.status == (404 if name == "not-found" else 200), (path, answer.status)
        if look.scheme == "dark":
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") \
                == "rgb(20, 23, 28)", path
        problems[name] = inspect(page, reader_site.axe, look, name)
    context.close()
    bad = {k: v for k, v in problems.items() if v}
    assert bad == {}, "\n".join(f"{k}: {p}" for k, v in bad.items() for p in v)
    assert watch.errors == [], watch.errors
    assert context.foreign == [], context.foreign


def _item(page: Any, index: int) -> Any:
    return page.locator("[data-item]").nth(index)


def _click(page: Any, control: Any) -> None:
    with page.expect_navigation():
        control.click()


def _press(page: Any, key: str) -> None:
    """A key whose action submits a form or follows a link: wait for the next page."""
    with page.expect_navigation():
        if key == "+":  # press() reads "+" as a chord separator
            page.keyboard.type("+")
        else:
            page.keyboard.press(key)


def test_keyboard_shortcuts_all_work(desktop: Any, ids: Ids) -> None:
    page = desktop
    page.keyboard.press("?")
    help_box = page.locator("dialog#keys")
    assert help_box.is_visible()
    listed = help_box.inner_text()
    for key in ("j", "k", "o", "Enter", "v", "m", "s", "h", "+", "-", "/", "g", "f", "l", "?"):
        assert re.search(rf"(^|\s){re.escape(key)}(\s|$)", listed), key
    page.keyboard.press("Escape")
    assert not help_box.is_visible()

    page.keyboard.press("j")
    page.keyboard.press("j")
    assert "current" in (_item(page, 1).get_attribute("class") or "")
    page.keyboard.press("k")
    first = _item(page, 0)
    assert "current" in (first.get_attribute("class") or "")
    story_id = first.get_attribute("id")

    _press(page, "s")  # star its lead; the page comes back to the same item
    first = page.locator(f"#{story_id}")
    assert "★ Starred" in first.inner_text() and "current" in (first.get_attribute("class") or "")
    _press(page, "s")
    assert "☆ Star" in page.locator(f"#{story_id}").inner_text()

    read_label = page.locator(f"#{story_id} form[data-key=m] button").inner_text()
    _press(page, "m")
    after = page.locator(f"#{story_id} form[data-key=m] button").inner_text()
    assert {read_label, after} == {"Mark read", "Mark unread"}

    for key, message in (("+", "more like this"), ("-", "fewer like this")):
        _press(page, key)
        assert message in page.locator(".undo").inner_text()
        _press(page, "u")
        assert page.locator(".undo").count() == 0

    current = page.locator("[data-item].current").get_attribute("id")
    assert current == story_id  # undo came back to the same item
    _press(page, "h")
    assert page.locator(f"#{story_id}").count() == 0
    _press(page, "u")
    assert page.locator(f"#{story_id}").count() == 1

    page.keyboard.press("j")
    wanted = page.locator("[data-item].current").get_attribute("data-original")
    with page.context.expect_page() as popup:
        page.keyboard.press("v")
    popup.value.wait_for_load_state()
    assert wanted and wanted.startswith("https://") and wanted in page.context.foreign
    page.context.foreign.remove(wanted)  # the publisher's page, asked for (and refused) here
    popup.value.close()

    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/stories/\d+$"))
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/\d+$"))

    for keys, path in (("gl", "/latest"), ("gs", "/starred"), ("gf", "/")):
        page.keyboard.press(keys[0])
        page.keyboard.press(keys[1])
        page.wait_for_url(re.compile(re.escape(path) + "$"))

    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Search your news")
    assert box.evaluate("el => el === document.activeElement")
    page.keyboard.type("storm")  # typed into the box, not taken as shortcuts
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search?q=storm" in page.url
    assert page.locator("main").inner_text().lower().count("storm") >= 3


def test_hide_with_undo_by_clicking(desktop: Any) -> None:
    page = desktop
    first = _item(page, 0)
    story_id = first.get_attribute("id")
    _click(page, first.get_by_role("button", name=re.compile("^Hide")))
    assert "Story hidden." in page.locator(".undo").inner_text()
    assert page.locator(f"#{story_id}").count() == 0
    _click(page, page.get_by_role("button", name="Undo"))
    assert page.locator(f"#{story_id}").count() == 1


def test_follow_and_mute_toggles_show_their_state(desktop: Any, ids: Ids) -> None:
    page = desktop
    page.goto(f"/entities/{ids.entity}")
    name = page.locator("h1").inner_text()
    toggle = page.locator(".follow-state")
    if "Following" in toggle.inner_text():  # the demo reader follows some places already
        _click(page, toggle.get_by_role("button", name=f"Unfollow {name}"))
    _click(page, toggle.get_by_role("button", name=f"Follow {name}"))
    assert "Following" in toggle.inner_text()
    _click(page, toggle.get_by_role("button", name=f"Unfollow {name}"))
    _click(page, toggle.get_by_role("button", name=f"Mute {name}"))
    assert "Muted" in toggle.inner_text()
    _click(page, toggle.get_by_role("button", name=f"Unmute {name}"))
    assert toggle.get_by_role("button", name=f"Follow {name}").is_visible()
    assert page.url.endswith(f"/entities/{ids.entity}")


def test_story_page_briefs_and_article_keeps_its_image(desktop: Any, ids: Ids,
                                                       reader_site: Reader) -> None:
    page = desktop
    page.goto(f"/stories/{ids.story}")
    for heading in ("Timeline", "Outlets", "Key players", "Who said what", "All coverage"):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert page.locator(".outlets li").count() >= 4
    assert page.locator(".timeline li").count() >= 4
    assert page.locator(".players .entities li").count() >= 3
    assert page.locator(".speaker").count() >= 1
    assert page.locator(".lead-sentence").count() >= 4

    photo_hits = reader_site.site.routes["/img/lighthouse.png"].hits
    page.goto(f"/articles/{ids.article}")
    image = page.locator(".reader figure.lead img")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == 640
    assert (image.get_attribute("src") or "").startswith("/images?url=")  # through our proxy
    assert image.get_attribute("referrerpolicy") == "no-referrer"
    assert reader_site.site.routes["/img/lighthouse.png"].hits > photo_hits
