"""Parameter changes as written in a preset's ``[words]`` table and in text.

A change is one of:

- an absolute value: a number (``0.8``), true/false, an enum choice, a color ("#a0b1c2" or
  a color name, for a color parameter);
- a factor: ``"+50%"``, ``"-20%"``, ``"x2"``, ``"2x"``, ``"*0.5"``;
- a step: ``"+0.2"``, ``"-1"`` (added);
- a position in the parameter's range: ``"80%"`` (its min plus 80 % of the way to its max).

``resolve`` turns a change into the parameter's new value from its current one: numbers
are clamped to the parameter's range and ints rounded, so a description never produces a
value its preset refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from texgen.describe.vocabulary import color_value
from texgen.nodes import Param

_NUMBER = r"(\d+(?:\.\d+)?)"
_FACTOR_PERCENT = re.compile(rf"^([+-]){_NUMBER}%$")
_FACTOR = re.compile(rf"^(?:[x×*]{_NUMBER}|{_NUMBER}x)$")
_STEP = re.compile(rf"^([+-]){_NUMBER}$")
_POSITION = re.compile(rf"^{_NUMBER}%$")
NUMERIC = ("int", "float")


@dataclass(frozen=True)
class Change:
    """``kind`` "set", "factor", "step" or "position", and its ``value``."""

    kind: str
    value: Any


def parse_change(value: Any) -> Change:
    """``value`` as written (see the module doc) as a ``Change``; a string that is no
    relative form is an absolute value (checked against the parameter by ``check_change``)."""
    if isinstance(value, str):
        text = value.strip().lower()
        if match := _FACTOR_PERCENT.match(text):
            sign = 1 if match[1] == "+" else -1
            return Change("factor", 1 + sign * float(match[2]) / 100)
        if match := _FACTOR.match(text):
            return Change("factor", float(match[1] or match[2]))
        if match := _STEP.match(text):
            return Change("step", float(match[0]))
        if match := _POSITION.match(text):
            return Change("position", float(match[1]) / 100)
    return Change("set", value)


def check_change(param: Param, value: Any) -> str | None:
    """Why ``value`` cannot change ``param`` (a message), or None when it can."""
    change = parse_change(value)
    if param.type in NUMERIC:
        if change.kind == "position" and (param.min is None or param.max is None):
            return f"a position in the range ({value!r}) needs a parameter with min and max"
        if change.kind == "set" and (isinstance(value, bool)
                                     or not isinstance(value, (int, float))):
            return (f"expected a number, \"+50%\", \"x2\", \"+0.1\" or \"80%\" for the "
                    f"{param.type} parameter '{param.name}', got {value!r}")
        return None
    if change.kind != "set":
        return f"a relative change ({value!r}) needs a number parameter; '{param.name}' is " \
               f"a {param.type}"
    if param.type == "color":
        if not isinstance(value, str) or color_value(value) is None:
            return f"expected a color (\"#a0b1c2\" or a color name), got {value!r}"
        return None
    if param.type in ("bool", "enum"):
        try:
            param.coerce(value)
        except ValueError as exc:
            return str(exc)
        return None
    return f"texgen describe cannot change a {param.type} parameter ('{param.name}')"


def clamp(param: Param, value: float) -> float | int:
    """``value`` inside ``param``'s range, rounded for an int parameter."""
    if param.min is not None:
        value = max(value, param.min)
    if param.max is not None:
        value = min(value, param.max)
    return int(round(value)) if param.type == "int" else round(float(value), 6)


def resolve(param: Param, change: Change, current: Any) -> Any:
    """The value ``change`` gives ``param`` from ``current``: clamped numbers (see
    ``clamp``), a color as "#rrggbb", or the absolute value coerced."""
    if param.type in NUMERIC:
        if change.kind == "factor":
            value = current * change.value
        elif change.kind == "step":
            value = current + change.value
        elif change.kind == "position":
            value = param.min + change.value * (param.max - param.min)
        else:
            value = change.value
        return clamp(param, value)
    if param.type == "color":
        return color_value(change.value)
    return param.coerce(change.value)
