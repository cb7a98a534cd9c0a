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
    "status": {"en": "Status", "ja": "判定"},
    "constitution": {"en": "(a) Constitution, as read on this date", "ja": "(a) 当日の政府解釈による憲法上の許容性"},
    "statute": {"en": "(b) Statute", "ja": "(b) 法律上の根拠"},
    "statute_none": {
        "en": "(b) Statute: no provision in force could authorise this action",
        "ja": "(b) 法律上の根拠：この行為の根拠となる施行中の規定はない",
    },
    "authorises": {"en": "authorises", "ja": "要件充足"},
    "procedure_word": {"en": "(c) Procedure", "ja": "(c) 手続"},
    "not_in_force": {"en": "not in force on this date", "ja": "この日には施行されていない"},
    "in_force": {"en": "in force", "ja": "施行期間"},
    "depends_on": {"en": "Depends on", "ja": "判定を左右する事実"},
    "permitted_if": {
        "en": "Permitted if (any one of these; other unknown facts do not matter)",
        "ja": "次のいずれかなら許される（他の不明な事実は影響しない）",
    },
    "not_permitted_if": {
        "en": "Not permitted if (any one of these; other unknown facts do not matter)",
        "ja": "次のいずれかなら許されない（他の不明な事実は影響しない）",
    },
    "why": {"en": "Why", "ja": "理由"},
    "why_not": {"en": "Why not", "ja": "許されない理由"},
    "turns_on": {"en": "What it turns on", "ja": "判定の分かれ目"},
    "markers": {
        "en": "Markers: [V] checked, [P] partly checked, [U] unverified (see the law file).",
        "ja": "確認度：[V] 確認済み、[P] 一部確認、[U] 未確認（法令ファイル参照）。",
    },
    "scenario_word": {"en": "Scenario", "ja": "シナリオ"},
    "assessment_on": {
        "en": "assessment on {date} · rule base {hash} (v{version}, {blocks} blocks in force)",
        "ja": "{date}時点の判定 · ルールベース {hash}（v{version}、施行中のブロック{blocks}）",
    },
    "yes_word": {"en": "yes", "ja": "はい"},
    "no_word": {"en": "no", "ja": "いいえ"},
    "depends_word": {"en": "depends", "ja": "未確定"},
    "PERMITTED": {"en": "PERMITTED (known true)", "ja": "許される（確定）"},
    "NOT_PERMITTED": {"en": "NOT PERMITTED (known false)", "ja": "許されない（確定）"},
    "DEPENDS": {"en": "DEPENDS (possibly true)", "ja": "未確定（事実次第）"},
    "error_word": {"en": "error", "ja": "エラー"},
    "use_of_force": {"en": "use of force", "ja": "武力の行使"},
    "use_of_weapons": {"en": "use of weapons", "ja": "武器の使用"},
    "non_force_support": {"en": "non-force support", "ja": "武力の行使に当たらない活動"},
}


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    return STRINGS[key][lang].format(**kwargs)


YES = {"y", "yes", "はい", "true", "t"}
NO = {"n", "no", "いいえ", "false", "f"}
UNKNOWN = {"u", "unknown", "?", "不明", "わからない"}
BACK = {"b", "back", "戻る"}
QUIT = {"q", "quit", "終了"}
