"""The web explorer in a real browser: Playwright driving Debian's Chromium headless against
the app served on loopback. Builds a scenario by clicking, reads the result, moves the date,
switches the language, follows a shared link and a provision link, and saves screenshots.
Skipped only outside CI when Chromium is not installed; in CI (CI=true) a missing browser fails."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)

from helpers import BROWSER_WAIT_MS, Patient, browser_app, serving  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402

expect.set_options(timeout=BROWSER_WAIT_MS)

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def server():
    with serving(browser_app()) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "CI must install Chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield Patient(b)
        b.close()


def card_status(page, action):
    return page.locator(f".card[data-action={action}] .status")


def test_build_a_scenario_by_clicking_and_move_the_date(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_selector(".card")
    page.fill("#date", "2017-06-01")
    page.dispatch_event("#date", "change")
    for fact in (
        "missile_flying_toward_japan",
        "intercept_over_japan_or_high_seas",
        "mindef_destruction_order_pm_approved",
    ):
        page.select_option(f"select[data-fact={fact}]", "true")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_attribute("data-status", "permitted")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_text("Permitted (known true)")
    page.screenshot(path=str(tmp_path / "built.png"))
    # move the date across the timeline: the slider to 2004, before the 2005 destruction-measures article
    page.eval_on_selector("#year", "el => { el.value = '2004'; el.dispatchEvent(new Event('input')); }")
    expect(page.locator("#date")).to_have_value("2004-06-01")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_attribute("data-status", "not_permitted")
    # switch the language
    page.click("#lang-ja")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_text("許されない（確定）")
    expect(page.locator("[data-i18n=world_fact]")).to_have_text("事実")
    page.screenshot(path=str(tmp_path / "japanese.png"))
    assert not errors


def test_bundled_scenario_compare_share_and_law_page(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.wait_for_selector(".card")
    page.select_option("#library", "us-ship-defense")
    ship = card_status(page, "defend_foreign_warship")
    expect(ship).to_have_attribute("data-status", "permitted")  # 2016-05-01
    second = page.locator(".card[data-action=defend_foreign_warship] .second")
    expect(second).to_have_attribute("data-status2", "not_permitted")  # compared with 2014-06-01
    expect(second).to_contain_text("2014-06-01")
    # the shareable URL restores the scenario in a fresh page
    page.click("#share")
    url = page.url
    assert "#s=" in url
    other = browser.new_page()
    other.goto(url)
    expect(card_status(other, "defend_foreign_warship")).to_have_attribute("data-status", "permitted")
    expect(other.locator("select[data-fact=survival_threat]")).to_have_value("true")
    # the explanation links to the provision page
    page.click(".card[data-action=defend_foreign_warship] > details > summary")
    step = page.locator(
        ".card[data-action=defend_foreign_warship] details.psum", has=page.locator("a[href='#/law/sdf-act/76-1-ii']")
    ).first
    step.locator("summary").click(position={"x": 2, "y": 2})
    expect(step.locator("p")).to_contain_text("survival")  # the provision's summary, inline in the tree
    step.locator("a").click()
    expect(page.locator("#lawpage h2")).to_contain_text("sdf-act/76-1-ii")
    expect(page.locator("#lawpage .summary")).to_contain_text("survival")
    page.click("#lang-ja")
    expect(page.locator("#lawpage .summary")).to_contain_text("存立")
    page.click("#lawpage a[href='#/law/sdf-act']")
    expect(page.locator("#lawpage h2")).to_have_text("自衛隊法")
    expect(page.locator("#lawpage li a[href='#/law/sdf-act/95-2']")).to_be_visible()
    page.screenshot(path=str(tmp_path / "law.png"))


def test_readable_on_a_phone(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/")
    page.wait_for_selector(".card")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(tmp_path / "phone.png"))


def test_pathways_page_with_chart(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.wait_for_selector(".card")
    page.fill("#date", "2015-09-19")
    page.dispatch_event("#date", "change")
    page.click("#pathways-link")
    expect(page.locator(".pathway").first).to_contain_text("LDP, Komeito")
    expect(page.locator(".pathway").first).to_contain_text("hor (hor_2014): 326/475")
    # waits without eval(), which the page's Content-Security-Policy forbids
    assert page.locator("#chart").evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    page.screenshot(path=str(tmp_path / "pathways.png"), full_page=True)


def test_a_later_date_warns_and_the_reach_is_shown(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.wait_for_selector(".card")
    page.fill("#date", "2030-01-01")
    page.dispatch_event("#date", "change")
    expect(page.locator("#message [data-warning=after-encoded-to]")).to_contain_text("taken as unchanged since then")
    expect(page.locator("#message [data-gap=active-cyber-defense-2025]")).to_be_visible()
