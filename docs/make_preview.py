"""Make the README's preview material: docs/preview/ (the static page of the marble preset
at 256²) and docs/preview.png (a screenshot of the live page).

    .venv/bin/python docs/make_preview.py

The screenshot is the live page (``texgen preview marble --size 256``) in headless
Chromium (Debian's ``chromium``, driven by Playwright, as the browser tests do) at
1900x1000 with the material on the sphere, reduced to 256 colors (Pillow, no dithering)
to keep the file small.
"""

from __future__ import annotations

import io
import shutil
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from texgen.io import atomic_write
from texgen.preview import export_static, serve

DOCS = Path(__file__).resolve().parent
PRESET, SIZE = "marble", 256
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    export_static([PRESET], DOCS / "preview", size=SIZE)
    with serve(PRESET, size=SIZE) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                                 args=ARGS)
            page = browser.new_page(viewport={"width": 1900, "height": 1000})
            page.goto(server.url)
            page.wait_for_function("[...document.images].length > 0 && "
                                   "[...document.images].every(i => i.complete)")
            page.locator("input[name=shape][value=sphere]").check()
            page.wait_for_timeout(500)  # the 3D view's textures
            shot = page.screenshot()
            browser.close()
        server.shutdown()
    image = Image.open(io.BytesIO(shot)).convert("RGB").quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    atomic_write(DOCS / "preview.png", lambda path: image.save(path, format="PNG",
                                                                optimize=True))


if __name__ == "__main__":
    main()
