"""Pictures of answers, drawn with matplotlib (the optional `charts` extra): a playbook as a
grid of steps against actions, coloured by status. Nothing here decides anything; it draws
a result the query layer has already computed."""

from __future__ import annotations

import io

from .corpus import RuleBase
from .errors import InputError
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
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
