"""Every user-facing string has an English and a Japanese form."""

from __future__ import annotations

import json
import re

from helpers import ROOT, SCENARIOS, cli, engine

from article9.i18n import STRINGS


def test_ui_strings_have_both_languages():
    for key, forms in STRINGS.items():
        assert forms.get("en") and forms.get("ja"), key


def test_web_page_strings_have_both_languages():
    js = (ROOT / "src" / "article9" / "web" / "app.js").read_text()
    block = js[js.index("const UI = {") : js.index("};", js.index("const UI = {"))]
    entries = re.findall(r'^\s*(\w+): \{ en: "([^"]*)", ja: "([^"]*)" \},?$', block, re.M)
    keys = re.findall(r"^\s*(\w+): \{", block, re.M)
    assert len(entries) == len(keys) > 20
    for key, en, ja in entries:
        if key not in ("on", "summary_missing"):  # deliberately empty in one language
            assert en and ja, key
    html = (ROOT / "src" / "article9" / "web" / "index.html").read_text()
    for key in re.findall(r'data-i18n="(\w+)"', html):
        assert key in keys, key


def test_vocabulary_and_law_have_japanese():
    rb = engine().rb
    v = rb.vocabulary
    for table in (v.facts, v.actions, v.situations, v.procedures):
        for name, item in table.items():
            assert item.label.ja and item.label.en, name
    for name, f in v.facts.items():
        assert f.question.ja and f.help.ja, name
    for name, a in v.actions.items():
        assert a.question.ja, name
    for name, text in v.predicates.items():
        assert text.ja and text.en, name
    for p in rb.provisions.values():
        assert p.title_ja and p.summary_ja, p.id
        assert p.summary and p.summary_ja
    for inst in rb.instruments.values():
        assert inst.title_ja, inst.id


def test_japanese_answer_from_the_command_line():
    out = cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "-d", "2014-06-01", "--lang", "ja")
    assert out.returncode == 0
    assert "判定: 許されない" in out.stdout and "Not permitted" not in out.stdout
    data = json.loads(
        cli("assess", str(SCENARIOS / "us-ship-defense.yaml"), "-d", "2014-06-01", "--lang", "ja", "-f", "json").stdout
    )
    det = data[0]["determinations"][0]
    assert det["label"].startswith("攻撃を受けている外国")
    assert "許される" in det["explanation"]["text"]


def test_error_messages_in_japanese(tmp_path):
    from article9.i18n import ERROR_PHRASES

    assert all(en and ja for en, ja in ERROR_PHRASES)
    cases = [
        ("title: t\nfacts:\n  survival_threatt: true\n", "不明な事実名"),
        ("title: t\nfacts:\n  survival_threat: true\n  survival_threat: false\n", "異なる値で二度指定"),
        ("title: t\ndates: [2016-13-01]\n", "は日付ではありません"),
        ("title: t\ndate: 1946-05-01\n", "日本国憲法施行日"),
        ("facts: {}\n", "シナリオ名"),
    ]
    for text, phrase in cases:
        path = tmp_path / "s.yaml"
        path.write_text(text)
        out = cli("assess", str(path), "--lang", "ja")
        assert out.returncode == 2
        assert out.stderr.startswith("エラー: ") and phrase in out.stderr, out.stderr


def test_compare_whatif_diff_in_japanese():
    ship = str(SCENARIOS / "us-ship-defense.yaml")
    out = cli("compare", ship, "--lang", "ja")
    assert out.returncode == 0 and "許されない → 許される" in out.stdout and "2016-03-29から施行" in out.stdout
    out = cli("whatif", ship, "defend_foreign_warship", "-d", "2014-06-01", "--lang", "ja")
    assert (
        out.returncode == 0
        and "事実が次のとおりである必要がある: 我が国に対する武力攻撃が発生（着手）した" in out.stdout
    )
    out = cli("diff", "--from", "2014-06-30", "--to", "2016-03-29", "-a", "rescue_nationals_abroad", "--lang", "ja")
    assert out.returncode == 0 and "在外邦人等の保護措置" in out.stdout and "次のいずれかの場合に限る" in out.stdout
