"""The second security review (../shared/reviews/RELIABILITY-REVIEW-2026-12.md): each of its
15 defects, reproduced through the real command line or HTTP with the attack script's
bounds (wall-clock time, address space), must now be refused, bounded or fixed."""

from __future__ import annotations

import contextlib
import json as _json
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import ROOT, SCENARIOS

SCEN = str(SCENARIOS / "us-ship-defense.yaml")


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float

    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def run(
    *args: str,
    timeout: float = 60,
    mem_mib: int = 2048,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdin: str = "",
) -> Run:
    """The real command line under the attack script's bounds: an address-space limit and
    a wall clock (a run that passes it fails the test)."""

    def limit() -> None:
        cap = mem_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "article9", *args],
        capture_output=True,
        text=True,
        errors="replace",
        cwd=cwd or ROOT,
        env={**os.environ, **(env or {})},
        input=stdin,
        timeout=timeout,
        preexec_fn=limit,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


def refused(r: Run, message: str = "", seconds: float = 20) -> str:
    """Exit 2, one 'error:' line of bounded size, no traceback, within `seconds`."""
    assert r.rc == 2, (r.rc, r.out[-300:], r.err[-1000:])
    lines = r.lines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.err[-1000:]
    assert len(lines[0]) < 3000
    assert "Traceback" not in r.err and "\x1b" not in r.err
    assert message in lines[0], lines[0]
    assert r.seconds < seconds, f"took {r.seconds:.1f} s"
    return lines[0]


# -- A06: scenario YAML ---------------------------------------------------------------------


def _bomb(prefix: str, depth: int = 8) -> str:
    out = f"  - &{prefix}0 [{', '.join(['lol'] * 9)}]\n"
    for i in range(1, depth + 1):
        out += f"  - &{prefix}{i} [{', '.join([f'*{prefix}{i - 1}'] * 9)}]\n"
    return out


A06_CASES = {
    "dates-bomb": "description:\n" + _bomb("b") + "title: x\ndates: *b8\n",
    "actions-bomb": "description:\n" + _bomb("b") + "title: x\nactions: *b8\n",
    "expect-bomb": "description:\n" + _bomb("b") + "title: x\nexpect: {2016-05-01: *b8}\n",
    "duplicate-key-two-bombs": "description:\n"
    + _bomb("b")
    + _bomb("c")
    + "title: x\nfacts:\n  survival_threat: [*b8, *b8, *b8, *b8, *b8, *b8, *b8, *b8, 1]\n"
    + "  survival_threat: [*c8, *c8, *c8, *c8, *c8, *c8, *c8, *c8, 2]\n",
    "huge-description-20MB": "title: x\ndescription: " + "a" * 20_000_000 + "\nfacts: {survival_threat: true}\n",
}


@pytest.mark.parametrize("name", sorted(A06_CASES))
def test_a06_hostile_scenario_yaml_is_refused_in_one_short_line(tmp_path, name):
    path = tmp_path / f"{name}.yaml"
    path.write_text(A06_CASES[name])
    refused(run("assess", str(path), "--date", "2016-05-01", cwd=tmp_path, timeout=60))


def test_a06_terminal_escapes_in_a_scenario_never_reach_the_terminal(tmp_path):
    title = tmp_path / "ansi.yaml"
    title.write_text('title: "\\e]0;pwned\\a\\e[2J\\e[31mRED"\nfacts: {survival_threat: true}\n')
    r = run("assess", str(title), "--date", "2016-05-01")
    assert "\x1b" not in r.out and "\x07" not in r.out
    refused(r, "control character")
    fact = tmp_path / "ansi-fact.yaml"
    fact.write_text('title: x\nfacts: {"\\e[2J\\e]0;pwned\\a": true}\n')
    refused(run("assess", str(fact), "--date", "2016-05-01"), "unknown fact")


def test_a15_an_endless_scenario_file_is_refused(tmp_path):
    refused(run("assess", "/dev/zero", timeout=60), "at most")
    refused(run("assess", str(ROOT)), "folder")


# -- reforms (A01, A02, A03, A04, A16, A18, A19) ------------------------------------------

REFORM = """---
id: reform-x
kind: reform
title_en: x
title_ja: x
effective: {effective}
predicates:
{predicates}
---

## A

```provision
id: reform-x/a
marker: U
```

Text.

```clingo from={start}
{rules}
```
"""


