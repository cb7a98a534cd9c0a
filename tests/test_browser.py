"""The web explorer in a real browser: Playwright driving Debian's Chromium headless against
the app served on loopback. Starts from the question-first landing page, asks about an action,
opens a case and answers the journalist's question by clicking, shows that a slow stale response
never overwrites a newer answer, builds a scenario, switches the language, follows a shared
link and a provision link, and saves screenshots of each view (in tmp_path).
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


import re  # noqa: E402


def card_status(page, action):
    return page.locator(f".card[data-action={action}] .headline")


def no_fact_ids(page, scope="main"):
    """No fact id (snake_case vocabulary name) in what a person reads: ids live only in
    title attributes, data attributes, JSON and the shareable link's query string."""
    text = re.sub(r"https?://\S+", "", page.locator(scope).inner_text())
    ids = page.evaluate("() => fetch('/vocabulary').then(r => r.json()).then(v => Object.keys(v.facts))")
    shown = [i for i in ids if re.search(rf"\b{i}\b", text)]
    assert not shown, shown


def open_case(page, server, words, name):
    page.goto(server + "/")
    page.fill("#case-search", words)
    page.click(f"button[data-case='{name}']")


def test_landing_asks_first_and_runs_nothing_heavy(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(server + "/")
    expect(page.locator("#start h2")).to_have_text("What do you want to know?")
    expect(page.locator("#case-groups details").first).to_be_visible()
    # three starting points, each control with a real label
    for control in ("#start-action", "#start-date", "#case-search", "#iv-action", "#iv-date"):
        name = page.locator(control).evaluate("e => e.labels.length ? e.labels[0].textContent : ''")
        assert name.strip(), control
    page.fill("#case-search", "destroyer")
    expect(page.locator("button[data-case='us-ship-defense']")).to_be_visible()
    expect(page.locator("button[data-case='airspace-violation-high-seas']")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "landing.png"))
    assert posts == []  # nothing assessed before the user chooses
    # ask about an action: one card, for that action, saying what it turns on in plain words
    page.fill("#case-search", "")
    page.select_option("#start-action", "defend_foreign_warship")
    page.fill("#start-date", "2017-06-01")
    page.click("#ask")
    expect(card_status(page, "defend_foreign_warship")).to_contain_text("On 1 June 2017 it depends on")
    expect(page.locator(".card")).to_have_count(1)
    no_fact_ids(page)
    page.screenshot(path=str(tmp_path / "action.png"), full_page=True)


