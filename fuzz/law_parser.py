"""Coverage-guided fuzz target for the literate law parser (atheris, libFuzzer).

Feeds bytes, decoded as UTF-8 the way a law or reform file is read, to `parse_law_file`,
and every rule block it finds to `parse_block` (which hands the rules to clingo's parser).
Anything but `RuleBaseError` with a one-line message is a finding: another exception is
reported by atheris with the input that caused it, and a crash of the process (clingo
aborting, a segmentation fault in libyaml) is caught by libFuzzer itself.

atheris is not a dependency of article9. To run it (Python 3.11, from the repository root):

    pip install atheris
    mkdir -p fuzz/corpus && cp src/article9/law/*.md src/article9/reforms/*.md fuzz/corpus/
    python fuzz/law_parser.py fuzz/corpus -max_total_time=120 -max_len=65536 -rss_limit_mb=4096

A finding is written as crash-<sha1> in the working directory; reproduce it with
`python fuzz/law_parser.py crash-<sha1>`. Without a corpus directory it starts from a small
built-in seed (in a temporary directory). The pytest suite runs the same property with hypothesis (tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from article9.errors import RuleBaseError
    from article9.lawfile import parse_law_file
    from article9.rules import parse_block

PATH = Path("/fuzz/law/fuzz.md")
SEED = b"""---
id: fuzz
kind: statute
title_en: Fuzz
title_ja: Fuzz
sources: [S1]
---

## Art. 1: A provision

```provision
id: fuzz/1
marker: V
sources: [S1]
```

Summary.

```clingo from=2016-03-29 to=2020-01-01
basis(A, "fuzz/1") :- action(A), holds(f), not situation(s), X = 1..3, X < 2.
```
"""


def test_one_input(data: bytes) -> None:
    try:
        text = data.decode("utf-8")  # what Path.read_text does; a decoding error is the reader's
    except UnicodeDecodeError:
        return
    try:
        inst = parse_law_file(PATH, text)
        first = 0
        for provision in inst.provisions:
            for block in provision.blocks:
                first += len(parse_block(block, first))
    except RuleBaseError as exc:
        message = str(exc)
        if not message.startswith("law/fuzz.md") or "\n" in message:
            raise AssertionError(f"unclear error message: {message!r}") from None


def main() -> None:
    argv = list(sys.argv)
    if not any(not a.startswith("-") for a in argv[1:]):
        seed_dir = Path(tempfile.mkdtemp(prefix="article9-fuzz-"))
        (seed_dir / "seed.md").write_bytes(SEED)
        argv.append(str(seed_dir))
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
