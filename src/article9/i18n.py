"""The words of every face, English and Japanese: one catalogue per language
(src/article9/messages/en.yaml and ja.yaml), read here and nowhere else. `t(key, lang,
**slots)` is the only way a face turns a message key into words; a value may have plural
forms ({one, other}) chosen by the slot `n`; dates are written by Babel per language."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml

LANGS = ("en", "ja")
MESSAGES = Path(__file__).parent / "messages"
LOCALES = {"en": "en_GB", "ja": "ja_JP"}


@cache
def catalogue(lang: str) -> dict[str, Any]:
    """The catalogue of one language: message key -> text (or plural forms)."""
    with open(MESSAGES / f"{lang}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def flat(lang: str) -> dict[str, str]:
    """The catalogue as key -> string (plural forms as key.one, key.other), for the web page."""
    out: dict[str, str] = {}
    for key, value in catalogue(lang).items():
        if isinstance(value, dict):  # every language has both forms (Japanese has no plural: 'one' is 'other')
            out[f"{key}.one"] = value.get("one", value["other"])
            out[f"{key}.other"] = value["other"]
        else:
            out[key] = value
    return out


class _Strings(dict):
    """STRINGS[key][lang], read from the catalogues (kept for callers of the old table)."""


STRINGS: dict[str, dict[str, Any]] = _Strings(
    {key: {lang: catalogue(lang).get(key) for lang in LANGS} for key in catalogue("en")}
)


def _plural(forms: dict[str, str], lang: str, n: object) -> str:
    if lang == "en" and n == 1:
        return forms.get("one", forms["other"])
    return forms["other"]


def t(key: str, lang: str = "en", **kwargs: object) -> str:
    """The message `key` in `lang` with its slots filled."""
    value = catalogue(lang)[key]
    if isinstance(value, dict):
        value = _plural(value, lang, kwargs.get("n"))
    return value.format(**kwargs)


def has(key: str) -> bool:
    return key in catalogue("en")


def date_text(day: dt.date, lang: str = "en") -> str:
    """A date as a reader writes it: '1 June 2015', '2015年6月1日'."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=LOCALES[lang])


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
