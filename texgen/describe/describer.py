"""Text → preset: choose the preset a description names and the exposed-parameter values
its words ask for, explained phrase by phrase (docs/describe.md).

``describe`` is a deterministic parser over vocabulary that lives in data: each preset's
name, synonyms, description, parameter names and docs and ``[words]`` table, and the global
tables of ``texgen.describe.vocabulary``. Two passes over the text's tokens:

1. **Which preset.** Longest match first, every candidate's phrases are looked for: its
   name or a synonym scores 3 a word, a ``[words]`` phrase, a word of its name or of an
   exposed parameter's name 1, a content word of its description 0.5. A color name longer
   than any of these ("brick red") votes for none. The highest score wins; ties go to the
   first name in alphabetical order. A misspelt word close to a known one (difflib ratio
   ≥ 0.8) is read as it.
2. **What changes.** The text is cut into phrases, longest first, preset ``[words]``
   before color names before nouns before global words: colors (with modifiers, put on the
   color parameter whose noun follows or, failing that, precedes them), words (with the
   negators and intensifiers before them), values ("8", "+50%", "x2", "80%", "eight",
   "twice as many") bound to the number parameter a neighbouring noun names.

Words that did neither are ``unknown``; stopwords are understood and ignored.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from texgen.describe.changes import NUMERIC, Change, clamp, parse_change, resolve
from texgen.describe.vocabulary import (
    Token,
    color_names,
    color_value,
    global_words,
    hex_color,
    modify,
    phrase_key,
    stem,
    tokens,
)
from texgen.errors import InputError
from texgen.fit import found_as, write_instance
from texgen.preset import Preset

__all__ = ["describe", "Description", "DescribeError", "write_described_preset"]

NAME_WEIGHT, WORD_WEIGHT, DESCRIPTION_WEIGHT = 3.0, 1.0, 0.5
SPELLING_CUTOFF = 0.8
_GENERIC = frozenset({"color", "colour", "tint", "tone", "mid", "main", "amount", "of", "the",
                      "per", "texture", "width", "height", "how", "much", "many"})
_SEPARATORS = frozenset({",", ";", "."})


class DescribeError(InputError):
    """The text is empty or names no material (the CLI exits 2)."""


@dataclass
class Description:
    """What ``describe`` understood.

    - ``preset``: the chosen preset's name; ``source``: its file (None for a dict);
      ``found_as``: the name the engine's preset folders know it by (None if none).
    - ``overrides``: exposed parameter → new value (colors as "#rrggbb"): pass them to
      ``Engine.render(preset, overrides=...)``.
    - ``explanation``: per phrase, in text order: ``phrase`` (the words), ``changes``
      (parameter → value) and ``meaning`` (why, in words).
    - ``unknown``: the words that changed nothing and chose nothing, as written.
    - ``candidates``: every preset that scored, by score.
    """

    text: str
    preset: str
    overrides: dict[str, Any]
    explanation: list[dict[str, Any]]
    unknown: list[str]
    candidates: dict[str, float]
    source: str | None = None
    found_as: str | None = None
    preset_object: Preset | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``text``, ``preset``, ``overrides``, ``explanation``, ``unknown``,
        ``candidates``, ``source`` (the contract of ``texgen describe --json``)."""
        return {"text": self.text, "preset": self.preset, "overrides": dict(self.overrides),
                "explanation": self.explanation, "unknown": list(self.unknown),
                "candidates": dict(self.candidates), "source": self.source}

    def lines(self) -> list[str]:
        """The explanation as text lines, for a terminal."""
        out = [f"preset: {self.preset}"]
        for entry in self.explanation:
            changes = ", ".join(f"{name} = {value}" for name, value in entry["changes"].items())
            out.append(f"  \"{entry['phrase']}\": {entry['meaning']}"
                       + (f" -> {changes}" if changes else ""))
        if self.unknown:
            out.append(f"not understood: {', '.join(self.unknown)}")
        return out


# --- a preset's vocabulary ---------------------------------------------------------------

