"""Rule files from strangers: a reform file must never run code, read a file, crash the
process or run unbounded. Each hostile file below is refused by the real command line with
exit status 2 and one line 'error: ...' on stderr (no traceback), within bounded time.
tests/test_reform.py has the first cases (plain #script, #include, @evil, a big number, a
nested term, seven variables, #const); these are the variants and the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import ROOT, SCENARIOS

SCENARIO = str(SCENARIOS / "us-ship-defense.yaml")
FRONT = """---
id: reform-evil
kind: reform
title_en: evil
title_ja: evil
effective: 2027-01-01
predicates:
  p: {en: "p"}
"""
SECTION = """---

## A

```provision
id: reform-evil/a
marker: U
```

Text.

```clingo from=2027-01-01
"""


def reform(rules: str = "p(defend_foreign_warship) :- holds(survival_threat).", front: str = "") -> str:
    return FRONT + front + SECTION + rules + "\n```\n"


def with_q(text: str) -> str:
    """Also declare predicate q, for the cases that derive it."""
    return text.replace('  p: {en: "p"}\n', '  p: {en: "p"}\n  q: {en: "q"}\n')


def ids(cases: list) -> list[str]:
    """Short test ids (pytest puts the id in the environment of the subprocess)."""
    return [f"{i:02d}-{str(c[0])[:40]!r}" for i, c in enumerate(cases)]


def refused(
    tmp_path: Path, content: str | bytes, message: str, env: dict[str, str] | None = None, seconds: float = 30
) -> str:
    """Run 'article9 assess' with the reform; it must fail cleanly, saying `message`."""
    path = tmp_path / "evil.md"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    started = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "article9", "assess", SCENARIO, "--date", "2027-06-01", "--reform", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        cwd=tmp_path,  # a relative #include or a script's file would land here
        env={**os.environ, **(env or {})},
        timeout=120,
    )
    elapsed = time.monotonic() - started
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-2000:])
    assert out.stdout == ""
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr[-2000:]
    assert message in lines[0], lines[0]
    assert "Traceback" not in out.stderr
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert not (tmp_path / "CANARY").exists(), "the reform ran code"
    return lines[0]


