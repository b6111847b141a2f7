"""texgen describe against issue #24's bar, on benchmarks/describe_set.toml.

    python benchmarks/describe.py [--set benchmarks/describe_set.toml] [--append]

Each case of the set is a description, the preset a person would expect and, where it names
a color, the parameter and the color meant. For each: whether ``texgen.describe`` (every
demo preset in ./presets a candidate) chose that preset; where a color is expected, the
CIEDE2000 difference between the value it gave that parameter and the color meant (the
preset's default when it set none: the error of not understanding); and the share of the
description's words it understood (words other than stopwords, less those it reports
unknown). Issue #24's bars: the right preset in >= 90 % of cases, a mean color error
<= 10, and the share of words understood is reported. ``--append`` adds the table to
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from results import append_section
from skimage.color import deltaE_ciede2000, rgb2lab

import texgen
from texgen.describe import DescribeError
from texgen.describe.vocabulary import global_words, tokens
from texgen.engine import Engine
from texgen.nodes import parse_color

HERE = Path(__file__).resolve().parent
DEMO = ["camouflage", "clouds", "cobblestone", "desert_dunes", "grass_ground", "lava",
        "leather", "marble", "neural_lava", "red_bricks", "rock", "rusted_metal",
        "scifi_panels", "terrain", "water_caustics", "wood_planks"]


def ciede2000(a: str, b: str) -> float:
    """CIEDE2000 between two "#rrggbb" colors (sRGB)."""
    lab = [rgb2lab(np.array([[parse_color(c)[:3]]], dtype=np.float64))[0, 0] for c in (a, b)]
    return float(deltaE_ciede2000(lab[0], lab[1]))


def content_words(text: str) -> int:
    stop = global_words().stopwords
    return sum(1 for t in tokens(text) if t.text not in ",;." and t.stem not in stop
               and t.text not in stop)


def run(cases: list[dict]) -> tuple[list[str], dict[str, float]]:
    engine = Engine()
    presets = [engine.load_preset(name) for name in DEMO]
    lines = ["| # | description | expected | chosen | right | color error | words "
             "understood |", "|---|---|---|---|---|---|---|"]
    right, errors, understood, total = 0, [], 0, 0
    for index, case in enumerate(cases, 1):
        try:
            result = texgen.describe(case["text"], presets=presets, engine=engine)
            chosen, unknown, values = result.preset, result.unknown, result.overrides
        except DescribeError:
            chosen, unknown, values = "(none)", [t.text for t in tokens(case["text"])], {}
        ok = chosen == case["preset"]
        right += ok
        words = content_words(case["text"])
        known = max(0, words - len(unknown))
        understood, total = understood + known, total + words
        shown = ""
        if "color" in case:
            expected = case["color"]
            preset = next(p for p in presets if p.name == case["preset"])
            default = preset.parameters[expected["parameter"]].shown_default
            given = values.get(expected["parameter"], default) if ok else default
            errors.append(ciede2000(given, expected["hex"]))
            shown = f"{errors[-1]:.1f} ({given} vs {expected['hex']})"
        lines.append(f"| {index} | {case['text']} | {case['preset']} | {chosen} | "
                     f"{'yes' if ok else 'no'} | {shown} | {known}/{words} |")
        print(lines[-1], flush=True)
    summary = {"accuracy": right / len(cases), "color_error": float(np.mean(errors)),
               "color_cases": len(errors), "understood": understood / max(total, 1)}
    lines += ["", f"Right preset: {right}/{len(cases)} = {summary['accuracy']:.0%} (bar >= 90 %)"
              f"; mean CIEDE2000 over the {len(errors)} color cases: "
              f"{summary['color_error']:.1f} (bar <= 10), median "
              f"{float(np.median(errors)):.1f}; words understood: {understood}/{total} = "
              f"{summary['understood']:.0%}."]
    return lines, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=HERE / "describe_set.toml",
                        help="the evaluation set (TOML, [[case]] tables)")
    parser.add_argument("--append", action="store_true",
                        help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    cases = tomllib.loads(args.set.read_text(encoding="utf-8"))["case"]
    started = time.perf_counter()
    lines, _ = run(cases)
    seconds = time.perf_counter() - started
    print(lines[-1])
    print(f"{len(cases)} descriptions in {seconds:.1f} s")
    if args.append:
        command = "python benchmarks/describe.py " + " ".join(sys.argv[1:])
        append_section("texgen describe on the evaluation set", (
            f"`{command.strip()}`: {len(cases)} descriptions of benchmarks/describe_set.toml "
            f"in {seconds:.1f} s, the 16 demo presets as candidates. Color error: CIEDE2000 "
            f"between the value given to the named parameter (its default when none was, "
            f"or when the preset was wrong) and the color meant."), lines)


if __name__ == "__main__":
    main()
