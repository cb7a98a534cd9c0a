"""Article numbers of their day: a renumbered provision keeps its id, and every face cites
the number it had on the date asked (SDF Act Art. 100-8 in 1995, Art. 84-3 in 2014,
Art. 84-4 in 2017 for transport of nationals; sources in the law file's '### Text read')."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from helpers import ROOT, cli

from article9.server import app

TRANSPORT = str(ROOT / "scenarios" / "history-1994-transport-nationals.yaml")
CITED = {"1995-01-01": "Art. 100-8", "2014-01-01": "Art. 84-3", "2017-01-01": "Art. 84-4"}


def test_every_cli_format_cites_the_number_of_the_day():
    for day, article in CITED.items():
        text = cli("assess", TRANSPORT, "--date", day)
        assert text.returncode == 0, text.stderr
        assert f"(b) Statute: {article}: Transport of Japanese nationals abroad" in text.stdout
        others = set(CITED.values()) - {article}
        # today's number is shown beside an older one, and no other number appears
        assert all(f"(b) Statute: {o}" not in text.stdout for o in others)
        if article != "Art. 84-4":
            assert "(today Art. 84-4: Transport of Japanese nationals abroad)" in text.stdout
        md = cli("assess", TRANSPORT, "--date", day, "--format", "md")
        assert f"{article}: Transport of Japanese nationals abroad" in md.stdout
        data = json.loads(cli("assess", TRANSPORT, "--date", day, "--format", "json").stdout)
        ref = data[0]["determinations"][0]["bases"][0]["provision"]
        assert ref["id"] == "sdf-act/84-4"
        assert ref["title"].startswith(article + ":")
        assert ref["article"] == article
        assert (ref.get("today") is None) == (article == "Art. 84-4")
        # the explanation tree cites it the same way
        explained = json.dumps(data[0]["determinations"][0]["explanation"], ensure_ascii=False)
        assert f"sdf-act/84-4 ({article}: Transport" in explained


def test_japanese_and_http_answers_cite_the_number_of_the_day():
    ja = cli("assess", TRANSPORT, "--date", "2014-01-01", "--lang", "ja")
    assert "第84条の3（在外邦人等の輸送）" in ja.stdout
    client = TestClient(app, raise_server_exceptions=False)
    facts = {
        "foreign_minister_requested": True,
        "transport_carries_japanese_nationals": True,
        "transport_safety_secured": True,
    }
    r = client.post(
        "/assess",
        json={
            "scenario": {"title": "t", "facts": facts},
            "dates": ["1995-01-01"],
            "actions": ["transport_nationals_abroad"],
        },
    )
    assert r.status_code == 200, r.text
    ref = r.json()[0]["determinations"][0]["bases"][0]["provision"]
    assert ref["article"] == "Art. 100-8" and ref["today"].startswith("Art. 84-4")
    law = client.get("/law/sdf-act/84-4").json()
    assert [n["article"] for n in law["numbers"]] == ["Art. 100-8", "Art. 84-3", "Art. 84-4"]
    assert "Act No. 102 of 1994" in law["read"]


def test_law_finds_a_provision_by_the_number_of_its_day():
    out = cli("law", "sdf-act 84-3", "--date", "2014-01-01")
    assert out.returncode == 0
    assert (
        "sdf-act 84-3 on 2014-01-01: sdf-act/84-4, cited as Art. 84-3: Transport of Japanese nationals abroad"
        in out.stdout
    )
    rescue = cli("law", "sdf-act 84-3", "--date", "2017-01-01")
    assert "sdf-act/84-3" in rescue.stdout and "Transport" not in rescue.stdout.splitlines()[0]
    mines = cli("law", "sdf-act 99", "--date", "1991-04-24")
    assert "sdf-act/84-2, cited as Art. 99: Removal of mines" in mines.stdout
    facility = cli("law", "sdf-act 95-2", "--date", "2010-01-01")
    assert "sdf-act/95-3, cited as Art. 95-2: Use of weapons to guard SDF facilities" in facility.stdout
    bmd = cli("law", "sdf-act 82-2", "--date", "2008-01-01")
    assert "sdf-act/82-3, cited as Art. 82-2: Destruction measures against ballistic missiles" in bmd.stdout
    missing = cli("law", "sdf-act 84-9", "--date", "2014-01-01")
    assert missing.returncode == 2
    assert "no provision of sdf-act was numbered '84-9' on 2014-01-01" in missing.stderr


def test_timeline_shows_each_renumbering():
    out = cli("timeline", "--instrument", "sdf-act")
    lines = [line for line in out.stdout.splitlines() if "renumbered" in line]
    assert any(
        line.startswith("2007-01-09 renumbered") and "Art. 100-8" in line and "Art. 84-3" in line for line in lines
    )
    assert any(line.startswith("2009-07-24 renumbered") and "Art. 82-2" in line for line in lines)
    assert any(
        line.startswith("2016-03-29 renumbered") and "Art. 84-3" in line and "Art. 84-4" in line for line in lines
    )
    rows = json.loads(cli("timeline", "--instrument", "pko-act", "--json").stdout)
    assert {"from": "Art. 3(iii)", "to": "Art. 3(v)"} in [r.get("renumbered") for r in rows]


def test_the_api_timeline_is_the_command_line_timeline():
    client = TestClient(app, raise_server_exceptions=False)
    api = client.get("/timeline").json()
    assert api == json.loads(cli("timeline", "--json").stdout)
    assert any(r["from"] is None for r in api)  # text-only provisions are listed too
    assert any("renumbered" in r for r in client.get("/timeline", params={"instrument": "sdf-act"}).json())
    assert client.get("/timeline", params={"instrument": "sdf-actt"}).status_code == 404


def test_timeline_places_text_only_changes_on_their_act_s_date():
    """A text-only provision has no window, but the timeline dates it by its instrument's
    promulgation: the 2025 cyber act shows as a 2025 change; an instrument whose front matter
    gives no date keeps the plain text-only row."""
    rows = json.loads(cli("timeline", "--json").stdout)
    cyber = [r for r in rows if r["provision"] == "cyber-2025/communications-protection"]
    assert cyber and cyber[0]["from"] is None and cyber[0]["promulgated"] == "2025-05-23"
    assert any(r["provision"] == "sdf-act/84-4" and r["from"] == "2022-04-22" for r in rows)
    out = cli("timeline").stdout
    line = next(x for x in out.splitlines() if "cyber-2025/communications-protection" in x)
    assert line.startswith("text only; act of 2025-05-23")
    from article9.corpus import _iso_date_or_none

    assert _iso_date_or_none("not verified (within 18 months)") is None
    assert _iso_date_or_none(None) is None
