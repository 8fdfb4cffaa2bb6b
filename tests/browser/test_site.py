"""The reference site and the web pages in real headless Chromium: channel views, copy buttons, keyboard tabs,
no script errors, no failed or off-host request, reflow at 320 px, readable without JavaScript, and axe-core."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import channels
from tests.browser.conftest import AXE_PATH, Site, Watch, axe_script

PUBLIC = "billing/pay-by-phone"
INTERNAL = "billing/waive-late-fee"
_VIEWS = tuple(channels.raw("reference")["channel_views"])  # the reference site's order, then the registry's
PANELS = _VIEWS + tuple(name for name in channels.customer_channels() if name not in _VIEWS and not channels.opt_in(name))
LAST_TITLE = channels.raw("reference")["channel_titles"][PANELS[-1]]
Opener = Callable[..., tuple[Any, Watch]]


def answer_url(site: Site, answer_id: str) -> str:
    return site.url(f"reference/{answer_id}/")


def sms_text(site: Site, answer_id: str) -> str:
    return (site.root / "sms" / f"{answer_id}.txt").read_text(encoding="utf-8")


def test_the_internal_answer_is_internal(sample_site: Site) -> None:
    manifest = json.loads((sample_site.root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["answers"][INTERNAL]["audience"] == "internal"
    assert set(manifest["answers"][PUBLIC]["channels"]) == {*PANELS, "reference"}


NARROW = {"width": 1000, "height": 800}  # below the side-by-side width: the channel views are tabs


def test_the_answer_page_shows_each_channel_view(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page(viewport=NARROW)
    page.goto(answer_url(sample_site, PUBLIC))
    tabs = page.get_by_role("tab")
    assert tabs.count() == len(PANELS)
    page.get_by_role("tab", name="Mobile app card").click()
    card = page.locator("#channel-mobile .ac-card")
    assert card.is_visible() and "Call 800-555-0142" in card.inner_text()
    assert card.get_by_role("link", name="Read the full answer").is_visible()
    assert "AdaptiveCard" not in page.locator("#channel-mobile").inner_text()  # a card, not JSON
    page.get_by_role("tab", name="Phone (IVR)").click()
    ssml = page.locator("#channel-ivr details pre")
    assert not ssml.is_visible()
    page.get_by_text("Show the SSML").click()
    assert ssml.is_visible() and "<say-as" in ssml.inner_text()
    page.get_by_role("tab", name="Text message (SMS)").click()
    sms = page.locator("#channel-sms")
    assert "Encoding GSM-7" in " ".join(sms.inner_text().split()) and "Segments 1" in " ".join(sms.inner_text().split())
    assert page.locator("#sms-text").inner_text() == sms_text(sample_site, PUBLIC)
    assert not page.locator("#channel-web").is_visible()
    page.get_by_role("tab", name="Web page").click()
    assert "press 2" in page.locator("#channel-web .web-view").inner_text()
    assert watch.problems() == []


def test_copy_buttons_copy(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page(permissions=["clipboard-read", "clipboard-write"], viewport=NARROW)
    page.goto(answer_url(sample_site, PUBLIC))
    page.get_by_role("button", name="Copy id").click()
    assert page.evaluate("navigator.clipboard.readText()") == PUBLIC
    page.get_by_role("tab", name="Text message (SMS)").click()
    page.get_by_role("button", name="Copy the SMS text").click()
    assert page.evaluate("navigator.clipboard.readText()") == sms_text(sample_site, PUBLIC).rstrip("\n")
    page.wait_for_function("() => document.querySelector('.copy-status').textContent.startsWith('Copied')")
    page.get_by_role("tab", name="Chat").click()
    page.get_by_role("button", name="Copy the chat text").click()
    chat = (sample_site.root / "chat" / f"{PUBLIC}.txt").read_text(encoding="utf-8").rstrip("\n")
    assert page.evaluate("navigator.clipboard.readText()") == chat
    page.get_by_role("tab", name="Phone (IVR)").click()
    page.get_by_role("button", name="Copy what the phone says").click()
    transcript = (sample_site.root / "ivr" / f"{PUBLIC}.txt").read_text(encoding="utf-8")
    assert page.evaluate("navigator.clipboard.readText()").split() == transcript.split()
    page.get_by_role("tab", name="Web page").click()
    page.get_by_role("button", name="Copy the web text").click()
    assert "press 2" in page.evaluate("navigator.clipboard.readText()")
    assert watch.problems() == []


def test_wide_screens_show_the_channels_side_by_side(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page(viewport={"width": 1400, "height": 900})
    page.goto(answer_url(sample_site, PUBLIC))
    assert page.get_by_role("tab").count() == 0
    boxes = [page.locator(f"#channel-{name}").bounding_box() for name in PANELS]
    assert all(box is not None for box in boxes)
    assert len({round(box["y"]) for box in boxes if box}) < len(PANELS)  # some share a row
    page.set_viewport_size(NARROW)
    from playwright.sync_api import expect  # the fixtures skip when playwright is absent; import it after them

    expect(page.get_by_role("tab")).to_have_count(len(PANELS), timeout=5000)  # narrower again: tabs (the page
    # switches on its media-query listener)
    assert watch.problems() == []


@pytest.mark.parametrize("answer", [PUBLIC, INTERNAL, "outages/downed-power-line", "billing/payment-arrangements"])
def test_the_short_answer_is_on_the_first_screen_at_320_px(sample_site: Site, open_page: Opener, answer: str) -> None:
    page, watch = open_page(viewport={"width": 320, "height": 640})
    page.goto(answer_url(sample_site, answer))
    box = page.locator("#answer .short-answer").bounding_box()
    assert box is not None and box["y"] + box["height"] <= 640, box
    assert watch.problems() == []


def test_the_answer_and_notes_come_before_the_channels_and_metadata(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page()
    page.goto(answer_url(sample_site, "outages/downed-power-line"))
    top = {selector: page.locator(selector).first.bounding_box()["y"] for selector in (
        "#answer .short-answer", "#answer .internal-note", ".channel-views", ".answer-facts")}
    assert list(top) == sorted(top, key=top.__getitem__)
    assert watch.problems() == []


def test_tabs_follow_the_keyboard(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page(viewport=NARROW)
    page.goto(answer_url(sample_site, PUBLIC))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_role("tab", name="Web page").focus()
    selected = "document.activeElement.getAttribute('aria-selected') + ' ' + document.activeElement.textContent"
    page.keyboard.press("ArrowRight")
    assert page.evaluate(selected) == "true Mobile app card" and page.locator("#channel-mobile").is_visible()
    page.keyboard.press("End")
    assert page.evaluate(selected) == f"true {LAST_TITLE}"
    page.keyboard.press("ArrowRight")
    assert page.evaluate(selected) == "true Web page"
    page.keyboard.press("ArrowLeft")
    assert page.evaluate(selected) == f"true {LAST_TITLE}"
    page.keyboard.press("Tab")  # from the selected tab into its panel, not through the other tabs
    assert page.evaluate("document.activeElement.id") == f"channel-{PANELS[-1]}"
    page.goto(answer_url(sample_site, PUBLIC) + "#sms-text")
    assert page.locator("#channel-sms").is_visible() and not page.locator("#channel-web").is_visible()
    assert watch.problems() == []


def test_pages_read_without_javascript(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page(java_script_enabled=False)
    page.goto(answer_url(sample_site, PUBLIC))
    for name in PANELS:
        assert page.locator(f"#channel-{name}").is_visible(), name
    assert page.locator("button").evaluate_all("buttons => buttons.filter(b => b.offsetParent !== null).length") == 0
    assert page.locator("#sms-text").inner_text() == sms_text(sample_site, PUBLIC)
    assert watch.problems() == []


def test_every_page_loads_cleanly_from_this_host_only(sample_site: Site, open_page: Opener) -> None:
    page, watch = open_page()
    every = sample_site.pages("reference") + sample_site.pages("web")
    assert len(every) > 130
    # Every home, topic and asset-bearing layout, and a spread of answers (the injection test loads every page
    # of its own knowledge base).
    pages = [path for path in every if path.count("/") <= 2] + [path for path in every if path.count("/") > 2][::9]
    for path in pages:
        page.goto(sample_site.url(path))
        page.wait_for_load_state("networkidle")  # the home page fetches the search index as it loads
        assert page.evaluate("window.__csp") == [], path
    assert watch.problems() == []


@pytest.mark.parametrize("path", ["reference/", f"reference/{PUBLIC}/", f"reference/{INTERNAL}/", "reference/_report-card/",
                                  "web/", "web/billing/", f"web/{PUBLIC}/"])
def test_no_horizontal_scroll_at_320_px(sample_site: Site, open_page: Opener, path: str) -> None:
    page, watch = open_page(viewport={"width": 320, "height": 640})
    page.goto(sample_site.url(path))
    tabs = page.get_by_role("tab")
    for index in range(max(1, tabs.count())):
        if tabs.count():
            tabs.nth(index).click()
            page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, index, width)
    assert watch.problems() == []


# ------------------------------------------------------------------------------------------------- axe-core

AXE_PAGES = ["reference/", f"reference/{PUBLIC}/", f"reference/{INTERNAL}/", "reference/_report-card/", "web/",
             "web/billing/", f"web/{PUBLIC}/"]


def axe_violations(page: Any) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_PATH)  # same origin: allowed by the page's script-src 'self'
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(("path", "scheme"), [*((path, "light") for path in AXE_PAGES),
                                              (f"reference/{PUBLIC}/", "dark"), ("reference/_report-card/", "dark"),
                                              (f"web/{PUBLIC}/", "dark")])
def test_axe_finds_no_serious_violation(sample_site: Site, open_page: Opener, path: str, scheme: str) -> None:
    if axe_script() is None:
        pytest.skip("axe-core is not installed (npm install --no-save --prefix .cache/npm axe-core@4; .ci/run does)")
    page, watch = open_page(color_scheme=scheme)
    page.goto(sample_site.url(path))
    found = axe_violations(page)
    tabs = page.get_by_role("tab")
    for index in range(1, tabs.count()):  # every channel view, each in its turn
        tabs.nth(index).click()
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        found += axe_violations(page)
    assert found == []
    assert watch.problems() == []
