"""Render docs/describe_sheet.jpg: per description, its preset at the defaults and as
described (`texgen describe`), the basecolor of each.

    .venv/bin/python docs/make_describe_sheet.py            # from the repository root
    .venv/bin/python docs/make_describe_sheet.py --size 128 -o /tmp/describe.png

Each row is labelled "{preset} / defaults" and "{preset} / {description}"; the values are
those ``texgen.describe`` gives, rendered at ``--size`` and the preset's seed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import texgen
from texgen.engine import Engine
from texgen.io import write_picture
from texgen.sheet import contact_sheet

DESCRIPTIONS = ["dark red bricks, wide mortar", "black cobbles, sandy joints",
                "red painted steel, not rusty", "dark walnut, 12 planks",
                "very worn tan leather", "pale blue overcast sky"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=192, help="render and thumbnail size")
    parser.add_argument("-o", "--output", type=Path,
                        default=Path(__file__).parent / "describe_sheet.jpg")
    args = parser.parse_args()
    engine, rows = Engine(), []
    for text in DESCRIPTIONS:
        result = texgen.describe(text, engine=engine)
        preset = result.preset_object
        default = engine.render(preset, size=args.size, outputs=["basecolor"])
        described = engine.render(preset, size=args.size, outputs=["basecolor"],
                                  overrides=result.overrides)
        rows.append((result.preset, {"defaults": default["basecolor"],
                                     text: described["basecolor"]}))
        print(f"{text}: {result.preset} {result.overrides}", file=sys.stderr, flush=True)
    write_picture(args.output, contact_sheet(rows, thumb=args.size))
    print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
