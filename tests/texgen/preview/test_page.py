"""The preview page in headless Chromium (Debian's ``chromium`` package, driven by
Playwright): it loads without console errors, draws a box per node and an image per output,
re-renders when a slider moves, draws the material with WebGL, and shows an invalid edit's
error. Marked ``browser``; one browser for the module, 64² renders.

Without Chromium (or Playwright) these tests fail, saying how to install it: a browser
test that skips would hide a broken page.
"""

import json
import shutil
import urllib.request

import numpy as np
import pytest

from texgen.io import decode_png
from texgen.preview import export_static
from texgen.preview.session import PreviewSession

from .conftest import preview_preset, rewrite, serving

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
WAIT_MS = 15000


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need Playwright's Python package: "
                    "pip install -e '.[test]' (or pip install playwright)", pytrace=False)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("the browser tests need headless Chromium: apt-get install -y chromium "
                    "(Debian's package; .ci/run installs it; do not run 'playwright "
                    "install')", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A new page; ``page.problems`` collects console errors and uncaught exceptions."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda message: message.type == "error"
            and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


@pytest.fixture
def server(engine, folder):
    with serving(PreviewSession(folder / "demo.json", engine=engine, size=64,
                                thumb=32)) as server:
        yield server


def state_of(server):
    with urllib.request.urlopen(server.url + "api/state", timeout=10) as response:
        return json.load(response)


def canvas_pixels(page):
    return decode_png(page.locator("#viewer").screenshot())


def wait_for_drawing(page):
    """The canvas's pixels once the material shows (textures load asynchronously)."""
    for _ in range(50):
        pixels = canvas_pixels(page)
        if pixels.std() > 0.05:
            return pixels
        page.wait_for_timeout(100)
    return pixels


def test_the_page_shows_a_box_per_node_and_an_image_per_output(page, server):
    page.goto(server.url)
    page.wait_for_selector(".node img[src]")
    state = state_of(server)
    node_ids = page.locator(".node").evaluate_all("boxes => boxes.map(b => b.dataset.id)")
    assert sorted(node_ids) == sorted(node["id"] for node in state["graph"]["nodes"])
    page.wait_for_function("document.querySelectorAll('#outputs img[src]').length === 4")
    assert page.locator("#outputs img").count() == len(state["graph"]["outputs"]) == 4
    assert page.locator("#outputs figcaption").all_inner_texts() == \
        ["basecolor", "height", "photo", "part"]
    assert page.locator("svg#edges path.edge").count() == len(state["graph"]["edges"])
    assert page.locator("#params input[type=range][name=gain]").count() == 1
    assert page.locator("#error").is_hidden()
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth)")
    assert page.problems == []


def test_moving_a_slider_re_renders_and_changes_the_output_image(page, server):
    page.goto(server.url)
    output = page.locator('#outputs [data-output="basecolor"] img')
    output.and_(page.locator("[src]")).wait_for()
    before = output.get_attribute("src")
    shown = decode_png(urllib.request.urlopen(server.url + before.lstrip("/")).read())
    page.locator("#params input[name=gain]").fill("1.75")
    page.wait_for_function(
        "src => document.querySelector('#outputs [data-output=basecolor] img').src"
        ".endsWith(src) === false", arg=before)
    after = output.get_attribute("src")
    assert not np.array_equal(
        shown, decode_png(urllib.request.urlopen(server.url + after.lstrip("/")).read()))
    assert page.locator('#outputs [data-output="height"] img').get_attribute("src") \
        .endswith("v=1"), "an output upstream of nothing that changed keeps its image"
    assert sorted(server.session.stats.computed) == ["photo_mix", "scaled", "tinted"]
    page.locator("#reset").click()
    page.wait_for_function("document.querySelector('#params input[name=gain]').value == 0.5")
    page.wait_for_function(
        "src => document.querySelector('#outputs [data-output=basecolor] img').src"
        ".endsWith(src) === false", arg=after)
    assert server.session.overrides == {} and server.session.stats.computed == []
    reset = output.get_attribute("src")
    assert np.array_equal(
        shown, decode_png(urllib.request.urlopen(server.url + reset.lstrip("/")).read()))
    assert page.problems == []


def test_the_webgl_view_draws_the_material_and_the_light_moves(page, server):
    page.goto(server.url)
    plane = wait_for_drawing(page)
    assert plane.std() > 0.05, "the canvas is blank"
    box = page.locator("#viewer").bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 250, box["y"] + 180, steps=5)
    page.mouse.up()
    page.wait_for_timeout(100)
    assert np.abs(canvas_pixels(page) - plane).mean() > 0.01, "dragging moved the light"
    page.locator("input[name=shape][value=sphere]").check()
    page.wait_for_timeout(100)
    sphere = canvas_pixels(page)
    assert sphere.std() > 0.05 and np.abs(sphere - plane).mean() > 0.01
    assert page.problems == []