def test_the_journalists_question_by_clicking(server, browser, tmp_path):
    """'Could Japan have defended a US destroyer in 2015?': open the case, pick 2015, read the sentence."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_case(page, server, "US destroyer", "us-ship-defense")
    # the case keeps all three of its dates, in time order, and compares them with /compare
    expect(page.locator("#dates input[type=date]")).to_have_count(3)
    expect(page.locator("#compare td[data-date='2015-06-01']")).to_have_attribute("data-status", "not_permitted")
    expect(page.locator("#compare td[data-date='2016-05-01']")).to_have_attribute("data-status", "permitted")
    expect(page.locator("#compare .changes")).to_contain_text("Self-Defense Forces Act Art. 76(1)(ii)")
    page.select_option("#focus", "2015-06-01")
    headline = card_status(page, "defend_foreign_warship")
    expect(headline).to_contain_text("Not permitted on 1 June 2015")
    expect(headline).to_contain_text("29 March 2016")
    expect(headline).to_contain_text("Art. 76(1)(ii)")
    # the pipeline is drawn, and the cite line carries version, hash and a restoring link
    expect(page.locator(".pipeline[data-drawn=true] svg")).to_have_count(1)
    cite = page.locator("#cite")
    expect(cite).to_contain_text("article9 0.")
    expect(cite).to_contain_text(re.compile(r"rule base [0-9a-f]{12}, 2015-06-01 "))
    link = cite.locator("a").get_attribute("href")
    assert "date=2015-06-01" in link and "survival_threat=1" in link and "#s=" not in link
    no_fact_ids(page, "#results")
    page.screenshot(path=str(tmp_path / "destroyer-2015.png"), full_page=True)
    # the answers came without trees; opening "Why" asks /explain for this card's tree only
    explained = []
    page.on("request", lambda r: explained.append(r.post_data_json) if r.url.endswith("/explain") else None)
    why = page.locator(".card[data-action=defend_foreign_warship] details.why")
    why.locator("> summary").click()
    expect(why.locator("ul.tree a[href='#/law/sdf-act/76-1']").first).to_be_visible()
    expect(why.locator("ul.tree")).to_contain_text("not in force")
    assert [b["action"] for b in explained] == ["defend_foreign_warship"] and explained[0]["date"] == "2015-06-01"
    # the status strip across 1947-today
    page.click("#strip-draw")
    expect(page.locator("#strip[data-drawn=true] svg")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "strip.png"), full_page=True)
    # the link restores the state in a fresh page
    other = browser.new_page(viewport={"width": 1280, "height": 900})
    other.goto(link)
    expect(card_status(other, "defend_foreign_warship")).to_contain_text("Not permitted on 1 June 2015")
    expect(other.locator("#fact-survival_threat")).to_have_value("true")


def track(page):
    """Every request of the page that has finished or failed (an abort by the page is a failure)."""
    ended = []
    page.on("requestfinished", lambda r: ended.append(r))
    page.on("requestfailed", lambda r: ended.append(r))
    return ended


def release(page, route, ended):
    """Let a held request go on to the server and wait until its response has reached the
    page, or it failed. The page aborts the request before the latest one itself; then
    nothing is left to answer, which is as good."""
    from playwright.sync_api import Error

    try:
        route.continue_()
    except Error:
        pass
    for _ in range(BROWSER_WAIT_MS // 100):
        if route.request in ended:
            break
        page.wait_for_timeout(100)
    assert route.request in ended
    page.wait_for_timeout(500)  # the page's own handling of that response, if it showed it


def test_a_slow_stale_answer_never_overwrites_the_chosen_one(server, browser, tmp_path):
    """The first answer request is held back until the user has chosen a case and its answer
    is shown; when the held response arrives at last, the page must still show the case."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    held = []

    def hold_first(route):
        if not held:
            held.append(route)  # answered only later, by the test
        else:
            route.continue_()

    page.route("**/assess", hold_first)
    ended = track(page)
    page.goto(server + "/")
    page.select_option("#start-action", "use_force_defend_japan")
    page.click("#ask")
    expect(page.locator("#working")).to_be_visible()  # the working state while a request runs
    page.click("#start-over")  # in the page: the held request belongs to this document
    page.fill("#case-search", "US destroyer")
    page.click("button[data-case='us-ship-defense']")
    expect(card_status(page, "defend_foreign_warship")).to_have_attribute("data-status", "not_permitted")
    assert len(held) == 1
    release(page, held[0], ended)
    expect(page.locator(".card")).to_have_count(1)
    expect(page.locator(".card[data-action=use_force_defend_japan]")).to_have_count(0)
    expect(page.locator("#answer-date")).to_contain_text("1 June 2014")
    expect(page.locator("#working")).to_be_hidden()
    page.screenshot(path=str(tmp_path / "race.png"))


