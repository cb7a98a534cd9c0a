"""Pictures of answers, drawn with matplotlib (the optional `charts` extra): a playbook as a
grid of steps against actions, coloured by status. Nothing here decides anything; it draws
a result the query layer has already computed."""

from __future__ import annotations

import datetime as dt
import io

from .corpus import RuleBase, law_change_dates  # noqa: F401 - law_change_dates: used by the faces' charts
from .errors import InputError
from .models import CompareChange, Comparison
from .playbook import PlaybookResult
from .playbook_render import COLOUR, Words, columns, when

STATUSES = ("permitted", "depends", "not_permitted", "no_encoded_basis")
LEGEND = {
    "en": {
        "permitted": "permitted",
        "depends": "depends",
        "not_permitted": "not permitted",
        "no_encoded_basis": "outside the encoded law",
        "pending": "waiting on a procedure step",
        "missed": "expectation not met",
        "step": "step",
    },
    "ja": {
        "permitted": "許される",
        "depends": "未確定",
        "not_permitted": "許されない",
        "no_encoded_basis": "符号化された法の範囲外",
        "pending": "手続待ち",
        "missed": "期待と不一致",
        "step": "段階",
    },
}


def _pyplot() -> object:
    try:
        import matplotlib
    except ImportError:
        raise InputError(
            "drawing a picture needs the charts extra (matplotlib): pip install 'article9[charts]'"
        ) from None
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure


def require() -> None:
    """An InputError (exit 2) unless the charts extra is installed."""
    _pyplot()


def playbook_svg(r: PlaybookResult, rb: RuleBase, lang: str = "en") -> str:
    """The playbook as SVG: one column per step (branches one after another, each named),
    one row per followed action, each cell in its status's colour; a white dot marks a cell
    waiting on a procedure step and a black frame an expectation not met."""
    Figure = _pyplot()  # first: without the extra, a clear error rather than an ImportError
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch, Rectangle

    words = Words(rb, lang)
    legend_words = LEGEND.get(lang, LEGEND["en"])
    cols = columns(r)
    grid = [[STATUSES.index(s.cells[i].status) for _, s in cols] for i in range(len(r.actions))]
    fig = Figure(figsize=(max(6.0, 2.8 + 0.45 * len(cols)), 1.6 + 0.42 * len(r.actions)))
    ax = fig.add_subplot()
    ax.imshow(grid, cmap=ListedColormap([COLOUR[s] for s in STATUSES]), vmin=0, vmax=len(STATUSES) - 1, aspect="auto")
    for j, (_path, s) in enumerate(cols):
        for i, c in enumerate(s.cells):
            if c.pending:
                ax.plot(j + 0.28, i - 0.22, "o", color="white", markersize=4)
            if c.expect_met is False:
                ax.add_patch(Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False, edgecolor="black", linewidth=1.5))
    for j, (path, _s) in enumerate(cols):
        if path and (j == 0 or cols[j - 1][0] != path):
            ax.axvline(j - 0.5, color="#57606a", linewidth=1)
            ax.text(j - 0.45, -0.75, path, fontsize=7, color="#57606a", va="bottom")
    ax.set_xticks(range(len(cols)), [s.id.split("/")[-1] for _, s in cols], fontsize=7)
    ax.set_yticks(range(len(r.actions)), [words.action(a)[:48] for a in r.actions], fontsize=7)
    ax.set_xlabel(f"{legend_words['step']} ({when(cols[0][1])} .. {when(cols[-1][1])})", fontsize=8)
    ax.set_title(r.title, fontsize=9, loc="left", pad=16)
    handles = [Patch(color=COLOUR[s], label=legend_words[s]) for s in STATUSES]
    handles.append(Patch(facecolor="#57606a", edgecolor="white", label=f"● {legend_words['pending']}"))
    handles.append(Patch(facecolor="white", edgecolor="black", label=legend_words["missed"]))
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return _svg(fig)


STRIP_WORDS = {
    "en": {"title": "{title}: the answer across {start}–{end}", "change": "a dated change of the answer"},
    "ja": {"title": "{title}：{start}〜{end}の答え", "change": "答えが変わった日"},
}


def decisive(change: CompareChange, bases_after: list[str]) -> str:
    """The provision to label a change with: one that came into force and is a basis on
    the later date, else the first that came into force, else the first named."""
    entered = [p.provision.id for p in change.provisions if p.change.startswith("in force from")]
    for pid in entered:
        if pid in bases_after:
            return pid
    return entered[0] if entered else change.provisions[0].provision.id


