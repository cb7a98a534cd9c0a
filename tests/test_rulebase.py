"""The literate law corpus and the loader's checks."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from helpers import engine, law_copy

from article9.corpus import load_rulebase
from article9.errors import RuleBaseError


def test_every_instrument_has_front_matter_and_every_provision_a_marker():
    rb = engine().rb
    assert {
        "constitution",
        "interp-1954",
        "interp-1972",
        "interp-1981",
        "cabinet-2014",
        "sdf-act",
        "aasa",
        "iisa",
    } <= set(rb.instruments)
    for inst in rb.instruments.values():
        assert inst.title_en and inst.title_ja and inst.sources
        for p in inst.provisions:
            assert p.marker in ("V", "P", "U")
            assert p.summary, p.id
            assert p.id.startswith(inst.id + "/")
    statutes = [i for i in rb.instruments.values() if i.kind == "statute"]
    assert all(i.law_number for i in statutes)


def test_windows_match_the_brief_timeline():
    rb = engine().rb
    windows = {pid: rb.window_text(pid) for pid in rb.provisions}
    assert windows["sdf-act/76-1-ii"] == "2016-03-29.."
    assert windows["cabinet-2014/3"] == "2014-07-01.."
    assert windows["interp-1954/old-three-conditions"] == "1954-07-01..2014-06-30"
    assert windows["interp-1972/conclusion"] == "1972-10-14..2014-06-30"
    assert windows["interp-1981/answer"] == "1981-05-29..2014-06-30"
    assert windows["iisa/1"] == "1999-08-25..2016-03-28, 2016-03-29.."
    assert dt.date(2016, 3, 29) in rb.change_dates() and dt.date(2014, 7, 1) in rb.change_dates()


def test_every_rule_is_traceable_to_its_provision():
    rb = engine().rb
    for rule in rb.rules:
        assert rule.provision_id in rb.provisions
        assert re.match(r"law/[\w-]+\.md:\d+$", rule.origin)


def _break(tmp_path, file: str, old: str, new: str):
    law = law_copy(tmp_path)
    path = law / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return law


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "aasa.md",
            "holds(survival_threat)",
            "holds(survival_threatened)",
            "'survival_threatened' in holds/1 is not in the vocabulary (did you mean: survival_threat?)",
        ),
        (
            "vocabulary.yaml",
            "facts:\n",
            "facts:\n  never_used:\n    kind: world_fact\n    label: {en: x, ja: x}\n    question: {en: x, ja: x}\n    help: {en: x, ja: x}\n",
            "fact 'never_used' is declared but no rule uses it",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            'permitted(A) :- constitutional(A), lawful(A, B).\n#include "/etc/passwd".',
            "refused: #include would read a file",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "permitted(A) :- constitutional(A), lawful(A, B), @run(A) = 1.",
            "external function @run refused",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "permitted(A) :- constitutional(A), lawful(A, B), p(@f(A)).",
            "external function @f refused",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            ":- permitted(A).",
            "rule head must be one atom",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "{ permitted(A) } :- constitutional(A).",
            "rule head must be one atom",
        ),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "permitted(A) :- constitutional(A), lawfull(A, B).",
            "predicate 'lawfull' is not in the vocabulary's predicates (did you mean: lawful?)",
        ),
        (
            "sdf-act.md",
            'basis(A, "sdf-act/76-1-ii")',
            'basis(A, "sdf-act/76-2")',
            '"sdf-act/76-2" is not a provision id',
        ),
        (
            "sdf-act.md",
            '```clingo from=2016-03-29\ndefense_operation("sdf-act/76-1-ii")',
            '```clingo from=2016-3-29\ndefense_operation("sdf-act/76-1-ii")',
            "'2016-3-29' is not a date",
        ),
        ("core.md", "marker: P", "marker: X", "marker must be one of V, P, U"),
        (
            "core.md",
            "permitted(A) :- constitutional(A), lawful(A, B).",
            "permitted(A) :- constitutional(A) lawful(A, B).",
            "core.md:",
        ),
        (
            "procedure.md",
            "satisfied(pm_defense_order) :- holds(pm_ordered_defense_operation).",
            "holds(pm_ordered_defense_operation).",
            "holds/1 is supplied by the engine and cannot be derived",
        ),
    ],
)
def test_loader_fails_fast_with_file_and_line(tmp_path, file, old, new, message):
    law = _break(tmp_path, file, old, new)
    with pytest.raises(RuleBaseError) as err:
        load_rulebase(law)
    assert message in err.value.message


def test_unmodified_copy_loads(tmp_path):
    rb = load_rulebase(law_copy(tmp_path))
    assert len(rb.rules) == len(engine().rb.rules)


def test_cached_parse_equals_a_fresh_parse(tmp_path, monkeypatch):
    """Loading the law twice with a cache folder (the second load reads the cache) gives the
    same rules as parsing with the cache off; a cache file others can write is ignored."""
    from article9 import corpus

    monkeypatch.setenv("ARTICLE9_CACHE_DIR", str(tmp_path))
    first = corpus.load_rulebase()
    (cache,) = tmp_path.glob("rules-*.json")
    second = corpus.load_rulebase()
    monkeypatch.setenv("ARTICLE9_NO_CACHE", "1")
    fresh = corpus.load_rulebase()

    def shape(rb):
        return [(r.id, r.provision_id, r.block.path, r.text, r.line, r.has_body, r.atoms) for r in rb.rules]

    assert shape(first) == shape(second) == shape(fresh)
    monkeypatch.delenv("ARTICLE9_NO_CACHE")
    original = cache.read_text()
    cache.write_text(original.replace('"text": "', '"text": "edited ', 1))
    assert corpus.load_rulebase().rules[0].text.startswith("edited ")  # the cache is what is read
    cache.chmod(0o666)
    assert shape(corpus.load_rulebase()) == shape(fresh)  # but not from a file others can write
    cache.write_text(original.replace('"text": "', '"text": "edited ', 1))
    cache.chmod(0o600)
    tmp_path.chmod(0o777)
    assert shape(corpus.load_rulebase()) == shape(fresh)  # nor from a folder others can write
    tmp_path.chmod(0o700)
