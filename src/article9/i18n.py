"""User-facing strings of the interactive faces in English and Japanese."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "permitted": {"en": "permitted (known true)", "ja": "許される（確定）"},
    "not_permitted": {"en": "not permitted (known false)", "ja": "許されない（確定）"},
    "depends": {"en": "depends (possibly true)", "ja": "未確定（事実次第）"},
    "interview_title": {"en": "article9 interview on {date}", "ja": "article9 質問形式の判定（{date}）"},
    "answers_help": {
        "en": "Answer y (yes), n (no), u (unknown); b goes back, q saves and quits.",
        "ja": "y（はい）、n（いいえ）、u（不明）で答えてください。b で一つ戻り、q で保存して終了します。",
    },
    "question": {"en": "Question {n}", "ja": "質問{n}"},
    "provisional": {"en": "Provisional answers:", "ja": "現時点の判定："},
    "final": {"en": "Final answers:", "ja": "最終的な判定："},
    "no_more": {
        "en": "No further question can change these answers.",
        "ja": "これ以上の質問で判定が変わることはありません。",
    },
    "saved": {
        "en": "Saved the scenario to {path} (run: article9 assess {path})",
        "ja": "シナリオを {path} に保存しました（article9 assess {path} で判定できます）",
    },
    "bad_answer": {"en": "Please answer y, n, u, b or q.", "ja": "y、n、u、b、q のいずれかで答えてください。"},
    "nothing_to_undo": {"en": "Nothing to go back to.", "ja": "戻る質問がありません。"},
    "help": {"en": "Help", "ja": "説明"},
}


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    return STRINGS[key][lang].format(**kwargs)


YES = {"y", "yes", "はい", "true", "t"}
NO = {"n", "no", "いいえ", "false", "f"}
UNKNOWN = {"u", "unknown", "?", "不明", "わからない"}
BACK = {"b", "back", "戻る"}
QUIT = {"q", "quit", "終了"}
