"""One query layer under every face, one catalogue of words per language: the faces import
no engine, every word comes from the catalogue in the language asked for, and every answer
opens with a one-sentence headline."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from helpers import ROOT, SCENARIOS, cli

from article9 import query, render
from article9.errors import InputError
from article9.i18n import catalogue
from article9.server import EXAMPLE_SCENARIO, app

SRC = ROOT / "src" / "article9"
FACES = ["cli.py", "server.py", "library.py", "render.py", "i18n.py", "summary.py"]
client = TestClient(app, raise_server_exceptions=False)
SHIP = SCENARIOS / "us-ship-defense.yaml"


def test_no_face_imports_the_engine():
    for name in FACES:
        tree = ast.parse((SRC / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                assert module not in (".engine", "article9.engine"), f"{name}:{node.lineno} imports the engine"
                assert not (module == "." and any(a.name == "engine" for a in node.names)), name
            if isinstance(node, ast.Import):
                assert all(a.name != "article9.engine" for a in node.names), name


def test_the_catalogues_have_the_same_keys_and_slots():
    en, ja = catalogue("en"), catalogue("ja")
    assert set(en) == set(ja), set(en) ^ set(ja)

    def slots(value: object) -> set[str]:
        texts = value.values() if isinstance(value, dict) else [value]
        return {m for text in texts for m in re.findall(r"\{(\w+)\}", text)}

    for key in en:
        assert slots(en[key]) >= slots(ja[key]) - {"n"} and slots(ja[key]) >= slots(en[key]) - {"n", "i"}, key


ENGLISH = re.compile(r"(?<![-\w/.])[A-Za-z]{2,}(?: [A-Za-z]{2,})+")


def english_runs(text: str, allowed: list[str]) -> list[str]:
    """Runs of two or more English words left in a Japanese rendering, outside code (backticks,
    fenced blocks), command options and the given texts (a scenario's own title)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    text = re.sub(r"`[^`]*`", "", text)
    text = re.sub(r"--[a-z-]+(?: [a-z]+)?", "", text)
    for a in allowed:
        text = text.replace(a, "")
    return ENGLISH.findall(text)


def _answers(lang: str) -> dict[str, object]:
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    unknown = s.model_copy(update={"facts": {**s.facts, "survival_threat": None}})
    days = [dt.date(2014, 6, 1), dt.date(2016, 5, 1)]
    return {
        "assessment": query.assess(e, s, days, ["defend_foreign_warship"], lang)
        + query.assess(e, unknown, [days[1]], ["defend_foreign_warship"], lang),
        "comparison": query.compare(e, s, days, ["defend_foreign_warship"], lang),
        "whatif": query.whatif(e, s, "defend_foreign_warship", days[0], 2, lang),
        "diff": query.diff(e, dt.date(2014, 6, 30), dt.date(2016, 3, 29), ["rescue_nationals_abroad"], lang),
    }


def _renderings(kind: str, result: object, lang: str) -> list[str]:
    from rich.console import Console

    console = Console(record=True, width=10_000, soft_wrap=True)
    text = {
        "assessment": lambda: render.print_text(result, console, max_depth=None, rules=True, lang=lang),
        "comparison": lambda: render.print_comparison(result, console, lang),
        "whatif": lambda: render.print_whatif(result, console, lang),
        "diff": lambda: render.print_diff(result, console, lang),
    }[kind]
    text()
    md = {
        "assessment": lambda: render.markdown(result, lang, rules=True),
        "comparison": lambda: render.comparison_markdown(result, lang),
        "whatif": lambda: render.whatif_markdown(result, lang),
        "diff": lambda: render.diff_markdown(result, lang),
    }[kind]()
    html = {
        "assessment": lambda: "".join(render.assessment_html(a, lang) for a in result),
        "comparison": lambda: render.comparison_html(result, lang),
        "whatif": lambda: render.whatif_html(result, lang),
        "diff": lambda: "",
    }[kind]()
    return [out for out in (console.export_text(), md, re.sub(r"<[^>]+>", " ", html)) if out or kind != "diff"]


def _rule_texts(result: object) -> list[str]:
    """The rules as written that a rendering shows: code, in no language."""
    out, todo = [], [json.loads(m.model_dump_json()) for m in (result if isinstance(result, list) else [result])]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            if isinstance(item.get("rule"), dict):
                out += [line.strip() for line in item["rule"]["text"].split("\n")]
            todo += list(item.values())
        elif isinstance(item, list):
            todo += item
    return sorted(set(out), key=len, reverse=True)


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_model_renders_in_every_format_without_an_untranslated_string(lang):
    keys = set(catalogue("en")) - query.engine().rb.vocabulary.constants()  # names in rules are code
    title = query.bundled_scenario(query.engine().rb, "us-ship-defense").title
    for kind, result in _answers(lang).items():
        for out in _renderings(kind, result, lang):
            assert out.strip(), kind
            leaked = [k for k in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", out) if k in keys]
            assert not leaked, (kind, leaked)  # a message key printed instead of its words
            assert "{" not in re.sub(r"```.*?```", "", out, flags=re.S), (kind, out)  # an unfilled slot
            if lang == "ja":
                allowed = [title, *_rule_texts(result)]
                assert english_runs(out, allowed) == [], (kind, english_runs(out, allowed))
            else:
                assert not re.search(r"[\u3040-\u30ff]", out.replace("駆け付け警護", "")), kind  # no kana


def test_assess_in_japanese_markdown_has_no_english_label():
    out = cli("assess", str(SHIP), "--lang", "ja", "--format", "md")
    assert out.returncode == 0, out.stderr
    title = query.bundled_scenario(query.engine().rb, "us-ship-defense").title
    assert english_runs(out.stdout, [title]) == []
    assert "# 2016-05-01時点の判定" in out.stdout and "ルールベース" in out.stdout


def test_the_slips_are_gone():
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    whatif = query.whatif(e, s, "defend_foreign_warship", dt.date(2014, 6, 1), 3)
    from rich.console import Console

    console = Console(record=True, width=10_000)
    render.print_whatif(whatif, console)
    out = console.export_text()
    assert "change(s)" not in out and "False -> True" not in out and "-> " not in out
    assert "1. one change → permitted" in out or "changes →" in out
    text = json.dumps([a.model_dump(mode="json") for a in query.assess(e, s, [dt.date(2016, 5, 1)], None)])
    assert "a armed" not in text and "an armed attack situation" in text


def test_explanation_reads_as_law():
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    d = query.explain(e, s, "defend_foreign_warship", dt.date(2016, 5, 1)).determinations[0]
    assert d.explanation.text == "Using force to defend a foreign (e.g. US) warship under attack is permitted"
    steps, todo = [], [d.explanation]
    while todo:
        step = todo.pop()
        steps.append(step)
        todo += step.children
    procedure = next(x for x in steps if x.atom.startswith("procedure_missing("))
    assert procedure.negated and procedure.value == "true"
    assert procedure.reads.startswith("Every step that sdf-act/76-1-ii") and procedure.reads.endswith("is done")
    assert all(c.note is None for c in procedure.children)  # no 'so this rule does not apply' under it
    for step in steps:  # each rule is shown as written in its law file, at its file:line
        if step.rule is not None:
            path, line = step.rule.origin.rsplit(":", 1)
            written = (SRC / path).read_text().splitlines()
            first = step.rule.text.split("\n")[0]
            assert written[int(line) - 1].startswith(first) or first in written[int(line) - 1], step.rule.origin
    fact = next(x for x in steps if x.atom == "holds(survival_threat)")
    assert fact.text == "Threat to Japan's survival" and fact.kind == "fact"
    lines, _ = [], None
    for x in steps:
        lines.append(render.shown(x)[1])
    assert not any(line.startswith("not: ") for line in lines)


def test_every_fact_has_a_short_label():
    v = query.engine().rb.vocabulary
    missing = [name for name, f in v.facts.items() if f.short is None or not f.short.en or not f.short.ja]
    assert missing == [], f"facts without a short label (short: {{en: ..., ja: ...}}): {', '.join(missing)}"


def test_summary_in_english_and_japanese():
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    en = query.assess(e, s, [dt.date(2015, 6, 1)], ["defend_foreign_warship"])[0].determinations[0].summary
    assert en == (
        "Not permitted on 1 June 2015: within the Constitution as read since 1 July 2014, but no statute in force "
        "authorised it; Self-Defense Forces Act Art. 76(1)(ii) took effect on 29 March 2016."
    )  # Art. 76(1)(i) also took effect that day, but these facts (no armed attack on Japan) rule it out
    ja = query.assess(e, s, [dt.date(2015, 6, 1)], ["defend_foreign_warship"], "ja")[0].determinations[0].summary
    assert ja.startswith("2015年6月1日時点で許されない：2014年7月1日以降の政府解釈で憲法上許容される")
    assert "自衛隊法第76条第1項第2号は2016年3月29日に施行" in ja and "第1号" not in ja
    yes = query.assess(e, s, [dt.date(2016, 5, 1)], ["defend_foreign_warship"])[0].determinations[0].summary
    assert yes.startswith("Permitted on 1 May 2016: within the Constitution as read since 1 July 2014;")
    assert "authorised by Self-Defense Forces Act Art. 76(1)(ii); all 5 required steps are done." in yes
    no = query.assess(e, s, [dt.date(2014, 6, 1)], ["defend_foreign_warship"])[0].determinations[0].summary
    assert no == "Not permitted on 1 June 2014: outside what the Constitution allows as read on that date."


def test_a_depends_headline_names_what_it_turns_on_by_short_label():
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    open_ = s.model_copy(update={"facts": {**s.facts, "survival_threat": None}})
    for lang, label in (("en", "threat to Japan's survival"), ("ja", "存立危機")):
        d = query.assess(e, open_, [dt.date(2016, 5, 1)], ["defend_foreign_warship"], lang)[0].determinations[0]
        assert d.status == "depends" and label in d.summary, d.summary


def test_summary_is_shown_in_text_markdown_json_and_the_library():
    import article9

    for fmt in ("text", "md", "json"):
        out = cli("assess", str(SHIP), "-d", "2015-06-01", "-a", "defend_foreign_warship", "-f", fmt)
        assert "Not permitted on 1 June 2015: within the Constitution" in out.stdout, fmt
    a = article9.assess(str(SHIP), "2015-06-01", ["defend_foreign_warship"])
    assert "Not permitted on 1 June 2015" in a._repr_html_() and "Not permitted on 1 June 2015" in a._repr_markdown_()


def test_every_post_route_takes_lang_and_reform():
    full = {**EXAMPLE_SCENARIO, "facts": {**EXAMPLE_SCENARIO["facts"], "survival_threat": True}}
    reform = query.reforms()[0].id
    bodies = {
        "/assess": {"scenario": full, "dates": ["2016-05-01"], "actions": ["defend_foreign_warship"]},
        "/explain": {"scenario": full, "action": "defend_foreign_warship", "date": "2016-05-01"},
        "/compare": {"scenario": full, "dates": ["2014-06-01", "2016-05-01"], "actions": ["defend_foreign_warship"]},
        "/whatif": {"scenario": full, "action": "defend_foreign_warship", "date": "2014-06-01", "max_changes": 1},
        "/diff": {"from_date": "2014-06-30", "to_date": "2016-03-29", "actions": ["rescue_nationals_abroad"]},
        "/interview/next": {"facts": {"armed_attack_on_japan": True}, "actions": ["use_force_defend_japan"]},
        "/playbook": json.loads(client.get("/playbooks/" + client.get("/playbooks").json()[0]["name"]).text),
    }
    for route, body in bodies.items():
        r = client.post(route, json={**body, "lang": "ja"})
        assert r.status_code == 200, (route, r.text)
        assert re.search(r"[\u3040-\u30ff]", r.text) or route == "/playbook", route
        r = client.post(route, json={**body, "reform": reform})
        assert r.status_code == 200, (route, r.text)
        if route != "/playbook":
            assert '"kind":"reform"' in r.text.replace(" ", ""), route
        r = client.post(route, json={**body, "reform": "no-such-reform"})
        assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reform"], (route, r.text)
        assert "no bundled reform" in r.json()["detail"][0]["msg"]
    r = client.post("/assess", json={**bodies["/assess"], "reform": "../../etc/passwd"})
    assert r.status_code == 422  # only bundled ids, never a path
    assert (
        client.post("/assess", json={**bodies["/assess"], "lang": "ja"})
        .json()[0]["determinations"][0]["summary"]
        .startswith("2016年5月1日時点で許される")
    )


def test_reforms_and_messages_routes():
    reforms = client.get("/reforms").json()
    assert {r["id"] for r in reforms} == {p.stem for p in (SRC / "reforms").glob("*.md")}
    assert all(set(r) >= {"id", "title", "effective"} and set(r["title"]) == {"en", "ja"} for r in reforms)
    en, ja = client.get("/messages/en"), client.get("/messages/ja")
    assert en.status_code == ja.status_code == 200 and set(en.json()) == set(ja.json())
    assert en.json()["short_permitted"] == "permitted" and ja.json()["short_permitted"] == "許される"
    assert all(isinstance(v, str) for v in en.json().values())
    assert client.get("/messages/fr").status_code == 404


def test_law_lookup_is_the_same_in_the_cli_and_the_api():
    r = client.get("/law/sdf-act/76-1")  # an id that is also a prefix of others: the provision itself
    assert r.status_code == 200 and r.json()["id"] == "sdf-act/76-1"
    r = client.get("/law/sdf-act/84-")  # a prefix: every provision it starts
    assert r.status_code == 200
    ids = [p["id"] for p in r.json()["provisions"]]
    out = cli("law", "sdf-act/84-")
    assert out.returncode == 0 and ids and all(i in out.stdout for i in ids)
    assert client.get("/law/nothing-here").status_code == 404
    rows = client.get("/timeline").json()
    assert json.loads(cli("timeline", "--json").stdout) == rows
    assert any(row["from"] is None for row in rows)  # text-only provisions are in both


def test_cli_lang_is_checked_everywhere():
    for args in (("vocab",), ("law", "sdf-act/76-1-ii"), ("pathways", "--date", "2016-05-01"), ("interview",)):
        out = cli(*args, "--lang", "fr")
        assert out.returncode == 2 and "--lang must be en or ja (got 'fr')" in out.stderr, args


def test_docs_layout_names_every_module():
    lines = [line for line in (ROOT / "docs" / "layout.md").read_text().splitlines() if line.startswith("- `")]
    names = {n for line in lines for n in re.findall(r"`([\w.]+\.py)`", line.split("`: ")[0] + "`")}
    missing = sorted(p.name for p in SRC.glob("*.py") if p.name not in names)
    assert missing == [], f"docs/layout.md has no line for: {', '.join(missing)}"


def test_every_answer_format_ends_with_a_cite_line_that_restores_the_question(monkeypatch):
    """'Cite this': version, rule-base hash, date and a link with the facts in the query string,
    in text, Markdown, JSON and HTML, in English and Japanese, and from the HTTP API with its
    own address and the reform asked under."""
    import html
    from urllib.parse import parse_qs, urlparse

    from article9.server import create_app

    monkeypatch.delenv("ARTICLE9_SITE_URL", raising=False)
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    for lang, words in (("en", "Cite this answer: article9 "), ("ja", "この回答の引用：article9 ")):
        a = query.assess(e, s, [dt.date(2015, 6, 1)], ["defend_foreign_warship"], lang)[0]
        link = urlparse(a.cite.link)
        q = parse_qs(link.query)
        assert (link.netloc, q["date"], q["a"]) == ("127.0.0.1:8000", ["2015-06-01"], ["defend_foreign_warship"])
        assert q["survival_threat"] == ["1"] and q["armed_attack_on_japan"] == ["0"]
        assert ("lang" in q) == (lang == "ja")
        line = render.cite_text(a, lang)
        assert line.startswith(words) and a.rulebase.hash[:12] in line and "2015-06-01" in line
        assert render.markdown([a], lang).rstrip().endswith(a.cite.link)
        assert f"<a href='{html.escape(a.cite.link)}'>" in render.assessment_html(a, lang)
        assert json.loads(render.to_json([a]))[0]["cite"]["link"] == a.cite.link
        text = cli(
            "assess",
            "scenarios/us-ship-defense.yaml",
            "-d",
            "2015-06-01",
            "-a",
            "defend_foreign_warship",
            "--lang",
            lang,
        )
        assert text.returncode == 0 and text.stdout.rstrip().endswith(a.cite.link), text.stdout[-400:]
        why = cli(
            "explain", "scenarios/us-ship-defense.yaml", "defend_foreign_warship", "-d", "2015-06-01", "--lang", lang
        )
        assert why.returncode == 0 and why.stdout.rstrip().endswith(a.cite.link), why.stdout[-400:]
    monkeypatch.setenv("ARTICLE9_SITE_URL", "javascript:alert(1)")
    with pytest.raises(InputError, match="ARTICLE9_SITE_URL must be an http"):
        query.assess(e, s, [dt.date(2015, 6, 1)])
    monkeypatch.setenv("ARTICLE9_SITE_URL", "https://example.org/article9/")
    assert query.assess(e, s, [dt.date(2015, 6, 1)])[0].cite.link.startswith("https://example.org/article9/?date=")
    body = {
        "scenario": {"title": "t", "facts": {"survival_threat": True}},
        "dates": ["2016-05-01"],
        "reform": "full-collective-self-defense",
    }
    r = TestClient(create_app()).post("/assess", json=body)
    assert r.status_code == 200, r.text
    link = r.json()[0]["cite"]["link"]
    assert (
        link.startswith("http://testserver/?date=2016-05-01")
        and "reform=full-collective-self-defense" in link
        and "survival_threat=1" in link
    )


def test_whatif_names_the_date_from_which_the_law_itself_changes_the_answer():
    """'or wait until 29 March 2016': the first later change of the law that gives the target
    answer on the facts as they are, with the provision that came into force then."""
    e = query.engine()
    s = query.bundled_scenario(e.rb, "us-ship-defense")
    for day in (dt.date(2014, 6, 1), dt.date(2015, 6, 1)):  # before the 2014 reading; after it
        w = query.whatif(e, s, "defend_foreign_warship", day, 1)
        assert (w.status, w.target) == ("not_permitted", "permitted")
        assert w.wait_until is not None and w.wait_until.date == dt.date(2016, 3, 29)
        assert [p.id for p in w.wait_until.provisions] == ["sdf-act/76-1-ii"]
    assert "Or wait: on these facts unchanged it is permitted from 29 March 2016, when Art. 76(1)(ii)" in (
        render.whatif_markdown(w, "en")
    )
    ja = query.whatif(e, s, "defend_foreign_warship", dt.date(2015, 6, 1), 1, "ja")
    assert "または待つ：事実がこのままでも、2016年3月29日から許される（第76条第1項第2号" in render.whatif_markdown(
        ja, "ja"
    )
    # permitted since 2016 and no later change of the encoded law takes it away
    assert query.whatif(e, s, "defend_foreign_warship", dt.date(2016, 5, 1), 1).wait_until is None
    text = cli(
        "whatif", "scenarios/us-ship-defense.yaml", "defend_foreign_warship", "-d", "2015-06-01", "--max-changes", "1"
    )
    assert (
        text.returncode == 0 and "Or wait: on these facts unchanged it is permitted from 29 March 2016" in text.stdout
    )