@dataclass
class _Vocabulary:
    """One preset's phrases by ``phrase_key``: ``names`` (name and synonyms → as written),
    ``words`` (its [words] → (as written, changes)), ``parts`` (single words of its name
    and of its parameters' names), ``described`` (content words of its description),
    ``nouns`` (word → parameters it names, best first, with what named them)."""

    preset: Preset
    names: dict[tuple[str, ...], str]
    words: dict[tuple[str, ...], tuple[str, Mapping[str, Any]]]
    parts: set[tuple[str, ...]]
    described: set[tuple[str, ...]]
    nouns: dict[str, list[tuple[str, str]]]

    @property
    def main_color(self) -> str | None:
        return next((p for p, role in self.preset.roles.items() if role == "main_color"), None)

    def parameters_named(self, stems: Iterable[str], *,
                         types: tuple[str, ...]) -> tuple[str | None, str | None]:
        """The parameter of one of ``types`` that the words ``stems`` name, and how: by a
        word of its name ("name"), of its role ("role"), as the preset's own noun
        ("material": its main color or its count; None when it has none), by a word of its
        doc ("doc"), in that order; (None, None) when they name none."""
        rank = {"name": 0, "role": 1, "material": 2, "doc": 3}
        stems = tuple(stems)
        found = []
        for word in stems:
            for order, (pname, how) in enumerate(self.nouns.get(word, ())):
                if self.preset.parameters[pname].type in types:
                    found.append((rank[how], order, pname, how))
        if stems in self.names or any((w,) in self.names or (w,) in self.parts
                                      and w not in self.nouns for w in stems):
            role = "main_color" if "color" in types else "count"
            material = next((p for p, r in self.preset.roles.items() if r == role
                             and self.preset.parameters[p].type in types), None)
            found.append((rank["material"], 0, material, "material"))
        if not found:
            return None, None
        return min(found, key=lambda f: f[:2])[2:]


def _content_words(text: str) -> set[str]:
    words = global_words()
    return {t.stem for t in tokens(text)
            if t.stem.isalpha() and len(t.stem) > 2 and t.stem not in words.stopwords
            and t.stem not in _GENERIC and (t.text,) not in color_names()
            and t.text not in words.modifiers and (t.stem,) not in words.words
            and t.text not in words.numbers}


def _vocabulary(preset: Preset) -> _Vocabulary:
    names = {phrase_key(n): n for n in (preset.name.replace("_", " "), *preset.synonyms)}
    words = {phrase_key(phrase): (phrase, changes) for phrase, changes in preset.words.items()}
    parts = {(word,) for word in phrase_key(preset.name.replace("_", " "))}
    nouns: dict[str, list[tuple[str, str]]] = {}
    for pname in preset.parameters:
        for word in phrase_key(pname.replace("_", " ")):
            if word not in _GENERIC:
                nouns.setdefault(word, []).append((pname, "name"))
                parts.add((word,))
        if pname in preset.roles:
            for word in phrase_key(preset.roles[pname].replace("_", " ")):
                nouns.setdefault(word, []).append((pname, "role"))
    for pname, param in preset.parameters.items():
        for word in sorted(_content_words(param.doc)):
            nouns.setdefault(word, []).append((pname, "doc"))
    described = {(word,) for word in _content_words(preset.description)}
    return _Vocabulary(preset, names, words, parts, described, nouns)


# --- pass 1: the preset --------------------------------------------------------------------

def _longest_color(toks: list[Token], i: int) -> int:
    """Tokens in the longest color name starting at ``i`` (0: none)."""
    texts = tuple(t.text for t in toks)
    modifier = texts[i] in global_words().modifiers  # "dark" alone is a modifier, no color
    return max((n for n in range(1 + modifier, min(5, len(texts) - i + 1))
                if texts[i:i + n] in color_names()), default=0)


def _longest(keys: Iterable[tuple[str, ...]], stems: tuple[str, ...], i: int) -> int:
    return max((len(k) for k in keys if stems[i:i + len(k)] == k), default=0)


def _score(toks: list[Token], vocabularies: dict[str, _Vocabulary]):
    """Each preset's score and the token positions that voted for it (see the module doc)."""
    stems = tuple(t.stem for t in toks)
    scores = {name: 0.0 for name in vocabularies}
    voters: dict[str, set[int]] = {name: set() for name in vocabularies}
    i = 0
    tables = [(vocab, weight, table) for vocab in vocabularies.values() for weight, table in
              ((NAME_WEIGHT, vocab.names), (WORD_WEIGHT, vocab.words),
               (WORD_WEIGHT, vocab.parts), (DESCRIPTION_WEIGHT, vocab.described))]
    while i < len(toks):
        length = max((_longest(table, stems, i) for _, _, table in tables), default=0)
        color = _longest_color(toks, i)
        if color > max(length, 1) or not length:
            i += max(color, 1)
            continue
        for name, vocab in vocabularies.items():
            weight = max((w for v, w, table in tables if v is vocab
                          and stems[i:i + length] in table), default=0.0)
            if weight:
                scores[name] += weight * length
                voters[name].update(range(i, i + length))
        i += length
    return scores, voters


