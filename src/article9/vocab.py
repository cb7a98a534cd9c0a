"""The vocabulary: every fact, action, situation, procedure and predicate the law may name."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import RuleBaseError, first_error
from .lawfile import FAST_LOADER

ACTION_TYPES = ("use_of_force", "use_of_weapons", "non_force_support")


class Text(BaseModel):
    model_config = ConfigDict(extra="forbid")
    en: str
    ja: str


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["world_fact", "judgment", "procedural"]
    label: Text
    short: Text | None = None  # a few words naming the fact, shown in explanations and headlines
    question: Text
    help: Text


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["use_of_force", "use_of_weapons", "non_force_support"]
    label: Text
    question: Text


class Named(BaseModel):
    model_config = ConfigDict(extra="forbid")
    label: Text


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facts: dict[str, Fact]
    actions: dict[str, Action]
    situations: dict[str, Named]
    procedures: dict[str, Named]
    predicates: dict[str, Text]

    def constants(self) -> set[str]:
        """Every constant a rule may write."""
        return set(self.facts) | set(self.actions) | set(self.situations) | set(self.procedures) | set(ACTION_TYPES)

    def short(self, name: str, lang: str = "en") -> str:
        """A fact's short label (its label where it has none), else the name's label."""
        f = self.facts.get(name)
        if f is not None and f.short is not None:
            return getattr(f.short, lang)
        return self.label(name, lang)

    def label(self, name: str, lang: str = "en") -> str:
        for table in (self.actions, self.facts, self.situations, self.procedures):
            if name in table:
                return getattr(table[name].label, lang)
        return name


MAX_SENTENCE = 500  # characters of a predicate's sentence
_SLOT = re.compile(r"\{\{|\}\}|\{([0-9])\}")


def sentence_problem(text: str) -> str | None:
    """Why a predicate's sentence is not a template with slots {0} to {9} and nothing else
    (no format spec, conversion, attribute or index: a sentence is data, not code), or None."""
    if len(text) > MAX_SENTENCE:
        return f"a sentence may be at most {MAX_SENTENCE} characters"
    rest = _SLOT.sub("", text)
    if "{" in rest or "}" in rest:
        bad = re.search(r"\{[^{}]{0,20}\}?|\}", rest)
        shown = bad.group() if bad else "{"
        return f"only the slots {{0}} to {{9}} may be written in braces (write {{{{ or }}}} for a brace), not {shown!r}"
    return None


def slots(text: str) -> set[int]:
    """The argument numbers a sentence's slots name."""
    return {int(m.group(1)) for m in _SLOT.finditer(text) if m.group(1) is not None}


def fill(text: str, args: list[str]) -> str:
    """The sentence with its slots filled; a slot past the atom's arguments stays as written."""

    def one(m: re.Match) -> str:
        if m.group(1) is None:
            return m.group()[0]
        i = int(m.group(1))
        return args[i] if i < len(args) else m.group()

    return _SLOT.sub(one, text)


def load_vocabulary(path: Path) -> Vocabulary:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except yaml.YAMLError as exc:
        raise RuleBaseError(f"{path}: invalid YAML: {' '.join(str(exc).split())[:300]}") from None
    try:
        vocab = Vocabulary.model_validate(data)
    except ValidationError as exc:
        raise RuleBaseError(f"{path}: {first_error(exc)}") from None
    for name, sentence in vocab.predicates.items():
        for lang in ("en", "ja"):
            problem = sentence_problem(getattr(sentence, lang))
            if problem:
                raise RuleBaseError(f"{path}: predicates.{name}.{lang}: {problem}")
    return vocab
