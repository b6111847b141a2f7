"""Issue #26's live-reload figure for ``texgen preview``: how long from saving the preset
(or moving a slider) until the page shows the new images, on the marble preset.

    python benchmarks/preview.py [--size 512] [--append]

A copy of ``presets/marble.toml`` is served at ``--size``² (``texgen.preview.serve``, one
engine) and opened in headless Chromium (Debian's ``chromium``, driven by Playwright, as
the browser tests do). Each edit rewrites the copy; the time runs from the write until the
page shows an output image of the new render and every image on it has loaded (the
server's 0.25 s file poll included). Each slider move sets ``vein_scale`` with the page's
own control. The table gives the nodes the render computed and took from the cache.
Target (the issue): about a second at 512². ``--append`` adds the table to
benchmarks/RESULTS.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from machine import describe
from results import append_section

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: (what, old text, new text) in marble.toml: a blur radius (8 nodes downstream), the
#: normal map's strength (1 node), the stone's cloud frequency (3 nodes).
EDITS = [("veins blur radius", "radius = 0.0012", "radius = 0.002"),
         ("normal strength", "strength = 0.3", "strength = 0.5"),
         ("clouds frequency", "frequency = 2.0\noctaves = 6", "frequency = 3.0\noctaves = 6")]
SLIDER = ("vein_scale", ["8", "2"])
SETTLED = "[...document.images].every(i => i.complete && i.naturalWidth)"
NEW_OUTPUT = ("shown => Object.entries(shown).some(([name, src]) => document.querySelector("
              "`#outputs [data-output=${name}] img`).getAttribute('src') !== src) && "
              + SETTLED)


def parser() -> argparse.ArgumentParser:
    """The command line (imported by tests/benchmarks to check the commands in RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="render size in pixels")
    parser.add_argument("--append", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    return parser


def measure(size: int) -> list[str]:
    """The table rows: one per edit and per slider move."""
    from playwright.sync_api import sync_playwright

    from texgen.preview import serve

    folder = Path(tempfile.mkdtemp())
    preset = folder / "marble.toml"
    shutil.copy(ROOT / "presets" / "marble.toml", preset)
    rows = []
    with serve(preset, size=size) as server, sync_playwright() as playwright:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        stats = server.session.stats
        rows.append(f"| first render | {stats.seconds:.2f} | | {len(stats.computed)} | 0 |")
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                             args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server.url)
        page.wait_for_function(f"document.images.length > 10 && {SETTLED}")

        def timed(change) -> float:
            shown = page.locator("#outputs figure").evaluate_all(
                "figures => Object.fromEntries(figures.map(f => "
                "[f.dataset.output, f.querySelector('img').getAttribute('src')]))")
            started = time.perf_counter()
            change()
            page.wait_for_function(NEW_OUTPUT, arg=shown, polling=10)
            return time.perf_counter() - started

        text = preset.read_text()
        for what, old, new in EDITS:
            text = text.replace(old, new)
            seconds = timed(lambda text=text: preset.write_text(text))
            stats = server.session.stats
            rows.append(f"| save: {what} | {seconds:.2f} | {stats.seconds:.2f} | "
                        f"{len(stats.computed)} | {len(stats.cached)} |")
        name, values = SLIDER
        for value in values:
            seconds = timed(lambda value=value: page.locator(
                f"#params input[name={name}]").fill(value))
            stats = server.session.stats
            rows.append(f"| slider: {name} = {value} | {seconds:.2f} | {stats.seconds:.2f} | "
                        f"{len(stats.computed)} | {len(stats.cached)} |")
        browser.close()
        server.shutdown()
    shutil.rmtree(folder)
    return ["| change | to the page (s) | render (s) | computed | cached |",
            "|---|---:|---:|---:|---:|", *rows]


def main(argv: list[str] | None = None) -> None:
    options = parser().parse_args(argv)
    lines = measure(options.size)
    print("\n".join(lines))
    if options.append:
        command = shlex.join(["python", "benchmarks/preview.py", *sys.argv[1:]])
        append_section("texgen preview: live reload",
                       f"`{command}` on {describe()}. marble.toml at {options.size}², served "
                       f"and opened in headless Chromium; seconds from the change until the "
                       f"page shows the new output images, all loaded.", lines)


if __name__ == "__main__":
    main()
