"""The vocabulary: every fact, action, situation, procedure and predicate the law may name."""

from __future__ import annotations

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

    def label(self, name: str, lang: str = "en") -> str:
        for table in (self.actions, self.facts, self.situations, self.procedures):
            if name in table:
                return getattr(table[name].label, lang)
        return name


def load_vocabulary(path: Path) -> Vocabulary:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=FAST_LOADER)
    except yaml.YAMLError as exc:
        raise RuleBaseError(f"{path}: invalid YAML: {exc}") from None
    try:
        return Vocabulary.model_validate(data)
    except ValidationError as exc:
        raise RuleBaseError(f"{path}: {first_error(exc)}") from None