# --- spelling --------------------------------------------------------------------------------

def _known_words(vocabularies: dict[str, _Vocabulary]) -> dict[str, int]:
    """Every word the vocabulary holds → its tier, which breaks spelling ties: 0 the
    presets' own words, 1 the global tables, 2 color names."""
    words = global_words()
    known = dict.fromkeys((w for key in color_names() for w in key), 2)
    known.update(dict.fromkeys([*words.stopwords, *words.negators, *words.modifiers,
                                *words.numbers], 1))
    for table in (words.words, words.intensifiers, words.amounts):
        known.update(dict.fromkeys((w for key in table for w in key), 1))
    for vocab in vocabularies.values():
        for table in (vocab.names, vocab.words, vocab.parts, vocab.described, vocab.nouns):
            known.update(dict.fromkeys(
                (w for key in table for w in ((key,) if isinstance(key, str) else key)), 0))
    return known


def _closest(word: str, known: dict[str, int]) -> str | None:
    """The known word closest to ``word`` (difflib ratio ≥ ``SPELLING_CUTOFF``): the
    highest ratio, then the lowest tier, then the first alphabetically; None if none."""
    best = None
    for candidate, tier in known.items():
        matcher = difflib.SequenceMatcher(None, word, candidate)
        if matcher.real_quick_ratio() < SPELLING_CUTOFF or matcher.quick_ratio() \
                < SPELLING_CUTOFF or (ratio := matcher.ratio()) < SPELLING_CUTOFF:
            continue
        key = (-ratio, tier, candidate)
        best = key if best is None or key < best else best
    return best[2] if best else None


def _correct(toks: list[Token], known: dict[str, int]) -> tuple[list[Token], dict[int, str]]:
    """``toks`` with each unknown word of 4 letters or more replaced by the closest known
    word (``_closest``) to it as written (a misspelt word's plural strip means nothing:
    "grss" is no plural); the corrected positions → the word as written."""
    out, corrected = [], {}
    for i, token in enumerate(toks):
        if token.text.isalpha() and len(token.text) >= 4 and token.stem not in known \
                and token.text not in known:
            close = _closest(token.text, known)
            if close:
                out.append(Token(close, stem(close)))
                corrected[i] = token.text
                continue
        out.append(token)
    return out, corrected


# --- pass 2: the changes ------------------------------------------------------------------------

@dataclass
class _Segment:
    """A phrase of the text: ``kind`` (word, global, color, modifier, value, amount, noun,
    negator, intensifier, stop, separator, unknown), tokens ``start``..``end``, and what
    it holds (``data``)."""

    kind: str
    start: int
    end: int
    data: Any = None
    used: bool = False


