"""User-facing strings of the interactive faces in English and Japanese."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "permitted": {"en": "permitted (known true)", "ja": "許される（確定）"},
    "not_permitted": {"en": "not permitted (known false)", "ja": "許されない（確定）"},
    "depends": {"en": "depends (possibly true)", "ja": "未確定（事実次第）"},
    "no_encoded_basis": {
        "en": "outside the encoded law (no encoded basis; not a finding that it is unlawful)",
        "ja": "符号化された法の範囲外（符号化された根拠なし。違法との判定ではない）",
    },
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
    "today_numbered": {"en": "today", "ja": "現行"},
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
        "en": "Markers: [V] checked, [P] partly checked, [U] unverified (see the law file), "
        "[H] hypothetical (a reform, not enacted law).",
        "ja": "確認度：[V] 確認済み、[P] 一部確認、[U] 未確認（法令ファイル参照）、[H] 仮定（改正案、現行法ではない）。",
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
    "DEPENDS_NEGATIVE": {
        "en": "DEPENDS, but never permitted: whether it is not permitted or outside the encoded law turns on the facts",
        "ja": "未確定（許されることはない。許されないか符号化された法の範囲外かは事実次第）",
    },
    "NO_ENCODED_BASIS": {
        "en": "OUTSIDE THE ENCODED LAW: no provision encoded here makes this lawful, "
        "and the rule base does not claim its list of bases is complete",
        "ja": "符号化された法の範囲外：ここで符号化されたどの規定によっても適法とならず、"
        "ルールベースは根拠の一覧が完全であるとは主張しない",
    },
    "short_no_encoded_basis": {"en": "outside the encoded law", "ja": "符号化された法の範囲外"},
    "outside_if": {
        "en": "Outside the encoded law if (any one of these; other unknown facts do not matter)",
        "ja": "次のいずれかなら符号化された法の範囲外（他の不明な事実は影響しない）",
    },
    "outside_if_short": {"en": "outside the encoded law if", "ja": "範囲外となる条件"},
    "why_outside": {"en": "Why no encoded basis", "ja": "符号化された根拠がない理由"},
    "closure_word": {"en": "Closure", "ja": "完結性"},
    "closure_true": {
        "en": "the rule base claims its bases for this action are the only ones the law gives on this date ({claims})",
        "ja": "この日のこの行為について、符号化された根拠が法の定める根拠のすべてであると主張する（{claims}）",
    },
    "closure_false": {
        "en": "no closure claim covers this action on this date, so 'not permitted' is not claimed",
        "ja": "この日のこの行為について完結性の主張はなく、「許されない」とは判定しない",
    },
    "closure_unknown": {
        "en": "a closure claim covers this action only under some of the unknown facts ({claims})",
        "ja": "不明な事実によっては完結性の主張がこの行為を覆う（{claims}）",
    },
    "encoded_to": {
        "en": "Law encoded and checked up to {date}.",
        "ja": "法は{date}まで符号化・確認済み。",
    },
    "after_encoded_to": {
        "en": "WARNING: {dates} is after {to}, the date up to which the law is encoded and checked; "
        "the law is taken as unchanged since then.",
        "ja": "警告：{dates}は法の符号化・確認の基準日（{to}）より後です。それ以後も法は変わっていないものとして判定しています。",
    },
    "gap_word": {"en": "Known gap in the encoded law", "ja": "符号化されていない既知の部分"},
    "reform_banner": {
        "en": "HYPOTHETICAL REFORM, NOT THE LAW: {title} (effective {effective}). "
        "These answers apply a reform that has not been enacted.",
        "ja": "仮想改正（現行法ではない）：{title}（{effective}から）。以下は制定されていない改正を適用した判定です。",
    },
    "error_word": {"en": "error", "ja": "エラー"},
    "short_permitted": {"en": "permitted", "ja": "許される"},
    "short_not_permitted": {"en": "not permitted", "ja": "許されない"},
    "short_depends": {"en": "depends", "ja": "未確定"},
    "under": {"en": "under", "ja": "根拠"},
    "constitutional_short": {"en": "constitutional", "ja": "憲法上"},
    "needs": {"en": "needs", "ja": "必要な手続"},
    "permitted_if_short": {"en": "permitted if", "ja": "許される条件"},
    "not_permitted_if_short": {"en": "not permitted if", "ja": "許されない条件"},
    "comparison": {"en": "comparison", "ja": "日付比較"},
    "action_word": {"en": "action", "ja": "行為"},
    "changed_between": {"en": "{action}: {d1} -> {d2}: {what}", "ja": "{action}：{d1} → {d2}：{what}"},
    "status_change": {"en": "{a} -> {b}", "ja": "{a} → {b}"},
    "basis_change": {"en": "basis {a} -> {b}", "ja": "根拠 {a} → {b}"},
    "layer_change": {"en": "constitutional layer {a} -> {b}", "ja": "憲法上の許容性 {a} → {b}"},
    "whatif_head": {
        "en": "what if · {scenario} · {action} on {date}: now {now}; ways to make it {target}:",
        "ja": "仮定分析 · {scenario} · {action}（{date}）：現在は{now}。{target}とするための変更：",
    },
    "whatif_none": {
        "en": "No change of up to {n} known facts does it (try --max-changes).",
        "ja": "既知の事実を{n}個まで変えても実現できません（--max-changes を試してください）。",
    },
    "whatif_item": {"en": "{i}. {n} change(s) -> {status}", "ja": "{i}. 変更{n}件 → {status}"},
    "whatif_cut": {
        "en": "(stopped at the limit of alternatives; the list is not exhaustive)",
        "ja": "（候補数の上限で打ち切り。網羅的ではありません）",
    },
    "diff_head": {"en": "diff {d1} -> {d2} over all {n} facts", "ja": "{d1} → {d2} の差分（全{n}事実の組合せ）"},
    "diff_none": {
        "en": "No answer differs for any combination of facts.",
        "ja": "どの事実の組合せでも判定は変わりません。",
    },
    "diff_gained": {"en": "permitted on {d2} but not on {d1}", "ja": "{d2}には許されるが{d1}には許されない"},
    "diff_lost": {"en": "permitted on {d1} but not on {d2}", "ja": "{d1}には許されるが{d2}には許されない"},
    "diff_share": {"en": "{count} of 2^{n} combinations ({share})", "ja": "2^{n}通り中{count}通り（{share}）"},
    "exactly_when": {"en": "exactly when any of", "ja": "次のいずれかの場合に限る"},
    "changed_provision": {"en": "changed provision bearing on it", "ja": "関係する規定の変更"},
    "lists_cut": {"en": "(lists cut at their size limit)", "ja": "（一覧は上限で打ち切り）"},
    "unchanged_all": {"en": "Unchanged for every combination", "ja": "全ての組合せで変化なし"},
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


# Error messages are built in English from these phrases; with --lang ja each phrase is
# replaced by its Japanese form (names, file paths, lines and values stay as they are).
ERROR_PHRASES: list[tuple[str, str]] = [
    ("is given twice with different values", "が異なる値で二度指定されています"),
    ("a mapping key must be a plain value", "マッピングのキーは単純な値でなければなりません"),
    ("is not a date (expected YYYY-MM-DD)", "は日付ではありません（YYYY-MM-DD 形式で指定してください）"),
    ("has value", "の値が"),
    ("expected true, false or unknown", "true、false、unknown のいずれかを指定してください"),
    ("invalid YAML", "YAML の書式が正しくありません"),
    (
        "a scenario is a mapping with at least 'title' and 'facts'",
        "シナリオは少なくとも 'title' と 'facts' を持つマッピングです",
    ),
    ("'title' is required: a line of text naming the scenario", "'title'（シナリオ名）が必要です"),
    (
        "'facts' must map fact names to true, false or unknown",
        "'facts' は事実名から true/false/unknown への対応でなければなりません",
    ),
    ("unknown fact", "不明な事実名"),
    ("unknown action", "不明な行為名"),
    ("unknown key", "不明なキー"),
    ("did you mean:", "候補："),
    ("see 'article9 vocab'", "'article9 vocab' を参照してください"),
    ("'actions' must be a list of action names", "'actions' は行為名のリストでなければなりません"),
    ("'expect' maps dates to actions and statuses", "'expect' は日付から行為と判定への対応です"),
    ("must map action names to statuses", "は行為名から判定への対応でなければなりません"),
    ("expectations for", "期待値"),
    (
        "is before 1947-05-03, when the Constitution came into force; the rule base starts there",
        "は日本国憲法施行日（1947-05-03）より前です。ルールベースはこの日から始まります",
    ),
    ("no such file", "ファイルがありません"),
    ("cannot read", "読み込めません"),
    ("--lang must be en or ja", "--lang は en か ja です"),
    ("--max-changes must be from 1 to 6", "--max-changes は 1 から 6 までです"),
    ("compare needs at least two dates", "比較には二つ以上の日付が必要です"),
    ("--from must be before --to", "--from は --to より前の日付でなければなりません"),
    ("no provision", "該当する規定がありません："),
    ("no instrument", "該当する法令等がありません："),
    ("run 'article9 law' for the list", "一覧は 'article9 law' で表示できます"),
    ("a reform file may be at most", "仮想改正ファイルの上限は"),
    ("refused:", "拒否："),
    ("#script would run code", "#script はコードを実行するため使えません"),
    ("#include would read a file", "#include はファイルを読み込むため使えません"),
    ("is too large", "は大きすぎます"),
    ("grounding took longer than", "グラウンディングの時間制限を超えました："),
    ("the reform was refused", "仮想改正は拒否されました"),
    ("Input should be a valid", "値の型が正しくありません："),
    ("Field required", "必須の項目です"),
    ("the facts contradict each other", "事実が互いに矛盾しています"),
]


def translate_error(message: str, lang: str) -> str:
    if lang != "ja":
        return message
    for en, ja in ERROR_PHRASES:
        message = message.replace(en, ja)
    return message
