"""The web explorer's playbook page in headless Chromium: load a bundled playbook, step
through it, follow the other branch of the fork, and open a cell's explanation. Skipped only
outside CI when Chromium is not installed; in CI (CI=true) a missing browser fails."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if not CHROMIUM and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (apt-get install chromium); CI installs it", allow_module_level=True)

import test_browser  # noqa: E402
from helpers import engine  # noqa: E402
from playwright.sync_api import expect  # noqa: E402

# the same served app and the same patient Chromium as the explorer's tests (module fixtures)
server = test_browser.server
browser = test_browser.browser


def cell(page, step, action):
    return page.locator(f"#pb-grid td[data-step='{step}'][data-action={action}]")


def test_play_a_bundled_playbook_step_through_it_and_explain_a_cell(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    expect(page.locator("#start h2")).to_be_visible()
    page.click("#playbook-link")
    page.select_option("#pb-library", "remote-island-gray-zone")
    expect(page.locator("#pb-view h2")).to_contain_text("Gray-zone escalation")
    # the timeline: the start and the main line, then the first branch of the fork
    expect(cell(page, "0", "maritime_security_operation")).to_have_attribute("data-status", "not_permitted")
    expect(cell(page, "1", "maritime_security_operation")).to_have_attribute("data-status", "depends")
    expect(cell(page, "2", "maritime_security_operation")).to_have_attribute("data-status", "permitted")
    expect(cell(page, "6/diet-approves/2", "use_force_defend_japan")).to_have_attribute("data-status", "permitted")
    # the pending procedure is marked on the cell waiting for it
    expect(cell(page, "1", "maritime_security_operation").locator(".pb-dot")).to_have_count(1)
    expect(cell(page, "2", "maritime_security_operation").locator(".pb-dot")).to_have_count(0)
    # step through: the detail panel follows the current step
    expect(page.locator("#pb-step")).to_have_attribute("data-step", "0")
    page.click("#pb-next")
    expect(page.locator("#pb-step")).to_have_attribute("data-step", "1")
    sea = page.locator("#pb-step .pb-action[data-action=maritime_security_operation]")
    expect(sea.locator(".pb-pending")).to_contain_text("Minister of Defense")
    order = engine().rb.vocabulary.facts["mindef_ordered_operation_pm_approved"].label.en  # words, not the id
    expect(sea.locator(".pb-opens")).to_contain_text(order)
    expect(sea.locator(".pb-opens")).not_to_contain_text("mindef_ordered_operation_pm_approved")
    page.click("#pb-next")
    expect(page.locator("#pb-step")).to_have_attribute("data-step", "2")
    expect(sea.locator(".pb-cause")).to_contain_text(order)
    page.click("#pb-prev")
    expect(page.locator("#pb-step")).to_have_attribute("data-step", "1")
    page.screenshot(path=str(tmp_path / "playbook.png"), full_page=True)
    # the other branch: the Diet refuses, and the defense operation stays closed
    page.click("button[data-branch=diet-refuses]")
    expect(cell(page, "6/diet-refuses/2", "use_force_defend_japan")).to_have_attribute("data-status", "not_permitted")
    expect(cell(page, "6/diet-approves/2", "use_force_defend_japan")).to_have_count(0)
    # a click on a cell shows its explanation, from /explain on that step's facts and date
    cell(page, "6/diet-refuses/2", "use_force_defend_japan").click()
    expect(page.locator("#pb-step")).to_have_attribute("data-step", "6/diet-refuses/2")
    expect(page.locator("#pb-explain .status")).to_have_attribute("data-status", "not_permitted")
    expect(page.locator("#pb-explain .tree")).to_contain_text("Diet")
    expect(page.locator("#pb-explain .tree a[href='#/law/sdf-act/76-1-i']").first).to_be_visible()
    page.screenshot(path=str(tmp_path / "playbook-explained.png"), full_page=True)
    assert not errors


def test_playbook_page_by_link_and_the_law_change_named(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/#/playbook/us-destroyer-2015-and-2017")
    page.wait_for_selector("#pb-grid")
    page.click("button[data-branch=played-in-2017]")
    page.click("#pb-grid th[data-step='played-in-2017/1']")
    expect(page.locator("#pb-step .pb-law")).to_contain_text("sdf-act/95-2")
    expect(cell(page, "played-in-2017/1", "protect_foreign_forces_assets")).to_have_attribute(
        "data-status", "permitted"
    )