def status_strip_svg(c: Comparison, rb: RuleBase, lang: str = "en", until: dt.date | None = None) -> str:
    """A status strip for each action of a comparison over law_change_dates: a band per
    stretch with one answer, coloured by status, and a marker at each date the answer
    changes, labelled with the first provision the comparison names for the change."""
    Figure = _pyplot()
    from matplotlib.patches import Patch

    words = Words(rb, lang)
    legend_words = LEGEND.get(lang, LEGEND["en"])
    strip = STRIP_WORDS.get(lang, STRIP_WORDS["en"])
    end = until or dt.date.today()
    fig = Figure(figsize=(11.0, 1.3 + 0.75 * len(c.rows)))
    ax = fig.add_subplot()
    for y, row in enumerate(c.rows):
        cells = row.cells
        starts = [i for i, cell in enumerate(cells) if i == 0 or cells[i - 1].status != cell.status]
        for k, i in enumerate(starts):  # one band per stretch with the same answer
            stop = cells[starts[k + 1]].date if k + 1 < len(starts) else end
            ax.barh(y, (stop - cells[i].date).days, left=cells[i].date, height=0.5, color=COLOUR[cells[i].status])
        by_date = {cell.date: cell for cell in cells}
        for change in row.changes:
            if by_date[change.from_date].status == by_date[change.to_date].status:
                continue
            ax.plot([change.to_date, change.to_date], [y - 0.32, y + 0.32], color="black", linewidth=1.5)
            if change.provisions:
                ax.text(
                    change.to_date,
                    y + 0.36,
                    decisive(change, by_date[change.to_date].bases),
                    fontsize=6,
                    ha="center",
                    va="top",
                )
    ax.set_yticks(range(len(c.rows)), [words.action(r.action)[:48] for r in c.rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(dt.date(1947, 5, 3), end)
    ax.set_title(strip["title"].format(title=c.scenario[:80], start=1947, end=end.year), fontsize=9, loc="left")
    handles = [Patch(color=COLOUR[s], label=legend_words[s]) for s in STATUSES]
    ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return _svg(fig)


def timeline_svg(rows: list[dict], rb: RuleBase, lang: str = "en") -> str:
    """Every provision version of `article9 timeline` as a bar from its first to its last
    day (open-ended ones to today), grouped by instrument, one colour per instrument."""
    Figure = _pyplot()
    dated = [r for r in rows if r["from"]]
    dated.sort(key=lambda r: (r["instrument"], r["provision"], str(r["from"])))
    today = dt.date.today()
    fig = Figure(figsize=(11.0, 1.5 + 0.14 * len(dated)))
    ax = fig.add_subplot()
    instruments = list(dict.fromkeys(r["instrument"] for r in dated))
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    cmap = colormaps["tab20"]
    labels: list[str] = []
    for y, r in enumerate(dated):
        start = dt.date.fromisoformat(str(r["from"]))
        stop = dt.date.fromisoformat(str(r["to"])) if r["to"] else today
        colour = cmap(instruments.index(r["instrument"]) % 20)
        ax.barh(y, (stop - start).days + 1, left=start, height=0.7, color=colour, linewidth=0)
        labels.append(r["provision"])
    ax.set_yticks(range(len(dated)), labels, fontsize=5)
    ax.set_ylim(len(dated) - 0.5, -0.5)
    ax.xaxis.tick_top()
    names = {
        i: (rb.instruments[i].title_ja if lang == "ja" else rb.instruments[i].title_en) if i in rb.instruments else i
        for i in instruments
    }
    handles = [Patch(color=cmap(k % 20), label=names[i][:50]) for k, i in enumerate(instruments)]
    ax.legend(handles=handles, fontsize=5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return _svg(fig)


PATHWAYS_WORDS = {
    "en": {"seats": "seats", "majority": "majority", "two_thirds": "two-thirds of all members", "date": "chosen date"},
    "ja": {"seats": "議席", "majority": "過半数", "two_thirds": "総議員の三分の二", "date": "選択した日付"},
}


def pathways_svg(rows: list[dict], day: dt.date, lang: str = "en") -> str:
    """The pathways chart: for each house, the supporting seats after each election as a
    bar labelled with its number and parties, the majority and two-thirds lines as ticks,
    and the chosen date as a dashed line."""
    Figure = _pyplot()
    w = PATHWAYS_WORDS.get(lang, PATHWAYS_WORDS["en"])
    houses = list(dict.fromkeys(r["house"] for r in rows))
    fig = Figure(figsize=(11.0, 3.4 * len(houses)))
    for k, house in enumerate(houses):
        ax = fig.add_subplot(len(houses), 1, k + 1)
        mine = [r for r in rows if r["house"] == house]
        days = [dt.date.fromisoformat(r["date"]) for r in mine]
        ax.bar(days, [r["seats"] for r in mine], width=300, color="#0969da", label=w["seats"])
        ax.scatter(days, [r["majority"] for r in mine], marker="_", s=200, color="#9a6700", label=w["majority"])
        ax.scatter(days, [r["two_thirds"] for r in mine], marker="_", s=200, color="#cf222e", label=w["two_thirds"])
        for d, r in zip(days, mine, strict=True):
            ax.text(d, r["seats"] + 4, str(r["seats"]), fontsize=6, ha="center")
            ax.text(d, 6, ", ".join(r["parties"]), fontsize=5, rotation=90, ha="center", va="bottom", color="white")
        ax.axvline(day, color="black", linestyle="--", linewidth=1, label=f"{w['date']}: {day.isoformat()}")
        ax.set_title(mine[0]["house_name"].get(lang, mine[0]["house_name"]["en"]), fontsize=9, loc="left")
        ax.set_ylabel(w["seats"], fontsize=8)
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return _svg(fig)


def _svg(fig: object) -> str:
    """The figure as SVG with its words kept as text (searchable, read by screen readers)."""
    import matplotlib

    out = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(out, format="svg", metadata={"Date": None})  # type: ignore[attr-defined]
    return out.getvalue()