def _segments(toks: list[Token], vocab: _Vocabulary) -> list[_Segment]:
    words = global_words()
    stems = tuple(t.stem for t in toks)
    nouns = set(vocab.names) | vocab.parts | {(w,) for w in vocab.nouns}
    out, i = [], 0
    while i < len(toks):
        token = toks[i]
        word = _longest(vocab.words, stems, i)
        color = _longest_color(toks, i)
        noun = _longest(nouns, stems, i)
        glob = _longest(words.words, stems, i)
        amount = _longest(words.amounts, stems, i)
        intensifier = _longest(words.intensifiers, stems, i)
        modifiers, j, k = [], i, 1.0  # "very pale dull": each intensifier on the next
        while j < len(toks) and (toks[j].text in words.modifiers
                                 or _longest(words.intensifiers, stems, j)):
            if toks[j].text in words.modifiers:
                shift, chroma = words.modifiers[toks[j].text]
                modifiers.append((toks[j].text, (shift * k, chroma ** k)))
                k = 1.0
            else:
                k *= words.intensifiers[stems[j:j + _longest(words.intensifiers, stems, j)]]
            j += max(_longest(words.intensifiers, stems, j), 1)
        modified = _longest_color(toks, j) if modifiers and j > i else 0
        if token.text in _SEPARATORS:
            out.append(_Segment("separator", i, i + 1))
        elif word and word >= color:
            out.append(_Segment("word", i, i + word, vocab.words[stems[i:i + word]]))
        elif color > 1 or color and (not noun or _leads(vocab, stems, i, color, nouns)):
            names = color_names()[tuple(t.text for t in toks[i:i + color])]
            out.append(_Segment("color", i, i + color, (names, [])))
        elif modified:
            key = tuple(t.text for t in toks[j:j + modified])
            out.append(_Segment("color", i, j + modified, (color_names()[key], modifiers)))
        elif amount:
            out.append(_Segment("amount", i, i + amount, words.amounts[stems[i:i + amount]]))
        elif noun and noun >= glob:
            out.append(_Segment("noun", i, i + noun))
        elif glob:
            out.append(_Segment("global", i, i + glob, words.words[stems[i:i + glob]]))
        elif intensifier:
            out.append(_Segment("intensifier", i, i + intensifier,
                                words.intensifiers[stems[i:i + intensifier]]))
        elif token.text in words.modifiers:
            out.append(_Segment("modifier", i, i + 1, words.modifiers[token.text]))
        elif token.text in words.negators:
            out.append(_Segment("negator", i, i + 1))
        elif token.text.startswith("#") and (color := color_value(token.text)):
            out.append(_Segment("color", i, i + 1, ((color, token.text), [])))
        elif (value := _value(token.text)) is not None:
            out.append(_Segment("value", i, i + 1, value))
        elif token.stem in words.stopwords or token.text in words.stopwords:
            out.append(_Segment("stop", i, i + 1))
        else:
            out.append(_Segment("unknown", i, i + 1))
        i = out[-1].end
    return out


def _leads(vocab: _Vocabulary, stems: tuple[str, ...], i: int, color: int,
           nouns: set[tuple[str, ...]]) -> bool:
    """Whether the color word at ``i`` heads a noun phrase rather than belonging to it: a
    noun follows it, and it is no noun of the preset on its own ("red bricks": red is
    the bricks' color; "sand dunes": sand is a name of the desert)."""
    word = stems[i]
    return bool(_longest(nouns, stems, i + color)) and (word,) not in vocab.names \
        and word not in vocab.nouns


def _value(text: str) -> Change | None:
    """A value token as a ``Change``: a number word or number (absolute), "+50%", "x2",
    "2x" (factors), "80%" (a position in the range); None for anything else."""
    numbers = global_words().numbers
    if text in numbers:
        return Change("set", numbers[text])
    change = parse_change(text)
    if change.kind != "set":
        return change
    try:
        return Change("set", float(text) if "." in text else int(text))
    except ValueError:
        return None