def reform(
    tmp_path: Path, rules: str, predicates: dict[str, str] | None = None, effective: str = "2027-01-01", start=None
) -> str:
    preds = {"p": "{en: 'p'}"} if predicates is None else predicates
    lines = "\n".join(f"  {k}: {v}" for k, v in preds.items()) or "  {}"
    path = tmp_path / "reform.md"
    path.write_text(
        REFORM.format(effective=effective, predicates=lines, start=start or effective, rules=rules), encoding="utf-8"
    )
    return str(path)


@pytest.fixture(scope="module")
def all_false(tmp_path_factory) -> str:
    """A fully known scenario, every fact false (no actions listed: all are assessed)."""
    import yaml

    vocab = yaml.safe_load((ROOT / "src" / "article9" / "law" / "vocabulary.yaml").read_text(encoding="utf-8"))
    path = tmp_path_factory.mktemp("scen") / "all-false.yaml"
    path.write_text("title: all false\nfacts:\n" + "".join(f"  {x}: false\n" for x in vocab["facts"]))
    return str(path)


def test_a01_a_stratified_reform_cannot_make_explanations_exponential(tmp_path, all_false):
    width, levels = 3, 12
    lines = [f"l0c{k}(A) :- action(A), holds(armed_attack_on_japan_anticipated)." for k in range(1, width + 1)]
    for i in range(1, levels):
        below = ", ".join(f"l{i - 1}c{k}(A)" for k in range(1, width + 1))
        lines += [f"l{i}c{k}(A) :- action(A), {below}." for k in range(1, width + 1)]
    lines.append(f'basis(A, "reform-x/a") :- l{levels - 1}c1(A).')
    preds = {f"l{i}c{k}": f"{{en: 'level {i} copy {k} holds for {{0}}'}}" for i in range(levels) for k in range(1, 4)}
    path = reform(tmp_path, "\n".join(lines), preds)
    # the script's bounds: 4 GiB, 180 s; it was 31.5 MB for one action and MemoryError for all 28
    r = run(
        "assess", all_false, "--date", "2027-06-01", "--reform", path, "--format", "json", timeout=180, mem_mib=4096
    )
    assert r.rc == 0, r.err[-500:]
    assert r.seconds < 30 and len(r.out) < 5_000_000, (r.seconds, len(r.out))
    assert "(explained above)" in r.out


def test_a02_a_number_argument_in_an_explained_atom_is_shown(tmp_path):
    rules = 'p(defend_foreign_warship, 1) :- holds(survival_threat).\nbasis(A, "reform-x/a") :- p(A, 1).'
    path = reform(tmp_path, rules, {"p": "{en: 'step {1} for {0}'}"})
    for args in (
        ["assess", SCEN, "--date", "2027-06-01"],
        ["explain", SCEN, "defend_foreign_warship", "--date", "2027-06-01"],
        ["compare", SCEN, "--date", "2026-06-01", "--date", "2027-06-01"],
    ):
        r = run(*args, "--reform", path, timeout=120)
        assert r.rc == 0, (args[0], r.err[-500:])
    assert "Step 1 for" in run("explain", SCEN, "defend_foreign_warship", "-d", "2027-06-01", "--reform", path).out


@pytest.mark.parametrize(
    "template",
    ["'{0:>400000000}'", "'{3}'", "'{'", "'{0.__class__.__mro__} {0.__doc__}'", "'{0!r}'", "'{name}'", "'}'"],
)
def test_a03_predicate_sentences_are_slots_only(tmp_path, template):
    rules = 'p(defend_foreign_warship) :- holds(survival_threat).\nbasis(A, "reform-x/a") :- p(A).'
    path = reform(tmp_path, rules, {"p": "{en: " + template + "}"})
    r = run("assess", SCEN, "--date", "2027-06-01", "--reform", path, "--format", "json", timeout=120, mem_mib=3072)
    refused(r, "predicates.p")


def test_a03_braces_can_still_be_written_and_slots_filled(tmp_path):
    rules = 'p(defend_foreign_warship) :- holds(survival_threat).\nbasis(A, "reform-x/a") :- p(A).'
    path = reform(tmp_path, rules, {"p": "{en: '{{reform}} holds for {0}'}"})
    r = run("explain", SCEN, "defend_foreign_warship", "--date", "2027-06-01", "--reform", path)
    assert r.rc == 0, r.err
    assert "{reform} holds for" in r.out


