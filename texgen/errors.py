"""The one exception hierarchy of texgen.

``InputError`` and its subclasses mean the user's input is wrong (the CLI exits 2);
``RenderError`` means a valid graph failed while it ran or was written (exit 1).
Every error that concerns a preset carries where it happened: file, node and key.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class TexgenError(Exception):
    """Root of every error texgen raises on purpose."""


class InputError(TexgenError):
    """Bad input: a preset, an override, a size, a name. The CLI exits 2."""


class PluginError(InputError):
    """A plugin failed to load or registered something invalid (raised in strict mode)."""


class SpecError(InputError):
    """A node spec is malformed (raised when a plugin registers it)."""


class PresetError(InputError):
    """One or more problems in a preset, each located by file, node and key."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class NodeInputError(PresetError):
    """A problem in a preset that only a node could find, while rendering (a file it could
    not read, parameters it refused through ``texgen.nodes.param_error``). Still bad input:
    the CLI exits 2. ``file``, ``node`` and ``key`` locate it."""

    def __init__(self, problem: Problem):
        super().__init__([problem])
        self.file, self.node, self.key = problem.file, problem.node, problem.key


class RenderError(TexgenError):
    """A node failed while evaluating, or an output could not be written. The CLI exits 1."""


class Problem:
    """One located validation problem: ``file: node 'id', key 'k': message``."""

    def __init__(self, message: str, *, file: str | None = None, node: str | None = None,
                 key: str | None = None):
        self.message, self.file, self.node, self.key = message, file, node, key

    def __str__(self) -> str:
        where = [f"node '{self.node}'"] if self.node else []
        if self.key:
            where.append(f"key '{self.key}'")
        location = ", ".join(where)
        prefix = f"{self.file}: " if self.file else ""
        return f"{prefix}{location + ': ' if location else ''}{self.message}"

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices``, or ``""`` if none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
