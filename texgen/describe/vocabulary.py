"""The vocabulary of ``texgen describe``, read from data files that ship in the package:

- ``texgen/data/words.toml``: the global word table (roles, words → role levels, color
  modifiers, intensifiers, negators, relative amounts, number words, stopwords);
- ``texgen/data/xkcd_colors.json``: the 949 color names of the XKCD color survey (CC0);
- the CSS color names of the ``webcolors`` package.

Text and vocabulary phrases are compared as ``tokens``: lowercase words, numbers and value
forms ("+50%", "x2", "#a0b1c2"), the punctuation that ends a phrase (",", ";", "."),
apostrophes dropped, anything else a separator. Nouns and
adjectives compare by their ``stem`` (a light plural strip: "cobbles" = "cobble"); color
names compare word for word. The data are read once per process (they never change).
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import webcolors

from texgen.fit import rgb_to_unit_lab, unit_lab_to_rgb
from texgen.nodes import parse_color

DATA = Path(__file__).resolve().parent.parent / "data"

_TOKEN = re.compile(r"#[0-9a-f]{6}(?![0-9a-z])|#[0-9a-f]{3}(?![0-9a-z])"
                    r"|[+-]?\d+(?:\.\d+)?%|[x×*]\d+(?:\.\d+)?(?![0-9a-z])"
                    r"|\d+(?:\.\d+)?x(?![0-9a-z])|[+-]?\d+(?:\.\d+)?|[a-z]+|[,;]|\.(?!\d)")


@dataclass(frozen=True)
class Token:
    """One word of a text: ``text`` lowercase as written, ``stem`` for comparisons."""

    text: str
    stem: str


def stem(word: str) -> str:
    """``word`` without a plural ending ("bricks" → "brick", "ponies" → "pony",
    "glasses" → "glass"); words of three letters or fewer, and "-ss"/"-us"/"-is" endings,
    are kept."""
    if len(word) <= 3 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` in order (see the module doc)."""
    words = _TOKEN.findall(text.lower().replace("'", "").replace("’", ""))
    return [Token(word, stem(word)) for word in words]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """How a vocabulary phrase is compared with text: the stems of its tokens."""
    return tuple(token.stem for token in tokens(phrase))


@dataclass(frozen=True)
class GlobalWords:
    """``words.toml``, keyed by ``phrase_key``: ``roles`` (role → meaning), ``words``
    (phrase → (phrase as written, {role: level in 0..1})), ``modifiers`` (word →
    (L* shift, chroma factor)), ``intensifiers`` and ``amounts`` (phrase → factor),
    ``negators``, ``numbers`` (word → int), ``stopwords``."""

    roles: Mapping[str, str]
    words: Mapping[tuple[str, ...], tuple[str, Mapping[str, float]]]
    modifiers: Mapping[str, tuple[float, float]]
    intensifiers: Mapping[tuple[str, ...], float]
    amounts: Mapping[tuple[str, ...], float]
    negators: frozenset[str]
    numbers: Mapping[str, int]
    stopwords: frozenset[str]


@functools.cache
def global_words() -> GlobalWords:
    """The global word table (``texgen/data/words.toml``)."""
    data = tomllib.loads((DATA / "words.toml").read_text(encoding="utf-8"))
    return GlobalWords(
        roles=dict(data["roles"]),
        words={phrase_key(phrase): (phrase, dict(levels))
               for phrase, levels in data["words"].items()},
        modifiers={word: (float(m["lightness"]), float(m["chroma"]))
                   for word, m in data["modifiers"].items()},
        intensifiers={phrase_key(p): float(k) for p, k in data["intensifiers"].items()},
        amounts={phrase_key(p): float(k) for p, k in data["amounts"].items()},
        negators=frozenset(data["negators"]),
        numbers={word: int(n) for word, n in data["numbers"].items()},
        stopwords=frozenset(stem(word) for word in data["stopwords"]))


def known_roles() -> frozenset[str]:
    """The roles an exposed parameter may declare (``role = "wear"``)."""
    return frozenset(global_words().roles)


@functools.cache
def color_names() -> dict[tuple[str, ...], tuple[str, str]]:
    """Color names by their words → ("#rrggbb", where the name comes from). XKCD survey
    names first (what people call colors); CSS names the survey lacks are added."""
    xkcd = json.loads((DATA / "xkcd_colors.json").read_text(encoding="utf-8"))["colors"]
    names = {tuple(t.text for t in tokens(name)): (value, f"XKCD '{name}'")
             for name, value in xkcd.items()}
    for name in webcolors.names("css3"):
        names.setdefault((name,), (webcolors.name_to_hex(name), f"CSS '{name}'"))
    return names


def color_value(text: str) -> str | None:
    """``text`` as "#rrggbb": a hex color ("#a0b1c2", "#abc") or a color name; None when it
    is neither."""
    key = tuple(t.text for t in tokens(text))
    if key in color_names():
        return color_names()[key][0]
    try:
        return hex_color(parse_color(text.strip()))
    except ValueError:
        return None


def hex_color(rgba) -> str:
    """An RGB(A) color in 0..1 as "#rrggbb" (alpha dropped)."""
    return "#" + "".join(f"{round(float(np.clip(c, 0, 1)) * 255):02x}" for c in rgba[:3])


def lightness(color: str) -> float:
    """CIELAB L* (0..100) of a "#rrggbb" color."""
    return float(rgb_to_unit_lab(parse_color(color)[:3])[0] * 100)


def modify(color: str, modifiers: list[tuple[float, float]]) -> str:
    """``color`` ("#rrggbb") with each (L* shift, chroma factor) of ``modifiers`` applied
    in CIELAB, in order: L* clipped to 0..100, the result clipped to sRGB."""
    unit = rgb_to_unit_lab(parse_color(color)[:3])
    lab = unit * [100.0, 256.0, 256.0] - [0.0, 128.0, 128.0]
    for shift, chroma in modifiers:
        lab = np.array([np.clip(lab[0] + shift, 0.0, 100.0), lab[1] * chroma, lab[2] * chroma])
    unit = (lab + [0.0, 128.0, 128.0]) / [100.0, 256.0, 256.0]
    return hex_color(unit_lab_to_rgb(np.clip(unit, 0.0, 1.0)))