def test_a_plain_reform_is_accepted(tmp_path):
    """The template itself is fine: every refusal below is due to what was added to it."""
    path = tmp_path / "ok.md"
    path.write_text(reform())
    out = subprocess.run(
        [sys.executable, "-m", "article9", "assess", SCENARIO, "-d", "2027-06-01", "--reform", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr


CANARY = 'import pathlib\npathlib.Path("CANARY").write_text("ran")'

# (rules in the clingo block, part of the one-line message)
CODE_EXECUTION = [
    (f"#script (python)\n{CANARY}\n#end.", "refused: #script would run code"),
    ('#script (lua)\nio.open("CANARY", "w"):write("ran")\n#end.', "refused: #script would run code"),
    (f"#SCRIPT (python)\n{CANARY}\n#end.", "refused: #script would run code"),
    (f"#Script(python)\n{CANARY}\n#end.", "refused: #script would run code"),
    (f"#  script (python)\n{CANARY}\n#end.", "refused: #script would run code"),
    (f"%* a block comment first *% #script (python)\n{CANARY}\n#end.", "refused: #script would run code"),
    (f"%* a block\ncomment over lines *%\n#script (python)\n{CANARY}\n#end.", "refused: #script would run code"),
    (f"p(defend_foreign_warship) :- holds(survival_threat). #script (python)\n{CANARY}\n#end.", "#script"),
    ("% #script (python) in a comment is refused too", "refused: #script would run code"),
    ('#include "/etc/passwd".', "refused: #include would read a file"),
    ("#INCLUDE '/etc/passwd'.", "refused: #include would read a file"),
    ('#  include "../../etc/shadow".', "refused: #include would read a file"),
    ("#include <incmode>.", "refused: #include would read a file"),
    ('p(defend_foreign_warship) :- holds(survival_threat), @os_system("touch CANARY") = 1.', "@os_system refused"),
    ('p(defend_foreign_warship) :- holds(survival_threat), X = (@os_system("id"), 1).', "@os_system refused"),
    ('p(defend_foreign_warship) :- holds(survival_threat), X = f(g(@os_system("id"))).', "@os_system refused"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = 1 + @os_system(2).", "@os_system refused"),
    ('p(defend_foreign_warship) :- holds(survival_threat), @ os_system("id") = 1.', "@os_system refused"),
    ('p(@os_system("id")) :- holds(survival_threat).', "@os_system refused"),
    ('p(defend_foreign_warship) :- holds(survival_threat), X = %* hidden *% @exec("id").', "@exec refused"),
]


@pytest.mark.parametrize(("rules", "message"), CODE_EXECUTION, ids=ids(CODE_EXECUTION))
def test_code_execution_and_file_reading_refused(tmp_path, rules, message):
    refused(tmp_path, reform(rules), message)


DIRECTIVES = [
    ("#external holds(survival_threat).", "#external declarations belong to the engine"),
    ("#program base.", "#program is not allowed"),
    ("#program step(t).", "#program is not allowed"),
    ("#const n = 1000000.", "#const is not allowed"),
    ("#defined q/1.", "#defined is not allowed"),
    ("#theory t { }.", "#theory is not allowed"),
    ("#edge (a, b) : p(a).", "#edge is not allowed"),
    ("#heuristic p(defend_foreign_warship). [1, true]", "#heuristic is not allowed"),
    ("#project p/1.", "#project is not allowed"),
    ("#show p/1.", "#show is not allowed"),
    ("#SHOW p/1.", "#show is not allowed"),
    ("#minimize { 1 : p(defend_foreign_warship) }.", "#minimize is not allowed"),
    ("p(defend_foreign_warship) :- #count { X : holds(X) } > 1.", "#count is not allowed"),
    ("p(defend_foreign_warship) :- #sum { 1 : holds(survival_threat) } > 0.", "#sum is not allowed"),
    (":- holds(survival_threat).", "rule head must be one atom"),
    ("{ p(defend_foreign_warship) } :- holds(survival_threat).", "rule head must be one atom"),
    ("p(defend_foreign_warship) | q(defend_foreign_warship).", "rule head must be one atom"),
]


@pytest.mark.parametrize(("rules", "message"), DIRECTIVES, ids=ids(DIRECTIVES))
def test_directives_and_non_normal_rules_refused(tmp_path, rules, message):
    refused(tmp_path, with_q(reform(rules)), message)


BIG = [
    ("p(defend_foreign_warship) :- holds(survival_threat), X = 99999999999999999999999, X > 1.", "is too large"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = 0xFFFFFFFFFFFFFFFF, X > 1.", "0xFFFFFFFFFFFFFFFF"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = 0b" + "1" * 40 + ", X > 1.", "is too large"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = 0o7777777777, X > 1.", "is too large"),
    ("p(X) :- holds(survival_threat), X = 1..1000000.", "the number 1000000 is too large"),
]


@pytest.mark.parametrize(("rules", "message"), BIG, ids=ids(BIG))
def test_huge_integers_refused(tmp_path, rules, message):
    refused(tmp_path, reform(rules), message)


DEEP = [
    ("p(defend_foreign_warship) :- holds(survival_threat), X = " + "f(" * 60_000 + "1" + ")" * 60_000 + ".", "nested"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = " + "(" * 100_000 + "1" + ")" * 100_000 + ".", "nested"),
    ("p(" + "(" * 50 + "defend_foreign_warship" + ")" * 50 + ") :- holds(survival_threat).", "nested more than"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = " + "+".join(["1"] * 60_000) + ".", "at most 4000"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = " + "-" * 100_000 + "1.", "at most 4000"),
    ("p(defend_foreign_warship) :- holds(survival_threat), X = " + "|" * 3000 + "1" + "|" * 3000 + ".", "at most"),
    ("p(defend_foreign_warship) :- " + ", ".join(["holds(survival_threat)"] * 10_000) + ".", "at most 4000"),
]


@pytest.mark.parametrize(("rules", "message"), DEEP, ids=["functions", "parens", "pool", "sum", "minus", "abs", "long"])
def test_deep_nesting_and_long_rules_refused_without_crashing(tmp_path, rules, message):
    """These crashed clingo's parser or printer (segmentation fault) before they were refused."""
    refused(tmp_path, reform(rules), message)


BOMB = "".join(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n" for i in range(9))
METADATA = [
    ("x: " + "[" * 60_000 + "]" * 60_000 + "\n", "nested more than 200 deep"),
    ("x: " + "{a: " * 30_000 + "1" + "}" * 30_000 + "\n", "nested more than 200 deep"),
    ("x:\n  " + "- " * 60_000 + "x\n", "nested more than 200 deep"),
    (BOMB + "sources: *b8\n", "'sources' must be a list of names"),
    (BOMB.replace("b", "c") + "law_number: *c8\n", "'law_number' must be a single value"),
    ("x: " + "9" * 5000 + "\n", "too many digits"),
    ("in_force: 2016-13-45\n", "cannot read '2016-13-45' as a date"),
    ("repeals: 5\n", "'repeals' must be a list"),
    ("repeals: [[sdf-act]]\n", "'repeals' must be a list"),
    ("sources: 5\n", "'sources' must be a list of names"),
    ("title_en: [a, b]\n", "'title_en' must be a single value"),
]


@pytest.mark.parametrize(("front", "message"), METADATA, ids=ids(METADATA))
def test_hostile_front_matter_refused(tmp_path, front, message):
    """Deep YAML crashed libyaml; a billion-laughs alias would be printed exponentially."""
    refused(tmp_path, reform(front=front), message)


def test_hostile_predicates_and_dates_refused(tmp_path):
    text = reform().replace('predicates:\n  p: {en: "p"}\n', "predicates: [p]\n")
    assert "predicates: [p]" in text
    refused(tmp_path, text, "'predicates' maps each new predicate")
    text = reform().replace("predicates:\n", BOMB + "predicates:\n  q: {en: *b8}\n")
    refused(tmp_path, text, "predicates.q: the name and its 'en' and 'ja' sentences must be text")
    refused(tmp_path, reform().replace("effective: 2027-01-01", "effective: 0001-01-01"), "on or after 1947-05-03")
    refused(tmp_path, reform().replace("effective: 2027-01-01", "effective: 99999999999999999999999"), "'effective'")
    text = reform().replace("marker: U\n", "marker: U\naliases: 5\n")
    refused(tmp_path, text, "'aliases' must be a list of names")


BYTES = [
    (reform("p(defend_foreign_warship) :- holds(survival_threat).\x00#script (python)"), "U+0000"),
    (reform("p(defend_foreign_warship) :- holds(survival_threat).\x00 q(((("), "U+0000 is not allowed"),
    (reform(front="x: a\x00b\n"), "U+0000 is not allowed"),
    (reform().replace("Text.", "Te\x00xt."), "U+0000 is not allowed"),
    (reform().encode("utf-8").replace(b"Text.", b"Te\xff\xfext."), "cannot read"),
    (reform().encode("utf-8").replace(b"title_en: evil", b"title_en: \xed\xa0\x80"), "cannot read"),
    ("\ufeff" + reform(), "starts with '---'"),
    (reform("p(ａ) :- holds(survival_threat)."), "allowed only inside strings and comments"),
    (reform('p(defend_foreign_warship) :- holds(survival_threat), X = "ａ.'), "a string is not closed"),
    (reform("p(defend_foreign_warship) :- holds(survival_threat). %* never closed"), "is not closed"),
    (reform("p(defend_foreign_warship) :- holds(survival_threat)\u202e."), "U+202E"),
    (reform("p(defend_foreign_warship) :- holds(survival_threat), " + "holds(survival_threat), " * 9000 + "."), "4000"),
]


@pytest.mark.parametrize(("content", "message"), BYTES, ids=ids(BYTES))
def test_nul_bytes_invalid_utf8_and_odd_characters_refused(tmp_path, content, message):
    """Non-ASCII outside a string made clingo's error message cut a character in half, and
    the Python side aborted the whole process ('PANIC'); a NUL silently cut the rules short."""
    refused(tmp_path, content, message)


def test_cross_product_grounding_is_bounded(tmp_path):
    rules = "p(X, Y) :- holds(survival_threat), X = 1..999, Y = 1..999."
    env = {"ARTICLE9_MAX_GROUND_ATOMS": "100000", "ARTICLE9_GROUND_SECONDS": "5"}
    line = refused(tmp_path, reform(rules), "the reform was refused", env)
    assert "atoms, more than 100000" in line or "longer than 5 s" in line or "ground rules" in line


def test_cube_grounding_is_stopped_by_time_or_memory(tmp_path):
    rules = "p(X, Y, Z) :- holds(survival_threat), X = 1..999, Y = 1..999, Z = 1..999."
    line = refused(tmp_path, reform(rules), "the reform was refused", {"ARTICLE9_GROUND_SECONDS": "3"}, seconds=30)
    assert "grounding" in line


def test_recursive_arithmetic_is_bounded(tmp_path):
    rules = "p(0) :- holds(survival_threat).\np(Y) :- p(X), Y = X + 1, Y < 999999."
    refused(tmp_path, reform(rules), "the reform was refused", {"ARTICLE9_GROUND_SECONDS": "3"}, seconds=30)


def test_unstratified_rules_refused_before_they_can_hang_the_solver(tmp_path):
    """Twelve pigeons in eleven holes, in five normal rules: grounding is tiny, but without
    this check 'assess' searched for minutes (no answer set exists, and proving it is
    exponential for the solver)."""
    front = "".join(f"  {n}: {{en: {n}}}\n" for n in ("pin", "pout", "phas", "pbad", "pbad2"))
    rules = (
        "pin(P, H) :- P = 1..12, H = 1..11, not pout(P, H).\n"
        "pout(P, H) :- P = 1..12, H = 1..11, not pin(P, H).\n"
        "phas(P) :- pin(P, H).\n"
        "pbad :- P = 1..12, not phas(P), not pbad.\n"
        "pbad2 :- pin(P, H), pin(Q, H), P < Q, not pbad2."
    )
    refused(tmp_path, reform(rules).replace('  p: {en: "p"}\n', front), "its own negation")
    odd = "p(defend_foreign_warship) :- holds(survival_threat), not p(defend_foreign_warship)."
    refused(tmp_path, reform(odd), "its own negation")
    even = (
        "p(defend_foreign_warship) :- holds(survival_threat), not q(defend_foreign_warship).\n"
        "q(defend_foreign_warship) :- holds(survival_threat), not p(defend_foreign_warship)."
    )
    refused(tmp_path, with_q(reform(even)), "its own negation")


def test_stratified_negation_is_still_accepted(tmp_path):
    rules = (
        "q(defend_foreign_warship) :- holds(survival_threat).\n"
        "p(defend_foreign_warship) :- holds(armed_attack_on_japan), not q(defend_foreign_warship)."
    )
    path = tmp_path / "ok.md"
    path.write_text(with_q(reform(rules)))
    out = subprocess.run(
        [sys.executable, "-m", "article9", "assess", SCENARIO, "-d", "2027-06-01", "--reform", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr


def test_a_hard_question_stops_at_the_solve_time_limit(monkeypatch):
    """Stratified rules can still make a question as hard as satisfiability over the unknown
    facts (here: fourteen pigeons in thirteen holes, which no solver settles in seconds:
    ten in nine was solved within the limit on a quiet machine). Every solver call the engine makes is bounded:
    past ARTICLE9_SOLVE_SECONDS it is cancelled with a LimitError (CLI exit 4, HTTP 503)."""
    import time

    import clingo

    from article9.engine import bounded_solve
    from article9.errors import LimitError

    pigeons, holes = range(14), range(13)
    program = [f"{{ in({p},{h}) }}." for p in pigeons for h in holes]
    program += [f"placed({p}) :- in({p},H)." for p in pigeons]
    program += [":- in(P,H), in(Q,H), P < Q.", "ok :- placed(0..13) ."] + [f":- not placed({p})." for p in pigeons]
    ctl = clingo.Control()
    ctl.add("base", [], "\n".join(program))
    ctl.ground([("base", [])])
    monkeypatch.setenv("ARTICLE9_SOLVE_SECONDS", "1")
    start = time.perf_counter()
    with pytest.raises(LimitError, match="longer than the limit of 1 s"):
        bounded_solve(ctl)
    assert time.perf_counter() - start < 5
    assert LimitError("x").exit_code == 4
    monkeypatch.setenv("ARTICLE9_SOLVE_SECONDS", "soon")
    with pytest.raises(Exception, match="must be a number of seconds"):
        bounded_solve(ctl)


def test_the_api_answers_503_when_solving_runs_out_of_time(monkeypatch):
    from fastapi.testclient import TestClient

    from article9.server import create_app

    # not a test of the request's time limit: a generous one, and a question of one action,
    # so that the second request cannot meet it on a loaded machine (it did at 10 s)
    monkeypatch.setenv("ARTICLE9_TIMEOUT", "600")
    monkeypatch.setenv("ARTICLE9_DECIDING", "solver")  # the compiled windows answer without solving
    client = TestClient(create_app())
    body = {
        "scenario": {"title": "open", "facts": {"survival_threat": True}},
        "dates": ["2017-01-01"],
        "actions": ["defend_foreign_warship"],
    }
    monkeypatch.setenv("ARTICLE9_SOLVE_SECONDS", "0.000001")  # every call with unknown facts runs out
    slow = client.post("/assess", json=body)
    assert slow.status_code == 503 and "ARTICLE9_SOLVE_SECONDS" in slow.json()["detail"]
    monkeypatch.delenv("ARTICLE9_SOLVE_SECONDS")
    assert client.post("/assess", json=body).status_code == 200


def test_a_limit_reached_inside_the_search_for_minimal_sets_is_still_a_503(monkeypatch):
    """The minimal deciding sets run solver calls from inside another solver's callback;
    clingo re-raises a callback's exception wrapped in its own type. The limit must still
    reach the client as a LimitError with its message (HTTP 503), not an internal error."""
    from fastapi.testclient import TestClient

    from article9.engine import GroundProgram
    from article9.errors import LimitError
    from article9.server import create_app

    def overdue(*_args, **_kwargs):
        raise LimitError("solving took longer than the limit of 1 s (ARTICLE9_SOLVE_SECONDS)")

    monkeypatch.setattr(GroundProgram, "always", overdue)
    monkeypatch.setenv("ARTICLE9_DECIDING", "solver")  # the solver's search, not the compiled windows
    client = TestClient(create_app())
    body = {"scenario": {"title": "open", "facts": {}}, "dates": ["2020-01-01"], "actions": ["defend_foreign_warship"]}
    answer = client.post("/assess", json=body)
    assert answer.status_code == 503, answer.text
    assert answer.json()["detail"].startswith("solving took longer than the limit of 1 s")
