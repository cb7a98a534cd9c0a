"""A plain `pip install article9` has no pyarrow (the batch extra): the CLI, library and web
work without it, and batch says what to install (exit 2). NumPy stays in the core: the
compiled deciding sets (deciding.py) filter their prime implicants with it."""

from __future__ import annotations

import subprocess
import sys

from helpers import ROOT

BLOCK = "import sys\nfor m in ('pyarrow',):\n    sys.modules[m] = None  # as if not installed\n"


def run_without_batch_extra(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + code], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_core_dependencies_leave_out_the_batch_extra():
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(meta["dependencies"]).lower()
    assert "pyarrow" not in core
    extras = meta["optional-dependencies"]
    assert any(d.startswith("pyarrow") for d in extras["batch"])
    assert {d.split(">")[0] for d in extras["batch"]} <= {d.split(">")[0] for d in extras["test"]}


def test_assess_and_the_web_app_without_pyarrow():
    code = (
        "from article9.cli import run\n"
        "sys.argv = ['article9', 'assess', 'scenarios/us-ship-defense.yaml', '--date', '2015-06-01']\n"
        "run()\n"
    )
    r = run_without_batch_extra(code)
    assert r.returncode == 0, r.stderr
    assert "NOT PERMITTED" in r.stdout.upper()
    web = run_without_batch_extra(
        "from fastapi.testclient import TestClient\nfrom article9.server import create_app\n"
        "c = TestClient(create_app())\n"
        "assert c.get('/').status_code == 200 and c.get('/docs').status_code == 200\n"
        "assert c.post('/assess', json={'scenario': {'title': 't', 'facts': {}}, 'dates': ['2015-06-01'],"
        " 'actions': ['defend_foreign_warship']}).status_code == 200\n"
        "print('ok')\n"
    )
    assert web.returncode == 0 and "ok" in web.stdout, web.stderr


def test_batch_without_the_extra_is_a_clear_input_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,survival_threat\nx,true\n", encoding="utf-8")
    code = f"from article9.cli import run\nsys.argv = ['article9', 'batch', {str(src)!r}, {str(tmp_path / 'out.csv')!r}]\nrun()\n"
    r = run_without_batch_extra(code)
    assert r.returncode == 2
    assert "pip install 'article9[batch]'" in r.stderr and "Traceback" not in r.stderr


def test_compare_chart_without_the_charts_extra_says_so_before_any_work(tmp_path):
    out = tmp_path / "strip.svg"
    code = (
        "import sys\nsys.modules['matplotlib'] = None  # as if not installed\n"
        "from article9.cli import run\n"
        f"sys.argv = ['article9', 'compare', 'scenarios/us-ship-defense.yaml', '--chart', {str(out)!r}]\nrun()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 2 and "pip install 'article9[charts]'" in r.stderr, r.stderr
    assert r.stdout == "" and not out.exists()  # no comparison printed, then an error
