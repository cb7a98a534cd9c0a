"""article9: Japan's law on the use of force and on SDF operations, executable.

>>> import article9
>>> a = article9.assess("scenarios/us-ship-defense.yaml", "2016-05-01")
>>> a.determination("defend_foreign_warship").status
'permitted'
"""

__version__ = "0.1.0"

_LAZY = {
    "assess": "library",
    "compare": "library",
    "whatif": "library",
    "explain": "library",
    "diff": "library",
    "playbook": "playbook",
    "engine": "library",
    "Scenario": "models",
    "Assessment": "models",
    "Determination": "models",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str):  # noqa: ANN202 - lazy, so `article9 --help` stays fast
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return module if name == "playbook" else getattr(module, name)  # the playbook module is callable
    raise AttributeError(f"module 'article9' has no attribute {name!r}")