class _Interpreter:
    """Applies the segments of a text to one preset's parameters, in order, recording the
    explanation."""

    def __init__(self, toks: list[Token], vocab: _Vocabulary, originals: list[str]):
        self.toks, self.vocab, self.originals = toks, vocab, originals
        self.preset = vocab.preset
        self.values = {name: p.default for name, p in self.preset.parameters.items()}
        self.overrides: dict[str, Any] = {}
        self.colored: set[str] = set()
        self.explanation: list[dict[str, Any]] = []

    def phrase(self, *segments: _Segment) -> str:
        start = min(s.start for s in segments)
        end = max(s.end for s in segments)
        return " ".join(self.originals[start:end])

    def set(self, name: str, value: Any) -> Any:
        self.values[name] = value
        self.overrides[name] = value
        return value

    def explain(self, segments: list[_Segment], meaning: str, changes: dict[str, Any], *,
                used: bool = True) -> None:
        """Record what ``segments`` did; ``used=False``: why they did nothing (their words
        stay ``unknown``)."""
        for segment in segments:
            segment.used = segment.used or used
        self.explanation.append({"phrase": self.phrase(*segments), "changes": changes,
                                 "meaning": meaning, "start": min(s.start for s in segments)})

    # -- numbers --
    def new_value(self, change: Change, name: str, *, negate: bool,
                       intensity: float) -> Any:
        """``change`` of parameter ``name`` from its current value, scaled by ``intensity``
        and negated (see ``docs/describe.md``), clamped."""
        param, current = self.preset.parameters[name], self.values[name]
        if param.type not in NUMERIC:
            value = resolve(param, change, current)
            if negate:
                return (not value) if param.type == "bool" else None
            return value
        if change.kind == "factor":
            target = current * change.value ** intensity
        else:
            target = resolve(param, change, current)
            target = current + (target - current) * intensity
        if negate:
            if target == current or param.min is None or param.max is None:
                return None
            target = param.min if target > current else param.max
        return clamp(param, target)

    def apply_changes(self, segments: list[_Segment], changes: Mapping[str, Change],
                      meaning: str, *, negate: bool, intensity: float,
                      modifiers: list[tuple[float, float]] = ()) -> None:
        """Apply ``changes``; ``modifiers`` (L* shift, chroma factor) change the colors they
        set ("dark oak")."""
        applied = {}
        for name, change in changes.items():
            value = self.new_value(change, name, negate=negate, intensity=intensity)
            if value is not None and modifiers and self.preset.parameters[name].type == "color":
                value = modify(value, modifiers)
            if value is not None:
                applied[name] = self.set(name, value)
        if applied:
            self.explain(segments, meaning, applied)

    # -- colors --
    def color_parameter(self, segments: list[_Segment], index: int) -> tuple[str | None, str]:
        """The color parameter the color at ``segments[index]`` goes to (None: none), and
        the noun that says so. The noun after the color, else the one before it (a
        separator, a value or another color ends the look; a word not understood right
        after it is its noun, unknown: None). A parameter's own noun takes the color; the
        material's noun ("red bricks") gives its main color (None: the preset declares
        none), or once this text colored that, the first color parameter it has not; no
        noun at all, the same, or the first color parameter when there is no main color."""
        for direction in (1, -1):
            j = index + direction
            while 0 <= j < len(segments) and segments[j].kind not in (
                    "separator", "color", "value", "amount", "modifier"):
                segment = segments[j]
                stems = [t.stem for t in self.toks[segment.start:segment.end]]
                if segment.kind == "unknown" and j == index + 1:
                    return None, " ".join(stems)
                if segment.kind in ("noun", "word", "global"):
                    name, how = self.vocab.parameters_named(stems, types=("color",))
                    if how == "material":
                        return name and self.free_color(name), " ".join(stems)
                    if name is not None:
                        segment.used = True
                        return name, " ".join(stems)
                j += direction
        return self.free_color(self.vocab.main_color), ""

    def free_color(self, name: str | None) -> str | None:
        """``name`` unless this text already colored it (or it is None); then the first
        color parameter this text has not colored (None: there is none)."""
        if name is not None and name not in self.colored:
            return name
        return next((p for p, param in self.preset.parameters.items()
                     if param.type == "color" and p not in self.colored), None)

    def sets_color(self, segment: _Segment | None) -> bool:
        """Whether ``segment`` is a [words] phrase that sets a color."""
        return segment is not None and segment.kind == "word" and any(
            self.preset.parameters[name].type == "color" for name in segment.data[1])

    def run(self, segments: list[_Segment]) -> None:
        negate, intensity, pending, modifiers = False, 1.0, [], []
        for index, segment in enumerate(segments):
            kind = segment.kind
            if kind == "stop":
                segment.used = True
                continue
            following = segments[index + 1] if index + 1 < len(segments) else None
            if kind == "modifier" and self.sets_color(following):
                shift, chroma = segment.data
                modifiers.append((shift * intensity, chroma ** intensity))
                pending = [*pending, segment]
                continue
            if kind == "negator":
                negate, pending = True, [*pending, segment]
                continue
            if kind == "intensifier":
                intensity, pending = intensity * segment.data, [*pending, segment]
                continue
            if kind == "word":
                phrase, written = segment.data
                changes = {name: parse_change(value) for name, value in written.items()}
                shown = " ".join(self.toks[s.start].text for s in pending
                                 if s.kind == "modifier")
                written_as = ", ".join(f"{name} {value}" for name, value in written.items())
                self.apply_changes([*pending, segment], changes,
                                   f"{self.preset.name} word '{phrase}' ({written_as})"
                                   + (f" made {shown}" if shown else "")
                                   + (" (negated)" if negate else ""),
                                   negate=negate, intensity=intensity, modifiers=modifiers)
                if not written:  # an entry with no change: understood, nothing to do
                    self.explain([*pending, segment], f"{self.preset.name} word '{phrase}': "
                                 "its defaults", {})
            elif kind == "global":
                phrase, levels = segment.data
                changes = {name: Change("position", levels[role])
                           for name, role in self.preset.roles.items() if role in levels
                           and self.preset.parameters[name].type in NUMERIC}
                levels_as = ", ".join(f"{self.preset.roles[name]} {change.value:.0%} of the "
                                      f"range" for name, change in changes.items())
                if not changes:
                    self.explain([*pending, segment], f"global word '{phrase}': "
                                 f"{self.preset.name} has no parameter of role "
                                 f"{' or '.join(sorted(levels))}", {}, used=False)
                self.apply_changes([*pending, segment], changes,
                                   f"global word '{phrase}' ({levels_as})"
                                   + (" (negated)" if negate else ""),
                                   negate=negate, intensity=intensity)
            elif kind == "color":
                self.color(segments, index, pending, intensity)
            elif kind == "modifier":
                self.modifier(segment, pending, intensity)
            elif kind in ("value", "amount"):
                self.value(segments, index, pending)
            negate, intensity, pending, modifiers = False, 1.0, [], []

    def color(self, segments, index, pending, intensity) -> None:
        segment = segments[index]
        (value, source), modifiers = segment.data
        name, noun = self.color_parameter(segments, index)
        if modifiers:
            value = modify(value, [(shift * intensity, chroma ** intensity)
                                   for _, (shift, chroma) in modifiers])
        if name is None:
            material = noun and self.vocab.parameters_named(
                noun.split(), types=("color",))[1] == "material"
            why = (f"'{noun}' is no color parameter's noun" if noun and not material
                   else f"{self.preset.name} has no main color parameter"
                   if self.vocab.main_color is None
                   else "this text already set every color parameter")
            self.explain([*pending, segment], f"color {source}: not applied ({why})", {},
                         used=False)
            return
        self.colored.add(name)
        how = " + ".join(m for m, _ in modifiers)
        meaning = f"color {source}" + (f" made {how}" if how else "") \
            + (f" for '{noun}'" if noun else "")
        self.explain([*pending, segment], meaning, {name: self.set(name, value)})

    def modifier(self, segment, pending, intensity) -> None:
        name = self.vocab.main_color
        if name is None:
            return
        shift, chroma = segment.data
        word = self.toks[segment.start].text
        value = modify(self.values[name] if isinstance(self.values[name], str)
                       else hex_color(self.values[name]), [(shift * intensity,
                                                            chroma ** intensity)])
        self.explain([*pending, segment], f"'{word}' on the main color",
                     {name: self.set(name, value)})

    def value(self, segments, index, pending) -> None:
        """A value: bound to the number parameter the next segment names (else the one
        before it); a bare amount ("twice as many") with no noun goes to the count."""
        segment = segments[index]
        change = Change("factor", segment.data) if segment.kind == "amount" else segment.data
        for j in (index + 1, index + 2, index - 1):
            if not 0 <= j < len(segments) or segments[j].kind in ("separator", "value"):
                continue
            if j == index + 2 and segments[index + 1].kind != "stop":
                continue
            other = segments[j]
            stems = [t.stem for t in self.toks[other.start:other.end]]
            name, _ = self.vocab.parameters_named(stems, types=NUMERIC)
            if name is not None:
                value = self.new_value(change, name, negate=False, intensity=1.0)
                self.explain([*pending, segment, other], f"value for '{' '.join(stems)}'",
                             {name: self.set(name, value)})
                return