def test_a04_a_block_before_the_effective_date_is_refused(tmp_path, all_false):
    rules = 'basis(A, "reform-x/a") :- action(A), action_type(A, non_force_support).'
    path = reform(tmp_path, rules, {}, effective="2027-01-01", start="1954-07-01")
    refused(run("assess", all_false, "--date", "2016-05-01", "--reform", path), "before the reform's effective date")
    refused(run("check", "--reform", path), "before the reform's effective date")


SPOOF = """---
id: {inst}
kind: reform
title_en: Self-Defense Forces Act
title_ja: 自衛隊法
effective: 2014-07-01
---

## Art. 76(1)(ii): Defense operation in a survival-threatening situation

```provision
id: {pid}
marker: {marker}
```

Text.

```clingo from=2014-07-01
basis(defend_foreign_warship, "{pid}") :- holds(armed_attack_on_foreign_country), holds(close_relationship).
```
"""


@pytest.mark.parametrize(
    ("inst", "pid", "marker", "message"),
    [
        ("sdf\u2010act", "sdf\u2010act/76-1-ii", "V", "lower-case ASCII"),
        ("sdf-act-x", "sdf-act-x/76-1-ii", "V", "marker V"),
        ("reform-y", "reform-y/76\u20101", "U", "provision id"),
        ("reform-y", "sdf-act/76-1-ii", "U", "provision id"),
    ],
)
def test_a19_look_alike_ids_and_a_verified_marker_are_refused(tmp_path, inst, pid, marker, message):
    path = tmp_path / "spoof.md"
    path.write_text(SPOOF.format(inst=inst, pid=pid, marker=marker), encoding="utf-8")
    refused(run("assess", SCEN, "--date", "2015-06-01", "--reform", str(path), timeout=120), message)


def test_a19_a_reform_provision_is_marked_hypothetical(tmp_path):
    path = tmp_path / "ok.md"
    path.write_text(SPOOF.format(inst="reform-y", pid="reform-y/76-1-ii", marker="U"), encoding="utf-8")
    r = run("assess", SCEN, "--date", "2015-06-01", "--reform", str(path), timeout=120)
    assert r.rc == 0, r.err
    line = next(x for x in r.out.splitlines() if "reform-y/76-1-ii" in x)
    assert "[H]" in line and "[V]" not in line, line


def test_a18_a_reform_with_millions_of_ground_rules_is_refused(tmp_path):
    rules = "q(X) :- holds(survival_threat), X = 1..120.\np :- q(A), q(B), q(C)."
    path = reform(tmp_path, rules, {"q": "{en: 'q {0}'}", "p": "{en: 'p'}"})
    # the script's bounds: 4 GiB, 300 s; it took 46 s at 1.5 GiB in the parent
    refused(run("assess", SCEN, "--date", "2027-06-01", "--reform", path, timeout=300, mem_mib=4096), "ground rules")


def test_a16_clingo_messages_never_reach_stderr(tmp_path):
    path = reform(tmp_path, "p(X) :- holds(survival_threat).")
    line = refused(run("assess", SCEN, "--date", "2027-06-01", "--reform", path))
    assert "<block>" not in line


# -- A05: --law-dir held to a reform's limits -----------------------------------------------

EVIL_LAW = (
    "---\nid: evil\nkind: statute\ntitle_en: evil\ntitle_ja: evil\n---\n\n## E\n\n"
    "```provision\nid: evil/1\nmarker: U\n```\n\nText.\n\n```clingo from=2020-01-01\n{rules}\n```\n"
)


def _evil_law(tmp_path: Path, rules: str, preds: dict[str, str]) -> str:
    from helpers import law_copy

    law = law_copy(tmp_path)
    (law / "zz-evil.md").write_text(EVIL_LAW.format(rules=rules))
    vocab = law / "vocabulary.yaml"
    extra = "".join(f"  {k}: {{en: '{v}', ja: '{v}'}}\n" for k, v in preds.items())
    vocab.write_text(vocab.read_text(encoding="utf-8").replace("predicates:\n", "predicates:\n" + extra, 1))
    return str(law)


