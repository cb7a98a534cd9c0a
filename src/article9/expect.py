"""Comparing an assessment with the answers a scenario file expects."""

from __future__ import annotations

from .models import Assessment, Expectation


def mismatches(assessment: Assessment, expected: dict[str, Expectation]) -> list[str]:
    """Human-readable differences between what a scenario expects and what the engine said."""
    out = []
    day = assessment.date.isoformat()
    for action, exp in expected.items():
        d = assessment.determination(action)
        if d.status != exp.status:
            out.append(f"{day} {action}: expected {exp.status}, got {d.status}")
            continue
        if exp.basis:
            basis = next((b for b in d.bases if b.provision.id == exp.basis), None)
            wanted = ("true",) if exp.status == "permitted" else ("true", "unknown")
            if exp.status == "not_permitted":
                out.append(f"{day} {action}: a basis is checked only for permitted or depends")
            elif basis is None or basis.lawful not in wanted:
                got = "not a candidate" if basis is None else f"lawful={basis.lawful}"
                out.append(f"{day} {action}: expected basis {exp.basis} (lawful: {' or '.join(wanted)}), got {got}")
        found = {f.fact for f in d.depends_on}
        for fact in exp.depends_on:
            if fact not in found:
                out.append(f"{day} {action}: expected to depend on {fact}, depends on {sorted(found)}")
    return out