# --- the entry points ----------------------------------------------------------------------------

def _candidates(engine, presets) -> dict[str, Preset]:
    sources = list(presets) if presets is not None else list(engine.find_presets().values())
    if not sources:
        raise DescribeError("describe: no presets to choose from: name some, or see "
                            "'texgen presets'")
    found: dict[str, Preset] = {}
    for source in sources:
        preset = engine.validate(source).preset  # a broken candidate is an error now, not
        found.setdefault(preset.name, preset)    # in the preset that would instance it
    return found


def describe(text: str, *, presets: Iterable[str | os.PathLike | Mapping | Preset] | None
             = None, engine=None) -> Description:
    """Choose a preset and exposed-parameter values for the description ``text``.

    ``presets``: the candidates (names, paths, dicts or ``Preset`` objects; default every
    preset ``engine.find_presets`` lists). Raises ``DescribeError`` (an ``InputError``)
    for an empty text or one that names no candidate's material, saying what was
    understood and which materials there are. Deterministic: the same text and candidates
    give the same ``Description``.
    """
    from texgen.engine import Engine

    if not text or not text.strip():
        raise DescribeError("describe: the text is empty: describe a material, e.g. "
                            "\"weathered dark red bricks with wide mortar\"")
    engine = engine or Engine()
    candidates = _candidates(engine, presets)
    vocabularies = {name: _vocabulary(preset) for name, preset in sorted(candidates.items())}
    originals = [t.text for t in tokens(text)]
    toks, corrected = _correct(tokens(text), _known_words(vocabularies))
    scores, voters = _score(toks, vocabularies)
    ranked = sorted(scores, key=lambda name: (-scores[name], name))
    if not ranked or scores[ranked[0]] == 0:
        raise DescribeError(_no_material(text, toks, originals, vocabularies))
    chosen = ranked[0]
    vocab = vocabularies[chosen]
    interpreter = _Interpreter(toks, vocab, originals)
    segments = _segments(toks, vocab)
    interpreter.run(segments)
    chose = sorted(voters[chosen])
    for segment in segments:
        if segment.kind in ("noun", "word") and not segment.used \
                and set(range(segment.start, segment.end)) & set(chose):
            segment.used = True
    others = ", ".join(f"{n} {scores[n]:g}" for n in ranked[1:4] if scores[n] > 0)
    chose_words = " ".join(originals[i] for i in chose)
    interpreter.explanation.append({
        "phrase": chose_words, "changes": {},
        "meaning": f"preset {chosen} (score {scores[chosen]:g}"
                   + (f"; then {others}" if others else "") + ")",
        "start": chose[0] if chose else 0})
    for i, written in corrected.items():
        interpreter.explanation.append({"phrase": written, "changes": {},
                                        "meaning": f"read as '{toks[i].text}'", "start": i})
    used = {i for s in segments if s.used or s.kind == "separator"
            for i in range(s.start, s.end)} | set(chose)
    unknown = [originals[i] for i in range(len(toks)) if i not in used]
    explanation = [{key: entry[key] for key in ("phrase", "changes", "meaning")}
                   for entry in sorted(interpreter.explanation, key=lambda e: e["start"])]
    preset = vocab.preset
    return Description(text=text, preset=chosen, overrides=dict(interpreter.overrides),
                       explanation=explanation, unknown=unknown,
                       candidates={n: scores[n] for n in ranked if scores[n] > 0},
                       source=str(preset.path) if preset.path else None,
                       found_as=found_as(engine, preset), preset_object=preset)