def test_a05_an_unstratified_law_dir_is_refused_before_it_can_hang(tmp_path, all_false):
    rules = (
        "evil_in(P, H) :- holds(armed_attack_on_japan), P = 1..13, H = 1..12, not evil_out(P, H).\n"
        "evil_out(P, H) :- holds(armed_attack_on_japan), P = 1..13, H = 1..12, not evil_in(P, H).\n"
        "evil_has(P) :- evil_in(P, H).\n"
        "evil_bad :- holds(armed_attack_on_japan), P = 1..13, not evil_has(P), not evil_bad.\n"
        'basis(A, "evil/1") :- action(A), evil_bad.'
    )
    law = _evil_law(tmp_path, rules, {"evil_in": "{0} {1}", "evil_out": "{0} {1}", "evil_has": "{0}", "evil_bad": "b"})
    # the script's bounds: 90 s, 3 GiB, ARTICLE9_SOLVE_SECONDS=2; it hung past 90 s
    r = run(
        "--law-dir",
        law,
        "assess",
        all_false,
        "--date",
        "2021-01-01",
        timeout=90,
        mem_mib=3072,
        env={"ARTICLE9_SOLVE_SECONDS": "2"},
    )
    assert r.rc == 3 and "depend on its own negation" in r.err and r.seconds < 30, (r.rc, r.err)
    assert run("--law-dir", law, "check", timeout=90).rc == 3


def test_a05_a_cross_product_in_a_law_dir_is_refused_by_the_trial_grounding(tmp_path, all_false):
    rules = (
        "evil_x(X, Y, Z) :- holds(armed_attack_on_japan), X = 1..999, Y = 1..999, Z = 1..999.\n"
        'basis(A, "evil/1") :- action(A), evil_x(1, 1, 1).'
    )
    law = _evil_law(tmp_path, rules, {"evil_x": "{0}"})
    r = run("--law-dir", law, "assess", all_false, "--date", "2021-01-01", timeout=60, mem_mib=3072)
    assert r.rc == 3 and "was refused" in r.err and r.seconds < 30, (r.rc, r.err)
    assert len(r.lines()) == 1


# -- A13: the parse cache -------------------------------------------------------------------