def test_a_stale_answer_is_dropped_within_the_explorer(server, browser):
    """Change a fact while the previous answer is still on its way: only the later one shows."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    open_case(page, server, "US destroyer", "us-ship-defense")
    expect(card_status(page, "defend_foreign_warship")).to_have_attribute("data-status", "not_permitted")
    held = []
    ended = track(page)
    page.route("**/assess", lambda route: held.append(route) if not held else route.continue_())
    page.locator("details:has(#facts-judgment) > summary").click()
    page.select_option("#fact-survival_threat", "")  # unknown: the answer depends
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(100)
    page.select_option("#fact-survival_threat", "false")
    expect(card_status(page, "defend_foreign_warship")).to_have_attribute("data-status", "not_permitted")
    release(page, held[0], ended)
    expect(card_status(page, "defend_foreign_warship")).to_have_attribute("data-status", "not_permitted")
    assert "survival_threat=0" in page.url


def test_describe_a_situation_asks_only_what_matters(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/")
    page.select_option("#iv-action", "defend_foreign_warship")
    page.fill("#iv-date", "2016-05-01")
    page.click("#iv-begin")
    question = page.locator("#iv-question")
    expect(question).to_be_visible()
    first = question.get_attribute("data-fact")
    page.click("#iv-question button[data-answer=false]")
    expect(page.locator("#iv-review li")).to_have_count(1)
    expect(question).not_to_have_attribute("data-fact", first)
    page.click("#iv-back")
    expect(page.locator("#iv-review li")).to_have_count(0)
    expect(question).to_have_attribute("data-fact", first)
    no_fact_ids(page, "#interview")
    page.screenshot(path=str(tmp_path / "interview.png"))
    page.click("#iv-open")
    expect(page.locator(".card[data-action=defend_foreign_warship]")).to_be_visible()


def test_build_a_scenario_by_clicking_and_switch_language(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.select_option("#start-action", "intercept_missile_aimed_at_japan")
    page.fill("#start-date", "2017-06-01")
    page.click("#ask")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_attribute("data-status", "depends")
    for kind in ("world_fact", "judgment", "procedural"):  # the fact groups start closed
        page.locator(f"details:has(#facts-{kind}) > summary").click()
    for fact in (
        "missile_flying_toward_japan",
        "intercept_over_japan_or_high_seas",
        "mindef_destruction_order_pm_approved",
    ):
        page.select_option(f"#fact-{fact}", "true")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_attribute("data-status", "permitted")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_contain_text("Permitted on 1 June 2017")
    page.screenshot(path=str(tmp_path / "built.png"))
    # move the date to 2004, before the 2005 destruction-measures article
    page.fill("#dates input[data-date-index='0']", "2004-06-01")
    page.dispatch_event("#dates input[data-date-index='0']", "change")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_have_attribute("data-status", "not_permitted")
    page.click("#lang-ja")
    expect(card_status(page, "intercept_missile_aimed_at_japan")).to_contain_text("2004年6月1日時点で許されない")
    expect(page.locator("#builder summary").first).to_have_text("事実")
    assert "lang=ja" in page.url
    page.screenshot(path=str(tmp_path / "japanese.png"))
    assert not errors


def test_japanese_case_and_provision_names(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?lang=ja")
    expect(page.locator("#start h2")).to_have_text("何を調べますか")
    page.fill("#case-search", "destroyer")
    page.click("button[data-case='us-ship-defense']")
    expect(page.locator("#compare .changes")).to_contain_text("自衛隊法第76条第1項第2号")
    page.select_option("#focus", "2015-06-01")
    expect(card_status(page, "defend_foreign_warship")).to_contain_text("2015年6月1日時点で許されない")
    expect(card_status(page, "defend_foreign_warship")).to_contain_text("自衛隊法第76条第1項第2号は2016年3月29日に施行")
    page.goto(server + "/?lang=ja#/law/sdf-act/76-1-ii")
    expect(page.locator("#lawpage h2")).to_contain_text("自衛隊法第76条第1項第2号")
    page.screenshot(path=str(tmp_path / "japanese-law.png"))


def test_law_pages_link_sources_and_e_gov(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/#/law/sdf-act/76-1-ii")
    expect(page.locator("#lawpage h2")).to_contain_text("Self-Defense Forces Act Art. 76(1)(ii)")
    expect(page.locator("#lawpage a.egov")).to_have_attribute("href", "https://laws.e-gov.go.jp/law/329AC0000000165")
    page.click("#lawpage .prov-sources a:text-is('S23')")
    expect(page.locator("#source-S23")).to_have_class(re.compile("current"))
    expect(page.locator("#source-S23 + dd a").first).to_have_attribute("href", re.compile("^https://iuris.jp/"))
    page.goto(server + "/#/law")
    expect(page.locator("#timeline-chart[data-drawn=true] svg")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "law-timeline.png"))


def test_readable_on_a_phone(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/")
    expect(page.locator("#case-groups details").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(tmp_path / "phone-landing.png"))
    page.fill("#case-search", "US destroyer")
    page.click("button[data-case='us-ship-defense']")
    expect(page.locator("#compare")).to_be_visible()
    # the answer comes first on a phone, before the form
    answer_top = page.locator("#results").bounding_box()["y"]
    assert answer_top < page.locator("#builder").bounding_box()["y"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(tmp_path / "phone-case.png"), full_page=True)
    page.click("#lang-ja")
    expect(page.locator("#compare h3").first).to_have_text("日付の間で変わったこと")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(tmp_path / "phone-ja.png"))


def test_pathways_page_with_chart(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?date=2015-09-19#/pathways")
    expect(page.locator(".pathway").first).to_contain_text("LDP, Komeito")
    expect(page.locator(".pathway").first).to_contain_text("House of Representatives (hor_2014): 326/475")
    expect(page.locator("#chart[data-drawn=true] svg")).to_have_count(1)
    expect(page.locator("#chart svg")).to_contain_text("19 September 2015")
    page.screenshot(path=str(tmp_path / "pathways.png"), full_page=True)


def test_a_later_date_warns_and_the_reach_is_shown(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + "/?date=2030-01-01&a=defend_foreign_warship")
    expect(page.locator("#message [data-warning=after-encoded-to]")).to_contain_text("taken as unchanged since then")
    expect(page.locator("#message [data-gap=active-cyber-defense-2025]")).to_be_visible()


def test_old_hash_links_still_open(server, browser):
    import base64
    import json

    state = {"f": {"survival_threat": True}, "d": "2016-05-01", "d2": "", "l": "en", "a": ["defend_foreign_warship"]}
    blob = base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(server + f"/#s={blob}")
    expect(page.locator(".card[data-action=defend_foreign_warship]")).to_be_visible()
    assert "survival_threat=1" in page.url


def test_reforms_and_messages_are_used_when_the_server_offers_them(server, browser):
    """GET /reforms and GET /messages/{lang} come with another branch; stubbed here, the page
    offers the reform, sends its id, and shows the reform's answer beside the law's, labelled
    hypothetical; without them (every other test) the page works on its own table."""
    import json

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    reform = {
        "id": "full-csd",
        "title": {"en": "Full collective self-defense", "ja": "全面的な集団的自衛権"},
        "effective": "2027-01-01",
    }
    page.route("**/reforms", lambda route: route.fulfill(json=[reform]))
    page.route("**/messages/en", lambda route: route.fulfill(json={"start_title": "What would you like to check?"}))
    sent = []

    def assess(route):
        body = json.loads(route.request.post_data)
        if "reform" not in body:
            route.continue_()
            return
        sent.append(body["reform"])
        del body["reform"]
        real = route.fetch(post_data=json.dumps(body)).json()
        for d in real[0]["determinations"]:
            d["status"] = "permitted"  # stands for the reform's answer
        route.fulfill(json=real)

    page.route("**/assess", assess)
    page.goto(server + "/")
    expect(page.locator("#start h2")).to_have_text("What would you like to check?")
    open_case(page, server, "US destroyer", "us-ship-defense")
    page.select_option("#reform", "full-csd")
    expect(page.locator("#reform option[value=full-csd]")).to_have_text("HYPOTHETICAL: Full collective self-defense")
    second = page.locator(".card[data-action=defend_foreign_warship] [data-reform-status]")
    expect(second).to_have_attribute("data-reform-status", "permitted")
    expect(second).to_contain_text("HYPOTHETICAL (Full collective self-defense)")
    expect(card_status(page, "defend_foreign_warship")).to_have_attribute("data-status", "not_permitted")
    assert sent == ["full-csd"] and "reform=full-csd" in page.url
