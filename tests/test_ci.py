"""`.ci/run` fails, loudly, when pytest is killed by a signal (an abort at exit, exit 134),
whatever the tests said before it; and passes pytest's own status through otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from helpers import ROOT

FAKE_PYTHON3 = """#!/usr/bin/env bash
# stands in for python3 -m venv .venv: a venv whose pip does nothing and whose python ends as told
mkdir -p .venv/bin
printf '#!/usr/bin/env bash\\nexit 0\\n' > .venv/bin/pip
printf '#!/usr/bin/env bash\\n%s\\n' "$PYTEST_ENDING" > .venv/bin/python
chmod +x .venv/bin/pip .venv/bin/python
"""


@pytest.mark.parametrize(
    "ending,code,loud",
    [("kill -s ABRT $$", 134, True), ("kill -s KILL $$", 137, True), ("exit 1", 1, False), ("exit 0", 0, False)],
)
def test_ci_run_fails_loudly_when_pytest_is_killed_by_a_signal(tmp_path, ending, code, loud):
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("python3", FAKE_PYTHON3), ("chromium", "#!/usr/bin/env bash\nexit 0\n")):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTEST_ENDING": ending}
    r = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == code, (r.returncode, r.stderr)
    assert ("CI FAILED: pytest was killed by signal" in r.stderr) is loud, r.stderr
