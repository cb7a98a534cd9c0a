"""The one-sentence headline of a determination: its status on the date and the three layers
it rests on (the Constitution as read since when, the statute that authorises it or the one
that came later, the procedure). Built from the answer's data; the words are the catalogue's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from .corpus import RuleBase
from .i18n import date_text, t
from .models import Determination


def basis_name(rb: RuleBase, pid: str, day: dt.date | None, lang: str) -> str:
    """'Self-Defense Forces Act Art. 76(1)(ii)', '自衛隊法第76条第1項第2号': the instrument and the article."""
    p = rb.provisions[pid]
    inst = rb.instruments[p.instrument]
    title = p.title_on(day, lang)
    if lang == "ja":
        article = title.split("（")[0]
        name = inst.title_ja or inst.title_en
        return f"{name}{article}" if article.startswith("第") else title
    article = title.split(":")[0]
    name = inst.title_en
    if name.endswith(")") and "(" in name:  # 'Act on ... (PKO Act)' -> 'PKO Act'
        name = name[name.rindex("(") + 1 : -1]
    return f"{name} {article}" if article.startswith("Art.") else title


READINGS = ("constitution", "interpretation", "policy")  # instruments that say how the Constitution is read


def reading_since(rb: RuleBase, provisions: set[str], day: dt.date) -> dt.date | None:
    """Since when the Constitution has been read as it is on `day`: the latest start, among
    the rule blocks in force on `day`, of the Constitution's and the government's readings
    (of `provisions`, those that bear on the action's constitutional layer)."""
    starts = [
        b.start
        for pid in provisions
        if pid in rb.provisions and rb.instruments[rb.provisions[pid].instrument].kind in READINGS
        for b in rb.provisions[pid].blocks
        if b.in_force(day)
    ]
    return max(starts) if starts else None


def _constitution(d: Determination, since: dt.date | None, lang: str) -> str:
    if d.constitutional == "false":
        return t("sum_const_false", lang)
    if d.constitutional == "unknown":
        return t("sum_const_unknown", lang)
    if since is None:
        return t("sum_const_nodate", lang)
    return t("sum_const_true", lang, since=date_text(since, lang))


def summary(
    rb: RuleBase,
    d: Determination,
    day: dt.date,
    lang: str = "en",
    since: dt.date | None = None,
    could: Callable[[str, dt.date], bool] | None = None,
) -> str:
    """One sentence: the status on `day`, then why, layer by layer (`since`: see reading_since).
    `could(pid, start)` says whether a provision not yet in force could authorise the act on
    the day it takes effect, on the same facts; only those are named as taking effect later
    (a later provision these facts rule out is no reason to wait for it)."""
    date = date_text(day, lang)
    if d.status == "depends":
        facts = [f.fact for f in d.depends_on] or sorted({f for one in d.permitted_if for f in one})
        v = rb.vocabulary
        sep = "、" if lang == "ja" else ", "
        named = sep.join(v.short(f, lang) for f in facts[:4])
        if len(facts) > 4:
            named += t("sum_and_more", lang, n=len(facts) - 4)
        return t("sum_depends", lang, date=date, facts=named or t("sum_the_facts", lang))
    status = t(f"sum_status_{d.status}", lang)
    const = _constitution(d, since, lang)
    if d.status == "permitted":
        lawful = next((b for b in d.bases if b.lawful == "true"), None)
        basis = basis_name(rb, lawful.provision.id, day, lang) if lawful else "-"
        steps = [s for s in (lawful.procedure if lawful else []) if s.required == "true"]
        proc = t("sum_proc_all", lang, n=len(steps)) if steps else ""
        return t("sum_permitted", lang, status=status, date=date, const=const, basis=basis, proc=proc)
    if d.constitutional == "false":
        return t("sum_unconstitutional", lang, status=status, date=date, const=const)
    authorising = next((b for b in d.bases if b.in_force and b.authorises == "true"), None)
    if authorising is not None:
        missing = [s for s in authorising.procedure if s.required != "false" and s.done != "true"]
        sep = "、" if lang == "ja" else "; "
        return t(
            "sum_missing",
            lang,
            status=status,
            date=date,
            const=const,
            basis=basis_name(rb, authorising.provision.id, day, lang),
            missing=t("sum_missing_steps", lang, n=len(missing), steps=sep.join(s.label for s in missing)),
        )
    later = []
    for b in d.bases:
        p = rb.provisions.get(b.provision.id)
        starts = [blk.start for blk in p.blocks if blk.start > day] if p else []
        if not b.in_force and starts and (could is None or could(b.provision.id, min(starts))):
            later.append((min(starts), b.provision.id))
    tail = ""
    if later:
        when = min(later)[0]
        names = [basis_name(rb, pid, when, lang) for start, pid in sorted(later) if start == when]
        tail = t("sum_later", lang, basis=t("and_word", lang).join(names), when=date_text(when, lang))
    return t("sum_no_statute", lang, status=status, date=date, const=const, later=tail)
