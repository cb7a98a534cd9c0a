"""How many questions the interview needs, over the bundled scenarios, against the number of
facts in the vocabulary. Each scenario's own facts answer the questions (unknown where it
leaves a fact out); the actions are the ones its expectations name, on its first expected
date. Run: python benchmarks/interview_questions.py"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from article9.engine import Engine
from article9.interview import measure


def main() -> None:
    engine = Engine()
    started = time.perf_counter()
    results = measure(engine, Path(__file__).resolve().parent.parent / "scenarios")
    seconds = time.perf_counter() - started
    counts = [n for _, n, _same in results]
    same = sum(1 for *_, ok in results if ok)
    facts = len(engine.rb.vocabulary.facts)
    print(f"scenarios: {len(results)}; facts in the vocabulary: {facts}")
    print(
        f"questions asked: mean {statistics.mean(counts):.1f}, median {statistics.median(counts):.0f}, "
        f"max {max(counts)} ({max(counts) / facts:.0%} of the vocabulary); mean share {statistics.mean(counts) / facts:.1%}"
    )
    print(f"the interview reached the same answers as the full scenario in {same} of {len(results)}")
    print(f"time: {seconds:.1f} s for all scenarios")


if __name__ == "__main__":
    main()