def _no_material(text, toks, originals, vocabularies) -> str:
    """The error line for a text that names no material: what was understood, close
    names, and the materials with a synonym each."""
    known = _known_words(vocabularies)
    understood = [o for o, t in zip(originals, toks) if t.stem in known or t.text in known]
    names = sorted({n for v in vocabularies.values() for n in v.names.values()})
    close = sorted({m for t in toks for m in difflib.get_close_matches(t.stem, names, n=1,
                                                                       cutoff=0.6)})
    materials = ", ".join(f"{name} ({v.preset.synonyms[0]})" if v.preset.synonyms else name
                          for name, v in vocabularies.items())
    return (f"describe: no material named in {text!r}"
            + (f" (understood: {' '.join(understood)})" if understood else "")
            + (f"; did you mean {', '.join(close)}?" if close else "")
            + f"; name one of: {materials}")


def write_described_preset(description: Description, path: str | os.PathLike) -> Path:
    """Write ``description`` as a preset instancing its chosen preset with the overrides
    (the writer of ``texgen fit``: ``texgen.fit.write_instance``); return ``path``."""
    if description.preset_object is None or description.preset_object.path is None:
        raise DescribeError(f"describe: the chosen preset '{description.preset}' has no file, "
                            "so a preset cannot instance it: give presets by name or path")
    comments = [f"Written by texgen describe from: {description.text}",
                *description.lines()]
    return write_instance(description.preset_object, description.overrides, path,
                          found_as=description.found_as, comments=comments,
                          description=f"{description.preset}: {description.text}",
                          node="described")