def _cache_name(env: dict[str, str]) -> str:
    code = (
        "from article9.corpus import _cache_file, load_rulebase\n"
        "rb = load_rulebase()\n"
        "print(_cache_file([b for i in rb.instruments.values() for p in i.provisions for b in p.blocks]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.strip()


def test_a13_the_cache_is_never_written_through_a_planted_link(tmp_path):
    cache = tmp_path / "shared-cache"
    cache.mkdir()
    cache.chmod(0o777)  # a folder others can write
    victim = tmp_path / "victim.txt"
    victim.write_text("precious user data\n")
    env = {k: v for k, v in os.environ.items() if k != "ARTICLE9_NO_CACHE"} | {"ARTICLE9_CACHE_DIR": str(cache)}
    name = _cache_name(env)
    launcher = (
        "import os\n"
        f"os.symlink({str(victim)!r}, {name!r} + '.' + str(os.getpid()) + '.tmp')\n"
        f"os.execv({sys.executable!r}, [{sys.executable!r}, '-m', 'article9', 'vocab'])\n"
    )
    r = subprocess.run([sys.executable, "-c", launcher], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "precious user data\n"
    assert not Path(name).exists()  # nothing is written into a folder others can write


def test_a13_a_private_cache_folder_is_still_used(tmp_path):
    cache = tmp_path / "mine"
    env = {k: v for k, v in os.environ.items() if k != "ARTICLE9_NO_CACHE"} | {"ARTICLE9_CACHE_DIR": str(cache)}
    name = Path(_cache_name(env))
    assert name.exists() and (name.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in cache.rglob("*.tmp")] == []


# -- A12: the decision log -------------------------------------------------------------------

OLD_TRIGGERS = "".join(
    f"CREATE TRIGGER IF NOT EXISTS {t}_append_only_{k} BEFORE {op} ON {t}\n"
    "    BEGIN SELECT RAISE(ABORT, 'the decision log is append-only'); END;\n"
    for t in ("decisions", "rulebases")
    for k, op in (("u", "UPDATE"), ("d", "DELETE"))
)


@pytest.fixture(scope="module")
def good_log(tmp_path_factory) -> tuple[Path, tuple, tuple]:
    import sqlite3

    path = tmp_path_factory.mktemp("log") / "good.db"
    r = run("--log", str(path), "assess", SCEN, "--date", "2016-05-01", timeout=120)
    assert r.rc == 0, r.err
    con = sqlite3.connect(path)
    row = con.execute("SELECT * FROM decisions").fetchone()
    rb = con.execute("SELECT * FROM rulebases").fetchone()
    con.close()
    return path, row, rb


def _crafted(path: Path, row, rb, decisions=None, rulebases=None, sql: str = "", tables: bool = True) -> str:
    import sqlite3

    c = sqlite3.connect(path)
    if tables:
        c.executescript(
            "CREATE TABLE rulebases (hash TEXT PRIMARY KEY, version TEXT, provisions TEXT);"
            "CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, logged_at TEXT, source TEXT,"
            " version TEXT, rulebase TEXT, date TEXT, scenario TEXT, actions TEXT, answer TEXT);"
        )
        c.execute("INSERT INTO rulebases VALUES (?,?,?)", rulebases or rb)
        for dec in decisions or [row]:
            c.execute("INSERT INTO decisions VALUES (?,?,?,?,?,?,?,?,?)", dec)
    if sql:
        c.executescript(sql)
    c.commit()
    c.close()
    return str(path)


def test_a12_crafted_logs_are_refused_by_replay_in_one_line(tmp_path, good_log):
    import json

    _good, row, rb = good_log
    view = _crafted(
        tmp_path / "view.db",
        row,
        rb,
        tables=False,
        sql="CREATE TABLE rulebases (hash TEXT, version TEXT, provisions TEXT);"
        f"INSERT INTO rulebases VALUES ('{rb[0]}', '{rb[1]}', '{{}}');"
        "CREATE VIEW decisions AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
        f"SELECT n AS id, 'x' AS logged_at, '{rb[0]}' AS rulebase, '2016-05-01' AS date, "
        "'{\"title\":\"t\",\"facts\":{}}' AS scenario, '[]' AS actions, '{}' AS answer FROM c;",
    )
    refused(run("replay", view, timeout=60), "is a view, not a table")
    answer = {"defend_foreign_warship": {"status": "x"}}
    cases = {
        "provisions-list": dict(rulebases=(rb[0], rb[1], '["x"]'), decisions=[(*row[:8], json.dumps(answer))]),
        "lawful-int": dict(decisions=[(*row[:8], json.dumps({"a": {"status": "p", "lawful": [1]}}))]),
        "provisions-nested": dict(decisions=[(*row[:8], json.dumps({"a": {"status": "x", "provisions": [[1]]}}))]),
        "deep-json": dict(decisions=[(*row[:6], "[" * 100000 + "]" * 100000, row[7], row[8])]),
        "date-1900": dict(decisions=[(*row[:5], "1900-01-01", *row[6:])]),
    }
    for name, kw in cases.items():
        line = refused(run("replay", _crafted(tmp_path / f"{name}.db", row, rb, **kw), timeout=60))
        assert name == "provisions-list" or "decision 1" in line, (name, line)


def test_a12_replay_escapes_logged_text_and_takes_the_name_literally(tmp_path, good_log):
    import json
    import shutil

    good, row, rb = good_log
    ansi = {"defend_foreign_warship": {"status": "\x1b]0;pwned\x07\x1b[2Jpermitted", "lawful": []}}
    r = run("replay", _crafted(tmp_path / "ansi.db", row, rb, decisions=[(*row[:8], json.dumps(ansi))]))
    assert r.rc == 1 and "\x1b" not in r.out and "\\x1b" in r.out, (r.rc, r.out, r.err)
    sub = tmp_path / "hashname"
    sub.mkdir()
    shutil.copy(good, sub / "x#y.db")
    r = run("replay", "x#y.db", cwd=sub)
    assert r.rc == 0 and "1 logged decisions" in r.out, (r.rc, r.out, r.err)
    assert not (sub / "x").exists()
    r = run("--log", "x#y.db", "assess", SCEN, "--date", "2016-05-01", cwd=sub)
    assert r.rc == 0 and not (sub / "x").exists() and "2 logged decisions" in run("replay", "x#y.db", cwd=sub).out


def test_a12_insert_or_replace_cannot_rewrite_a_logged_decision(tmp_path, good_log):
    import shutil
    import sqlite3

    good, _row, _rb = good_log
    tam = tmp_path / "tamper.db"
    shutil.copy(good, tam)
    assert run("--log", str(tam), "assess", SCEN, "--date", "2016-05-01").rc == 0  # the program's own log
    c = sqlite3.connect(tam)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        c.execute(
            "INSERT OR REPLACE INTO decisions (id, logged_at, source, version, rulebase, date, scenario, actions, "
            "answer) SELECT id, logged_at, source, version, rulebase, date, scenario, actions, '{}' "
            "FROM decisions WHERE id = 1"
        )
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        c.execute("INSERT OR REPLACE INTO rulebases SELECT hash, version, '{}' FROM rulebases")
    c.close()
    assert run("replay", str(tam)).rc == 0


def test_a12_a_log_with_no_op_triggers_of_the_same_names_is_refused(tmp_path, good_log):
    _good, row, rb = good_log
    noop = _crafted(
        tmp_path / "noop.db",
        row,
        rb,
        sql="".join(
            f"CREATE TRIGGER {t}_append_only_{k} BEFORE {op} ON {t} BEGIN SELECT 1; END;"
            for t in ("decisions", "rulebases")
            for k, op in (("u", "UPDATE"), ("d", "DELETE"))
        ),
    )
    refused(run("--log", noop, "assess", SCEN, "--date", "2016-05-01"), "is not the program's own")


def test_a12_a_log_written_by_an_earlier_version_is_still_used(tmp_path, good_log):
    _good, row, rb = good_log
    old = _crafted(tmp_path / "old.db", row, rb, sql=OLD_TRIGGERS)
    assert run("--log", old, "assess", SCEN, "--date", "2016-05-01").rc == 0
    assert "2 logged decisions" in run("replay", old).out


# -- A07: batch inputs -----------------------------------------------------------------------


def _facts() -> list[str]:
    import yaml

    return list(yaml.safe_load((ROOT / "src" / "article9" / "law" / "vocabulary.yaml").read_text("utf-8"))["facts"])


def test_a07_a_jsonl_record_over_the_cap_is_refused(tmp_path):
    path = tmp_path / "bigline.jsonl"
    with path.open("w") as fh:
        fh.write('{"id": "' + "x" * 300_000_000 + '", "survival_threat": true}\n')
    r = run("batch", str(path), str(tmp_path / "out.csv"), "--date", "2016-05-01", timeout=120)
    refused(r, "a record may be at most", seconds=60)


def test_a07_parquet_corrupt_page_and_duplicate_columns_are_refused(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    facts = _facts()
    good = pa.table({f: pa.array([True] * 20000) for f in facts[:5]})
    path = tmp_path / "corrupt.parquet"
    pq.write_table(good, path, compression="snappy", use_dictionary=False)
    raw = bytearray(path.read_bytes())
    for i in range(100, min(len(raw) - 2000, 3000)):
        raw[i] ^= 0x5A
    path.write_bytes(bytes(raw))
    refused(run("batch", str(path), str(tmp_path / "a.csv"), "--date", "2016-05-01", timeout=120), "Parquet")
    dup = pa.Table.from_arrays([pa.array([True]), pa.array([False])], names=["survival_threat", "survival_threat"])
    path = tmp_path / "dup.parquet"
    pq.write_table(dup, path)
    refused(run("batch", str(path), str(tmp_path / "b.csv"), "--date", "2016-05-01"), "appears twice")


def test_a07_an_oversized_id_is_refused_before_it_is_repeated(tmp_path):
    facts = _facts()
    path = tmp_path / "bigid.csv"
    path.write_text("id," + ",".join(facts) + "\n" + "x" * 2_000_000 + "," + ",".join("false" for _ in facts) + "\n")
    dates = [x for y in range(1970, 2020) for x in ("--date", f"{y}-06-01")]
    r = run("batch", str(path), str(tmp_path / "out.csv"), *dates, timeout=120, mem_mib=2048)
    refused(r, "an id may be at most", seconds=60)


# -- the service, run as `article9 serve` on a free loopback port (A08, A10, A11) -------------


@contextlib.contextmanager
def serving(*args: str, env: dict[str, str] | None = None):
    """`article9 serve` in its own process on a free port; yields (base URL, process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "article9", "serve", "--host", "127.0.0.1", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def http(base: str, method: str, path: str, body=None, timeout: float = 60) -> tuple[int, bytes, float]:
    data = None if body is None else _json.dumps(body).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), time.monotonic() - started


def test_a11_unfinished_headers_are_timed_out():
    with serving(env={"ARTICLE9_HEADER_SECONDS": "2"}) as (base, _proc):
        port = int(base.rsplit(":", 1)[1])
        socks = []
        for _ in range(5):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(s)
        closed = set()
        started = time.monotonic()
        while len(closed) < len(socks) and time.monotonic() - started < 24:  # the script's bound
            time.sleep(1)
            for i, s in enumerate(socks):
                try:
                    s.sendall(b"X")
                    s.settimeout(0.01)
                    if s.recv(100) == b"":
                        closed.add(i)
                except TimeoutError:
                    pass
                except OSError:
                    closed.add(i)
        for s in socks:
            s.close()
        assert len(closed) == 5, f"{len(closed)} of 5 slow connections closed in 24 s"
        assert time.monotonic() - started < 15
        assert http(base, "GET", "/health")[0] == 200


def test_a08_odd_paths_and_dates_are_4xx_not_500():
    from fastapi.testclient import TestClient

    from article9.server import create_app

    client = TestClient(create_app())
    assert client.get("/scenarios/" + "a" * 300).status_code == 404
    assert client.get("/scenarios/us-ship-defense").status_code == 200
    for day in ("9999-12-31", "9999-09-01"):
        answer = client.get(f"/pathways?date={day}")
        assert answer.status_code == 422, (day, answer.status_code, answer.text)
        assert "too late" in answer.text


@pytest.mark.parametrize("day", ["9999-12-31", "9999-09-01"])
def test_a15_pathways_refuses_dates_it_cannot_handle(day):
    refused(run("pathways", "--date", day), "too late")


def test_a15_interview_checks_its_output_before_asking(tmp_path):
    refused(run("interview", "--date", "2016-05-01", "-o", str(tmp_path), stdin=""), "is a folder")
    refused(run("interview", "--date", "2016-05-01", "-o", "/nonexistent/x.yaml", stdin=""), "no such folder")
    keep = tmp_path / "precious.yaml"
    keep.write_text("my earlier interview\n")
    r = run("interview", "--date", "2016-05-01", "-o", str(keep), stdin="")
    assert r.rc == 2 and keep.read_text() == "my earlier interview\n", (r.rc, r.err)


# -- A10: a cost budget per request, enforced by cancelling the work --------------------------

A10_HEAVY = {"scenario": {"title": "all unknown", "facts": {}}, "dates": ["2017-01-01"] * 50}
A10_PROBE = {
    "scenario": {
        "title": "probe",
        "facts": {
            "missile_flying_toward_japan": True,
            "intercept_over_japan_or_high_seas": True,
            "mindef_destruction_order_pm_approved": True,
        },
    },
    "dates": ["2017-01-01"],
    "actions": ["intercept_missile_aimed_at_japan"],
}


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _probe(base: str, source: str) -> tuple[int, float]:
    """The cheap request, from another loopback address (another client)."""
    import http.client

    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30, source_address=(source, 0))
    started = time.monotonic()
    try:
        conn.request("POST", "/assess", _json.dumps(A10_PROBE), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        return resp.status, time.monotonic() - started
    finally:
        conn.close()


def _fire(base: str, body: dict, n: int) -> list:
    import threading

    results: list = []
    threads = [
        threading.Thread(target=lambda: results.append(http(base, "POST", "/assess", body, timeout=60)))
        for _ in range(n)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_a10_duplicate_dates_are_merged_and_a_costly_request_is_refused_before_it_starts():
    from fastapi.testclient import TestClient

    from article9.server import create_app

    client = TestClient(create_app())
    body = {**A10_PROBE, "dates": ["2017-01-01"] * 50}
    answer = client.post("/assess", json=body)
    assert answer.status_code == 200 and len(answer.json()) == 1
    distinct = {"scenario": {"title": "all unknown", "facts": {}}, "dates": [f"{y}-01-01" for y in range(2000, 2050)]}
    started = time.monotonic()
    answer = client.post("/assess", json=distinct)
    assert answer.status_code == 422 and "ARTICLE9_MAX_COST" in answer.text, answer.text
    assert time.monotonic() - started < 1
    compare = client.post("/compare", json=distinct)
    assert compare.status_code == 422 and "ARTICLE9_MAX_COST" in compare.text


def test_a10_work_past_its_time_limit_is_cancelled_not_abandoned():
    """Three distinct dates with every fact unknown take seconds; with a limit of 0.3 s the
    client gets its 503 and the server stops working on it (its CPU goes quiet at once). The
    actions are named so the request stays inside the cost budget however the vocabulary grows.
    The server solves (ARTICLE9_DECIDING=solver): the compiled windows answer this in milliseconds,
    and the test is of cancelling work that is still running at the limit."""
    from article9.corpus import load_rulebase

    actions = list(load_rulebase().vocabulary.actions)[:30]
    body = {
        "scenario": {"title": "all unknown", "facts": {}},
        "dates": [f"{y}-06-01" for y in range(2015, 2018)],
        "actions": actions,
    }
    with serving(env={"ARTICLE9_TIMEOUT": "0.3", "ARTICLE9_DECIDING": "solver"}) as (base, proc):
        assert http(base, "POST", "/assess", A10_PROBE)[0] in (200, 503)  # warm up
        status, text, _seconds = http(base, "POST", "/assess", body)
        assert status == 503, text
        time.sleep(1.0)  # the next step of the engine's work sees the deadline
        cpu = _cpu_seconds(proc.pid)
        time.sleep(3.0)
        assert _cpu_seconds(proc.pid) - cpu < 0.5, "the server kept working after the 503"
        assert _json.loads(http(base, "GET", "/health")[1])["overrunning"] == 0


def test_a10_a_storm_of_small_costly_requests_leaves_the_service_answering():
    """The review's figures: four 762-byte requests kept both cores busy for minutes after
    their 503s; forty made every engine request 503 for about two hours. The server solves
    (ARTICLE9_DECIDING=solver), so that the requests are still heavy: from the compiled windows
    they take milliseconds."""
    with serving(env={"ARTICLE9_DECIDING": "solver"}) as (base, proc):
        assert http(base, "POST", "/assess", A10_PROBE)[0] == 200  # warm up
        results = _fire(base, A10_HEAVY, 4)
        assert sorted({r[0] for r in results}) in ([200], [503], [200, 503]), [r[:2] for r in results]
        # each answers by the request limit (10 s) instead of running for minutes as in the
        # review; the bound leaves room for a loaded machine rather than sitting at the limit
        assert all(r[2] < 30 for r in results), [round(r[2], 1) for r in results]
        time.sleep(1.0)
        cpu = _cpu_seconds(proc.pid)
        time.sleep(3.0)
        assert _cpu_seconds(proc.pid) - cpu < 0.5, "the server kept working after answering"
        import threading

        stormed: list = []
        storm = threading.Thread(target=lambda: stormed.extend(_fire(base, A10_HEAVY, 40)))
        storm.start()
        time.sleep(0.5)
        # a cheap request from another client during the storm answers (the 1 s target is measured
        # by benchmarks/load.py; a test on a loaded machine only bounds it loosely)
        for _ in range(3):
            status, seconds = _probe(base, "127.0.0.2")
            assert status == 200 and seconds < 10, (status, seconds)
        storm.join(120)
        statuses = [r[0] for r in stormed]
        assert len(statuses) == 40 and set(statuses) <= {200, 429, 503}, statuses
        assert statuses.count(429) >= 30, statuses  # one client holds at most 4 in flight


# -- the process never aborts at exit with a thread inside clingo ------------------------------

EXIT_SCRIPT = """
import datetime as dt, threading, time
from article9.engine import Engine
from article9.models import Scenario
e = Engine()
e.assess(Scenario(title="w", facts={}), dt.date(2017, 1, 1), ["defend_foreign_warship"])
def work():
    try:
        for y in range(2000, 2020):
            e.assess(Scenario(title="x", facts={}), dt.date(y, 6, 1))
    except Exception:
        pass
for _ in range(3):
    threading.Thread(target=work, daemon=True).start()
time.sleep(1.5)
"""


def test_the_process_never_aborts_with_a_thread_inside_clingo_at_exit():
    """Daemon threads still solving when the interpreter exits made it abort ('FATAL:
    exception not rethrown', exit 134) in 3 runs of 3 before the fix. The threads solve
    (ARTICLE9_DECIDING=solver): from the compiled windows they would hardly enter clingo;
    a second round does the same from the compiled windows."""
    for deciding in ("solver", "solver", "compiled"):
        env = {**os.environ, "ARTICLE9_DECIDING": deciding}
        r = subprocess.run([sys.executable, "-c", EXIT_SCRIPT], capture_output=True, text=True, timeout=120, env=env)
        assert r.returncode == 0, (r.returncode, r.stderr[-500:])
        assert "FATAL" not in r.stderr


def test_compare_of_one_date_given_twice_is_refused():
    """The review's Info: the 'at least two dates' check came before the dates were merged."""
    refused(run("compare", SCEN, "--date", "2016-05-01", "--date", "2016-05-01"), "at least two dates")