def test_the_tiling_toggle_repeats_the_outputs(page, server):
    page.goto(server.url)
    page.locator("#outputs img[src]").first.wait_for()
    page.locator("#tile").check()
    tile = page.locator('#outputs [data-output="basecolor"] .tile')
    assert "url(" in tile.evaluate("t => getComputedStyle(t).backgroundImage")
    assert tile.evaluate("t => getComputedStyle(t).backgroundSize") == "50% 50%"
    image = page.locator('#outputs [data-output="basecolor"] img')
    assert image.evaluate("i => getComputedStyle(i).visibility") == "hidden"
    shot = decode_png(tile.screenshot())[:256, :256]  # 256 CSS px (style.css)
    assert np.abs(shot[:, :128] - shot[:, 128:]).mean() < 0.02, "two copies side by side"
    assert np.abs(shot[:128] - shot[128:]).mean() < 0.02, "and above each other"
    page.locator("#tile").uncheck()
    assert image.evaluate("i => getComputedStyle(i).visibility") == "visible"
    assert tile.evaluate("t => getComputedStyle(t).backgroundImage") == "none"


def test_an_invalid_edit_shows_the_located_error_and_keeps_the_images(page, server, folder):
    page.goto(server.url)
    page.locator("#outputs img[src]").first.wait_for()
    sources = page.locator("#outputs img").evaluate_all("images => images.map(i => i.src)")
    broken = preview_preset()
    broken["nodes"]["tinted"]["mode"] = "sreen"
    rewrite(folder / "demo.json", json.dumps(broken))
    page.locator("#error").wait_for(state="visible")
    text = page.locator("#error").inner_text()
    assert f"{folder / 'demo.json'}: node 'tinted', key 'mode'" in text and "screen" in text
    assert page.locator('.node[data-id="tinted"]').evaluate(
        "box => box.classList.contains('has-error')")
    assert page.locator("#outputs img").evaluate_all("images => images.map(i => i.src)") == \
        sources
    rewrite(folder / "demo.json", json.dumps(preview_preset()))
    page.locator("#error").wait_for(state="hidden")
    assert page.problems == []


def test_the_static_export_works_from_disk(page, engine, folder, tmp_path):
    (index,) = export_static([folder / "demo.json"], tmp_path / "site", engine=engine, size=64,
                             thumb=32)
    page.goto(index.as_uri())
    page.wait_for_selector(".node img[src]")
    assert page.locator(".node").count() == 10
    assert page.locator("#outputs img").count() == 4
    assert page.locator("#params input").count() == 0, "a static page has no controls"
    assert "gain" in page.locator("#params").inner_text()
    assert wait_for_drawing(page).std() > 0.05
    assert page.problems == []


def test_a_subgraph_instance_collapses_into_one_box_and_expands_again(page, server):
    page.goto(server.url)
    page.wait_for_selector(".node img[src]")
    assert page.locator('.node[data-id^="part/"]').count() == 2
    edges = page.locator("svg#edges path.edge").count()
    page.locator(".group .collapse").click()
    assert page.locator('.node[data-id^="part/"]').count() == 0
    assert page.locator('.group-box[data-group="part"]').count() == 1
    # part/wave -> part/boost is inside the box; part/boost -> part_mix now leaves the box
    assert page.locator("svg#edges path.edge").count() == edges - 1
    page.locator('.group-box[data-group="part"] .expand').click()
    assert page.locator('.node[data-id^="part/"]').count() == 2
    assert page.locator("svg#edges path.edge").count() == edges
    assert page.problems == []


def test_a_preset_broken_from_the_start_shows_its_error_until_fixed(page, engine, folder):
    rewrite(folder / "demo.json", "{ not json")
    with serving(PreviewSession(folder / "demo.json", engine=engine, size=64)) as server:
        page.goto(server.url)
        page.locator("#error").wait_for(state="visible")
        assert "not valid JSON" in page.locator("#error").inner_text()
        assert page.locator(".node").count() == 0
        rewrite(folder / "demo.json", json.dumps(preview_preset()))
        page.locator("#error").wait_for(state="hidden")
        page.wait_for_selector(".node img[src]")
        assert page.locator(".node").count() == 10
    assert page.problems == []


def test_the_seed_field_re_renders_everything_and_reset_restores_the_files(page, server):
    page.goto(server.url)
    page.wait_for_selector(".node img[src]")
    seed = page.locator('#params input[name="@seed"]')
    assert seed.input_value() == "5"
    seed.fill("9")
    seed.dispatch_event("change")
    page.wait_for_function("document.getElementById('status').textContent.includes('seed 9')")
    assert "10 computed, 0 cached" in page.locator("#status").inner_text()
    page.locator("#reset").click()
    page.wait_for_function("document.getElementById('status').textContent.includes('seed 5')")
    assert seed.input_value() == "5" and server.session.seed is None
    assert page.problems == []
