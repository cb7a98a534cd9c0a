"""The pictures drawn with matplotlib for the CLI: the status strip of `compare --chart`
and the provision timeline of `timeline --chart`, each from the query layer's results."""

from __future__ import annotations

import datetime as dt

from helpers import cli, engine, scenario

from article9.charts import law_change_dates, status_strip_svg, timeline_svg
from article9.corpus import timeline_rows


def test_law_change_dates_are_the_timeline_boundaries():
    days = law_change_dates(engine().rb, dt.date(2020, 1, 1))
    assert days[0] == dt.date(1947, 5, 3) and days[-1] <= dt.date(2020, 1, 1)
    assert dt.date(2016, 3, 29) in days and dt.date(2014, 7, 1) in days  # the 2016 Acts, the 2014 decision
    assert days == sorted(set(days))


def test_status_strip_marks_the_change_with_its_provision():
    e = engine()
    s = scenario("us-ship-defense.yaml")
    c = e.compare(s, law_change_dates(e.rb, dt.date(2020, 1, 1)), ["defend_foreign_warship"])
    statuses = [cell.status for cell in c.rows[0].cells]
    assert statuses[0] == "not_permitted" and statuses[-1] == "permitted"
    svg = status_strip_svg(c, e.rb, "en", dt.date(2020, 1, 1))
    assert "<svg" in svg and "sdf-act/76-1-ii" in svg and "not permitted" in svg
    assert "Use force to defend a foreign" in svg
    ja = status_strip_svg(c, e.rb, "ja", dt.date(2020, 1, 1))
    assert "許されない" in ja


def test_timeline_chart_has_a_bar_per_dated_version():
    rb = engine().rb
    rows = timeline_rows(rb, "sdf-act")
    svg = timeline_svg(rows, rb)
    assert "sdf-act/76-1-ii" in svg and "Self-Defense Forces Act" in svg


def test_compare_and_timeline_chart_from_the_cli(tmp_path):
    out = tmp_path / "strip.svg"
    r = cli("compare", "scenarios/us-ship-defense.yaml", "--chart", str(out))
    assert r.returncode == 0, r.stderr
    assert "sdf-act/76-1-ii" in r.stdout  # the comparison itself is still printed
    assert "sdf-act/76-1-ii" in out.read_text(encoding="utf-8")
    tl = tmp_path / "timeline.svg"
    r = cli("timeline", "--instrument", "aasa", "--chart", str(tl))
    assert r.returncode == 0, r.stderr
    assert "aasa/9" in tl.read_text(encoding="utf-8")
