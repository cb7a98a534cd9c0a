"""Errors a user can cause, each with a one-line message and a documented exit code."""

from __future__ import annotations


class Article9Error(Exception):
    """Base class: a problem the user can fix; never shown with a traceback."""

    exit_code = 1

    def __init__(self, message: object) -> None:
        # clingo re-raises an exception from a callback as type(e)(e): keep the text, not the object
        text = message.message if isinstance(message, Article9Error) else str(message)
        super().__init__(text)
        self.message = text

    def __str__(self) -> str:
        return self.message


class InputError(Article9Error):
    """A scenario, date, action or option the user supplied is invalid (exit 2)."""

    exit_code = 2


class RuleBaseError(Article9Error):
    """A law file or the vocabulary is invalid or refused (exit 3)."""

    exit_code = 3


class LimitError(Article9Error):
    """A question took longer to solve than the time limit allows (exit 4; HTTP 503)."""

    exit_code = 4


def first_error(exc: object) -> str:
    """'field.path: message' for the first problem of a pydantic ValidationError."""
    err = exc.errors()[0]  # type: ignore[attr-defined]
    where = ".".join(str(p) for p in err["loc"])
    return f"{where}: {err['msg']}"


MAX_MESSAGE = 2000  # characters of an error line; the rest is cut with a note


def _escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch) or (
            f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
        )
    return ch


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """An error message safe to print on a terminal: control characters (ESC, BEL, line
    breaks, bidirectional overrides) shown escaped, and at most `limit` characters of it."""
    shown = "".join(_escape(ch) for ch in text[:limit])
    return shown if len(text) <= limit else f"{shown}... ({len(text) - limit} more characters cut)"
