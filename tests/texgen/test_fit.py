"""texgen.fit: photo → preset parameters (CMA-ES over exposed parameters), fitted presets."""

import json
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest

from texgen import fit as fitting
from texgen import metrics
from texgen.cli import main
from texgen.engine import Engine
from texgen.errors import InputError
from texgen.io import read_image, write_png8

pytest.importorskip("cmaes")

SIZE = 48
TRUE_SCALE = 9.0


def tiny(*, tint=True):
    """A tiny preset: Perlin noise whose frequency is exposed, mapped to a color."""
    parameters = {"scale": {"type": "float", "default": 4.0, "min": 1.0, "max": 16.0,
                            "doc": "cycles per width"}}
    top = "#c08040"
    if tint:
        parameters["tint"] = {"type": "color", "default": "#808080"}
        top = "$tint"
    return {"texgen": 1, "name": "tiny", "size": SIZE, "seed": 1, "parameters": parameters,
            "nodes": {"n": {"type": "noise.perlin", "frequency": "$scale", "octaves": 3},
                      "c": {"type": "filters.gradient_map", "input": "n",
                            "gradient": [[0.0, "#000000"], [1.0, top]]}},
            "outputs": {"basecolor": "c", "height": {"node": "n", "format": "png16"}}}


@pytest.fixture(scope="module")
def engine():
    return Engine()


@pytest.fixture(scope="module")
def target(engine):
    """The tiny preset rendered at a known scale, at a seed the fit never uses."""
    return engine.render(tiny(tint=False), size=SIZE, seed=999,
                         overrides={"scale": TRUE_SCALE})["basecolor"]


@pytest.fixture
def preset_file(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny(tint=False)))
    return path


def test_recovers_a_known_frequency_in_a_few_dozen_evaluations(engine, target):
    result = fitting.fit(target, presets=[tiny(tint=False)], engine=engine, size=SIZE,
                         evaluations=24, seed=0, minutes=10)
    assert result.preset == "tiny"
    # Tileable noise rounds the frequency to whole periods: 9 +- 1 renders 8..10.
    assert abs(result.values["scale"] - TRUE_SCALE) <= 1.5, result.values
    assert result.loss < 0.5 * result.defaults_loss
    assert len(result.history) == 24
    assert min(h["loss"] for h in result.history) == pytest.approx(result.loss)


def test_recovers_a_known_int_on_its_grid(engine):
    """An int parameter (searched by CMA-ES with margin) is found exactly from a first pass
    of two samples."""
    preset = {"texgen": 1, "name": "lines", "size": SIZE, "seed": 1,
              "parameters": {"count": {"type": "int", "default": 3, "min": 2, "max": 12},
                             "duty": {"type": "float", "default": 0.5, "min": 0.2,
                                      "max": 0.8}},
              "nodes": {"s": {"type": "patterns.stripes", "count": "$count",
                              "width": "$duty"}},
              "outputs": {"mask": "s"}}
    truth = engine.render(preset, size=SIZE, overrides={"count": 7, "duty": 0.35})["mask"]
    result = fitting.fit(truth, presets=[preset], engine=engine, size=SIZE, evaluations=30,
                         samples=2, seed=0, minutes=10)
    assert result.values["count"] == 7, result.values
    assert abs(result.values["duty"] - 0.35) < 0.1, result.values
    assert result.loss < 0.5 * result.defaults_loss


def test_same_seed_same_values_other_seed_other_search(engine, target):
    runs = [fitting.fit(target, presets=[tiny()], engine=engine, size=SIZE, evaluations=10,
                        seed=seed) for seed in (3, 3, 4)]
    assert runs[0].values == runs[1].values
    assert [h["loss"] for h in runs[0].history] == [h["loss"] for h in runs[1].history]
    assert [h["loss"] for h in runs[0].history] != [h["loss"] for h in runs[2].history]
    color = runs[0].values["tint"]
    assert len(color) == 4 and all(0.0 <= v <= 1.0 for v in color)


def test_first_pass_ranks_candidates_and_shortlists(engine, target):
    flat = {"texgen": 1, "name": "flat", "size": SIZE,
            "parameters": {"level": {"type": "float", "default": 0.5, "min": 0, "max": 1}},
            "nodes": {"v": {"type": "filters.constant_value", "value": "$level"}},
            "outputs": {"level": "v"}}
    events = []
    result = fitting.fit(target, presets=[flat, tiny(tint=False)], engine=engine, size=SIZE,
                         evaluations=6, samples=3, shortlist=1, progress=events.append)
    assert result.preset == "tiny"
    assert set(result.candidates) == {"flat", "tiny"}
    assert result.candidates["tiny"] < result.candidates["flat"]
    assert {h["preset"] for h in result.history} == {"tiny"}, "only the shortlist searched"
    # Each candidate's defaults, then 3 samples of each, then the search.
    assert [e.stage for e in events] == ["first pass"] * (2 + 2 * 3) + ["search"] * 6
    first = [e for e in events if e.stage == "first pass"]
    assert [e.preset for e in first] == ["flat", "tiny"] * 4
    for name in ("flat", "tiny"):
        assert result.candidates[name] == min(e.loss for e in first if e.preset == name)
    assert result.defaults_loss == first[1].loss, "tiny's loss at its defaults"
    assert all(later.best <= earlier.best for earlier, later in zip(events, events[1:]))


def test_successive_halving_gives_the_leader_most_of_the_budget():
    calls = []

    class Search:
        def __init__(self, name, loss):
            self.name, self.best_loss = name, loss

        def run(self, budget, until):
            calls.append((self.name, budget))

    searches = [Search("a", 0.3), Search("b", 0.1), Search("c", 0.2)]
    fitting._successive_halving(searches, 30, time.perf_counter() + 60)
    # Three rounds: all three (two thirds of the budget at most: 6 each), then the better
    # two, then the best one.
    assert calls == [("a", 6), ("b", 6), ("c", 6), ("b", 3), ("c", 3), ("b", 6)]
    calls.clear()
    fitting._successive_halving(searches + [Search("d", 0.4)], 1200, time.perf_counter() + 60)
    # The first round gives each FIRST_ROUND_EVALUATIONS, the other two rounds half the rest.
    assert calls == [("a", 200), ("b", 200), ("c", 200), ("d", 200), ("b", 100), ("c", 100),
                     ("b", 200)]
    calls.clear()
    fitting._successive_halving(searches[:1], 7, time.perf_counter() + 60)
    assert calls == [("a", 7)]


def stripes(top_count=12):
    """Stripes whose count (an int) and width are exposed."""
    return {"texgen": 1, "name": "lines", "size": SIZE, "seed": 1,
            "parameters": {"count": {"type": "int", "default": 3, "min": 2,
                                     "max": top_count},
                           "duty": {"type": "float", "default": 0.5, "min": 0.2,
                                    "max": 0.8}},
            "nodes": {"s": {"type": "patterns.stripes", "count": "$count",
                            "width": "$duty"}},
            "outputs": {"mask": "s"}}


def test_an_int_between_the_sweeps_values_is_found_exactly(engine):
    """count 7 of 2..20 is not among the sweep's 17 spread values (..., 6, 8, ...): the
    next sweep's +- 1 of the best, or CMA-ES, has to step onto it."""
    truth = engine.render(stripes(20), size=SIZE,
                          overrides={"count": 7, "duty": 0.35})["mask"]
    result = fitting.fit(truth, presets=[stripes(20)], engine=engine, size=SIZE,
                         evaluations=80, samples=0, seed=0, minutes=10)
    assert result.values["count"] == 7, result.values


def drive(search, points, loss=lambda x: 1.0):
    """The first ``points`` points ``search.proposals`` yields, each sent ``loss(x)``; the
    search's best point follows the lowest loss, as ``_Search.run`` keeps it."""
    seen, x = [], next(search.proposals)
    for _ in range(points):
        seen.append(x)
        value = loss(x)
        if value < search.best_loss:
            search.best_loss, search.best_x = value, x.copy()
            search.best_values = search.decode(x)
        x = search.proposals.send(value)
    return seen


def two_color_search(engine, colors):
    preset = engine.load_preset({**stripes(), "parameters": {
        **stripes()["parameters"], "ink": {"type": "color", "default": "#808080"},
        "paper": {"type": "color", "default": "#808080"}}})
    return fitting._Search("lines", preset, seed=0, start={}, start_loss=2.0,
                           loss_of=None, history=[], colors=colors)


def test_sweep_tries_every_color_assignment_then_each_number(engine):
    colors = np.array([[0.9, 0.1, 0.1], [0.1, 0.9, 0.1], [0.1, 0.1, 0.9]])
    search = two_color_search(engine, colors)
    sweep = list(search.sweep())   # never sent a loss: the best point stays the start
    pairs = {tuple(np.round(search.decode(x)["ink"][:3], 2))
             + tuple(np.round(search.decode(x)["paper"][:3], 2)) for x in sweep[:9]}
    assert len(pairs) == 9, "all 3 x 3 assignments of the colors to ink and paper"
    # Then count (2..12: 11 values, every one but the start's 3), duty's 5 strata but the
    # start's 0.5, and 0.5 times 1/3, 1/2, 2 and 3, in the range 0.2..0.8: 0.2, 0.25, 0.8.
    assert [search.decode(x)["count"] for x in sweep[9:19]] == [2, *range(4, 13)]
    assert [search.decode(x)["duty"] for x in sweep[19:]] == pytest.approx(
        [0.2, 0.25, 0.26, 0.38, 0.62, 0.74, 0.8], abs=1e-5)
    assert len(sweep) == 26
    many = two_color_search(engine, np.random.default_rng(0).uniform(size=(7, 3)))
    assert len(list(many.sweep())) == 7 + 7 + 10 + 7, "49 > 36 assignments: one at a time"


def test_sweep_moves_the_best_point_as_it_goes(engine):
    """A point better than the start on the first color stays while the second is swept."""
    colors = np.array([[0.9, 0.1, 0.1], [0.1, 0.9, 0.1]])
    search = two_color_search(engine, colors)
    drive(search, 24, loss=lambda x: abs(search.decode(x)["count"] - 9) / 10
          + (0.0 if search.decode(x)["ink"][0] > 0.5 else 0.5))
    assert search.best_values["count"] == 9
    assert search.best_values["ink"][0] > 0.5


def test_cma_restarts_with_twice_the_population(engine, monkeypatch):
    populations = []
    real = fitting._cma_class()

    def recording(**options):
        optimizer = real(**options)
        populations.append(optimizer.population_size)
        return optimizer

    monkeypatch.setattr(fitting, "_cma_class", lambda: recording)
    monkeypatch.setattr(fitting, "STALL_GENERATIONS", 2)
    search = two_color_search(engine, np.array([[0.5, 0.5, 0.5]]))
    drive(search, 300)   # a flat loss: every CMA-ES run stalls after 3 generations
    assert len(populations) >= 3
    assert populations[1:] == [populations[0] * 2 ** k for k in range(1, len(populations))]


def test_dominant_colors_find_the_image_colors():
    rng = np.random.default_rng(0)
    red, teal, gray = [0.8, 0.1, 0.1], [0.1, 0.6, 0.6], [0.5, 0.5, 0.5]
    pixels = np.array([red] * 500 + [teal] * 300 + [gray] * 200)[rng.permutation(1000)]
    found = fitting.dominant_colors(pixels, 3)
    assert found.shape == (3, 3)
    assert sorted(map(tuple, np.round(found, 6))) == sorted(map(tuple, [red, teal, gray]))
    gray_found = fitting.dominant_colors(pixels[:, :1], 2)
    assert np.all(gray_found[:, 0] == gray_found[:, 1])
    np.testing.assert_array_equal(fitting.dominant_colors(pixels, 3), found)


def test_written_preset_loads_renders_and_reports(engine, target, preset_file, tmp_path):
    result = fitting.fit(target, presets=[preset_file], engine=engine, size=SIZE,
                         evaluations=8)
    out = tmp_path / "out" / "fitted.toml"
    out.parent.mkdir()
    report = fitting.write_fitted_preset(result, out)
    data = tomllib.loads(out.read_text())
    assert data["nodes"]["fitted"]["type"] == "preset"
    assert data["nodes"]["fitted"]["preset"] == "../tiny.json", "outside the preset folders"
    assert result.found_as is None
    assert data["parameters"]["scale"]["default"] == result.values["scale"]
    assert data["parameters"]["scale"]["max"] == 16.0
    assert data["outputs"]["height"] == {"node": "fitted.height", "format": "png16"}
    rendered = engine.render(out, size=SIZE, seed=5)
    direct = engine.render(preset_file, size=SIZE, seed=5, overrides=result.values)
    assert set(rendered) == {"basecolor", "height"}
    assert rendered["basecolor"].shape == (SIZE, SIZE, 3)
    # Same statistics as the chosen preset at the fitted values (the instance's node seed
    # differs, so not the same pixels).
    assert fitting._Loss(direct["basecolor"], 0)(rendered["basecolor"]) < 0.1
    body = json.loads(report.read_text())
    assert report.name == "fitted.fit.json"
    assert body["preset"] == "tiny" and body["loss"] == result.loss
    assert len(body["history"]) == 8 and body["samples"] == 16
    assert body["candidates"]["tiny"] <= body["defaults_loss"] == result.defaults_loss


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """An engine with a plugin-like preset folder holding tiny.json, and a fit that chose
    it by name."""
    folder = tmp_path_factory.mktemp("library")
    (folder / "tiny.json").write_text(json.dumps(tiny(tint=False)))
    engine = Engine()
    engine.preset_dirs.append(folder)
    target = engine.render(tiny(tint=False), size=SIZE, seed=999)["basecolor"]
    result = fitting.fit(target, presets=["tiny"], engine=engine, size=SIZE, evaluations=2)
    return engine, folder, result


def test_a_preset_found_by_name_is_instanced_by_name(library, tmp_path):
    engine, folder, result = library
    assert result.found_as == "tiny" and result.as_dict()["found_as"] == "tiny"
    out = tmp_path / "deep" / "er" / "fitted.toml"
    out.parent.mkdir(parents=True)
    fitting.write_fitted_preset(result, out)
    assert tomllib.loads(out.read_text())["nodes"]["fitted"]["preset"] == "tiny"
    assert engine.render(out, size=32, seed=1)["basecolor"].shape == (32, 32, 3)
    # Given as a file inside the preset folders, it is still found by that name.
    photo = np.full((SIZE, SIZE, 3), 0.5)
    by_path = fitting.fit(photo, presets=[folder / "tiny.json"],
                          engine=engine, size=SIZE, evaluations=0)
    assert by_path.found_as == "tiny"


@pytest.mark.parametrize("shadow", ["tiny.toml", None])
def test_a_name_shadowed_in_the_output_folder_falls_back_to_the_path(library, tmp_path,
                                                                     shadow):
    engine, folder, result = library
    if shadow:  # another preset of that name next to the fitted file would be found first
        (tmp_path / shadow).write_text(json.dumps(tiny()).replace('"tiny"', '"other"'))
        out = tmp_path / "fitted.toml"
    else:  # the fitted file itself is named like the chosen preset: it would instance itself
        out = tmp_path / "tiny.toml"
    fitting.write_fitted_preset(result, out)
    reference = tomllib.loads(out.read_text())["nodes"]["fitted"]["preset"]
    assert reference.endswith("tiny.json") and (tmp_path / reference).resolve() == \
        (folder / "tiny.json").resolve()
    assert engine.render(out, size=32, seed=1)["basecolor"].shape == (32, 32, 3)


def test_writing_over_the_chosen_preset_is_refused(library):
    engine, folder, result = library
    with pytest.raises(InputError, match="is the chosen preset 'tiny' itself"):
        fitting.write_fitted_preset(result, folder / "tiny.json")
    assert json.loads((folder / "tiny.json").read_text())["name"] == "tiny"


def test_a_preset_without_a_file_cannot_be_written(engine, target, tmp_path):
    result = fitting.fit(target, presets=[tiny()], engine=engine, size=SIZE, evaluations=2)
    with pytest.raises(InputError, match="has no file"):
        fitting.write_fitted_preset(result, tmp_path / "f.toml")


def test_load_photo_crops_the_centre_square_and_area_resizes():
    image = np.zeros((80, 160, 4))
    image[:, 40:120, 0] = 1.0  # the centre square is red, the sides black
    target = fitting.load_photo(image, size=40)
    assert target.shape == (40, 40, 3), "alpha dropped"
    np.testing.assert_allclose(target[:, :, 0], 1.0)
    gradient = np.linspace(0, 1, 64)[None, :].repeat(64, 0)
    assert fitting.load_photo(gradient, size=32).mean() == pytest.approx(0.5)


def test_load_photo_scale_sets_pixels_per_texture_width():
    photo = np.random.default_rng(0).uniform(size=(200, 200, 3))
    # Two texture widths across at 64 pixels each: 128 pixels.
    assert fitting.load_photo(photo, size=64, scale=2).shape == (128, 128, 3)
    # The photo holds only 200 / 4 = 50 pixels per width: it is not enlarged.
    assert fitting.load_photo(photo, size=64, scale=4).shape == (200, 200, 3)
    assert fitting.load_photo(photo, size=256).shape == (200, 200, 3)
    with pytest.raises(InputError, match="at scale 8 one texture width is 25 pixels"):
        fitting.load_photo(photo, size=64, scale=8)
    for bad in (0, -1.0, float("inf"), True):
        with pytest.raises(InputError, match="scale must be a number > 0"):
            fitting.load_photo(photo, size=64, scale=bad)


@pytest.fixture(scope="module")
def tiled_target(engine):
    """The tiny preset at scale 12 tiled 2 x 2: the photo shows two texture widths across,
    24 cycles a side, beyond the preset's range (max 16) at one width; 2 * SIZE pixels a
    width, so every auto scale leaves at least SIZE pixels per width."""
    render = engine.render(tiny(tint=False), size=2 * SIZE, seed=999,
                           overrides={"scale": 12.0})["basecolor"]
    return np.tile(render, (2, 2, 1))


def test_scale_2_fits_a_photo_of_two_texture_widths(engine, tiled_target):
    runs = {scale: fitting.fit(tiled_target, presets=[tiny(tint=False)], engine=engine,
                               size=SIZE, evaluations=24, seed=0, scale=scale,
                               minutes=10)  # the budget, not a loaded machine's clock
            for scale in (1, 2)}
    assert runs[2].scale == 2.0 and runs[1].scale == 1.0
    assert abs(runs[2].values["scale"] - 12.0) <= 1.5, runs[2].values
    assert runs[1].values["scale"] > 14.0, "at scale 1 the fit runs into the range's end"
    assert runs[2].loss < 0.7 * runs[1].loss
    # The sheet shows the same area three times: the photo, and the renders tiled 2 x 2.
    sheet = fitting.fit_sheet(runs[2], tiled_target, engine=engine)
    assert sheet.shape == (SIZE, 3 * SIZE + 8, 3)
    halved = tiled_target.reshape(SIZE, 4, SIZE, 4, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(sheet[:, :SIZE], halved, atol=1e-5)
    render = engine.render(tiny(tint=False), size=SIZE, seed=runs[2].render_seeds[0],
                           overrides=runs[2].values)["basecolor"]
    tiled = np.tile(render, (2, 2, 1)).reshape(SIZE, 2, SIZE, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(sheet[:, SIZE + 4:2 * SIZE + 4], tiled, atol=1e-5)


def test_auto_scale_keeps_the_scale_its_defaults_match_best(engine, tiled_target):
    result = fitting.fit(tiled_target, presets=[tiny(tint=False)], engine=engine, size=SIZE,
                         evaluations=24, seed=0, scale="auto", minutes=10)
    # Its default (4 cycles a width) is nearest 24 / 3 = 8 or 24 / 4 = 6 cycles a width, of
    # the 1, 2, 3, 4 widths across tried; the search then fits the frequency at that scale.
    assert result.scale in (3.0, 4.0) and result.candidate_scales == {"tiny": result.scale}
    assert abs(result.values["scale"] - 24 / result.scale) <= 1.5, result.values
    fixed = fitting.fit(tiled_target, presets=[tiny(tint=False)], engine=engine, size=SIZE,
                        evaluations=24, seed=0, scale=1, minutes=10)
    assert result.loss < 0.7 * fixed.loss


def test_first_pass_samples_span_ranges_and_take_photo_colors(engine):
    preset = engine.load_preset({**tiny(), "parameters": {
        **tiny()["parameters"],
        "count": {"type": "int", "default": 2, "min": 0, "max": 9},
        "tint": {"type": "color", "default": [0.5, 0.5, 0.5, 0.25]}}})
    pixels = np.array([[0.1, 0.2, 0.3], [0.9, 0.8, 0.7]])
    samples = fitting.first_pass_samples(preset, 10, pixels, np.random.default_rng(0))
    assert len(samples) == 10 and all(set(s) == {"scale", "count", "tint"} for s in samples)
    # A Latin hypercube: each tenth of each range holds exactly one sample.
    strata = sorted(int((s["scale"] - 1.0) / 15.0 * 10) for s in samples)
    assert strata == list(range(10))
    assert all(isinstance(s["count"], int) and 0 <= s["count"] <= 9 for s in samples)
    assert len({s["count"] for s in samples}) >= 6, "the int range is spanned too"
    assert {s["tint"] for s in samples} <= {(0.1, 0.2, 0.3, 0.25), (0.9, 0.8, 0.7, 0.25)}
    gray = fitting.first_pass_samples(preset, 3, np.array([[0.4]]), np.random.default_rng(0))
    assert all(s["tint"] == (0.4, 0.4, 0.4, 0.25) for s in gray)
    again = fitting.first_pass_samples(preset, 10, pixels, np.random.default_rng(0))
    assert again == samples
    flat = engine.load_preset({**tiny(), "parameters": {}, "nodes": {
        "n": {"type": "noise.perlin", "frequency": 4.0}}, "outputs": {"height": "n"}})
    assert fitting.first_pass_samples(flat, 5, pixels, np.random.default_rng(0)) == []


def test_first_pass_samples_reach_a_color_the_defaults_miss(engine):
    """A dark red target: at its defaults (gray tint) the tinted preset is far; a sample
    taking the photo's color is near, and the search starts from it."""
    red = engine.render(tiny(), size=SIZE, seed=999,
                        overrides={"tint": (0.6, 0.05, 0.05, 1.0)})["basecolor"]
    plain = fitting.fit(red, presets=[tiny()], engine=engine, size=SIZE, evaluations=0,
                        samples=0)
    sampled = fitting.fit(red, presets=[tiny()], engine=engine, size=SIZE, evaluations=0,
                          samples=12)
    assert plain.candidates["tiny"] == plain.defaults_loss == sampled.defaults_loss
    assert sampled.candidates["tiny"] < 0.5 * plain.candidates["tiny"]
    assert sampled.loss == sampled.candidates["tiny"]
    assert sampled.values["tint"][0] > 2 * sampled.values["tint"][1]


def test_lab_round_trip():
    for rgb in ([0.2, 0.5, 0.8], [1, 1, 1], [0, 0, 0], [0.75, 0.45, 0.25]):
        np.testing.assert_allclose(fitting.unit_lab_to_rgb(fitting.rgb_to_unit_lab(rgb)),
                                   rgb, atol=1e-6)
        assert fitting._gamut_excess(fitting.rgb_to_unit_lab(rgb)) < 1e-6


def test_gamut_excess_grows_outside_srgb():
    # L 60, b* from the gamut's yellow edge outwards: the blue channel goes negative.
    excess = [fitting._gamut_excess([0.6, 0.5, b]) for b in (0.5, 0.8, 0.9, 1.0)]
    assert excess[0] == 0.0 and 0 < excess[1] < excess[2] < excess[3], excess


@pytest.mark.parametrize("make, message", [
    (lambda folder: folder / "missing.png", "cannot read image"),
    (lambda folder: (folder / "bad.png").write_bytes(b"not a png") and folder / "bad.png",
     "not a readable image"),
    (lambda folder: write_png8(folder / "small.png", np.full((8, 8, 3), 0.5, np.float32))
     or folder / "small.png", "too small"),
])
def test_bad_photos_are_one_clear_error(engine, tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(InputError, match=message) as info:
        fitting.fit(path, presets=[tiny()], engine=engine, size=SIZE)
    assert str(path) in str(info.value)


def test_default_candidates_that_fail_to_load_or_read_files_are_skipped(target, tmp_path,
                                                                        monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./presets: only the folder below is searched
    folder = tmp_path / "library"
    folder.mkdir()
    (folder / "tiny.json").write_text(json.dumps(tiny(tint=False)))
    (folder / "broken.toml").write_text('texgen = 1\nname = "broken"\nbogus = 3\n')
    reader = tiny(tint=False)
    reader["name"] = "reader"
    reader["parameters"]["photo"] = {"type": "path", "default": "photo.png"}
    (folder / "reader.json").write_text(json.dumps(reader))
    engine = Engine()
    engine.preset_dirs[:] = [folder]
    result = fitting.fit(target, engine=engine, size=SIZE, evaluations=0)
    assert result.preset == "tiny"
    assert result.candidates["broken"] is None and "bogus" in result.skipped["broken"]
    assert result.candidates["reader"] is None
    assert "reads a file (parameter 'photo')" in result.skipped["reader"]
    with pytest.raises(InputError, match="bogus"):  # named: an error
        fitting.fit(target, presets=[folder / "broken.toml"], engine=engine, size=SIZE)


def test_unknown_preset_is_an_error(engine, target):
    with pytest.raises(InputError, match="no_such_preset"):
        fitting.fit(target, presets=["no_such_preset"], engine=engine, size=SIZE)


def test_missing_cmaes_is_a_clear_error_before_rendering(engine, target, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cmaes", None)
    with pytest.raises(InputError, match=r"pip install 'texgen\[fit\]'"):
        fitting.fit(target, presets=["no_such_preset"], engine=engine, size=SIZE)


# --- texgen fit --------------------------------------------------------------------------

def test_cli_fit_writes_a_preset_that_renders(target, preset_file, tmp_path, capsys):
    photo = tmp_path / "photo.png"
    write_png8(photo, target)
    out = tmp_path / "fitted.toml"
    code = main(["fit", str(photo), "-o", str(out), "--preset", str(preset_file), "--size",
                 "48", "--evaluations", "6", "--seed", "2", "--sheet", str(tmp_path / "s.png")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "fit: search [6/6] tiny" in err and "best" in err
    assert f"wrote {out}" in err
    report = json.loads((tmp_path / "fitted.fit.json").read_text())
    assert report["seed"] == 2 and len(report["history"]) == 6
    assert report["scale"] == 1.0 and report["candidate_scales"] == {"tiny": 1.0}
    assert "# Fit scale 1: the photo's square crop showed 1 texture widths" in out.read_text()
    assert main(["render", str(out), "-o", str(tmp_path / "r"), "--size", "32", "-q"]) == 0
    assert (tmp_path / "r" / "fitted_basecolor.png").is_file()
    sheet = read_image(tmp_path / "s.png")
    assert sheet.shape == (48, 3 * 48 + 8, 3)
    np.testing.assert_allclose(sheet[:, :48], target, atol=1 / 255 + 1e-6)


@pytest.mark.parametrize("photo, preset, message", [
    ("missing.png", None, "cannot read image"),
    ("small.png", None, "too small"),
    ("photo.png", "no_such_preset", "no preset file or preset named 'no_such_preset'"),
])
def test_cli_fit_bad_input_exits_2(target, preset_file, tmp_path, capsys, photo, preset,
                                   message):
    write_png8(tmp_path / "photo.png", target)
    write_png8(tmp_path / "small.png", np.zeros((8, 8, 3), np.float32))
    code = main(["fit", str(tmp_path / photo), "-o", str(tmp_path / "f.toml"), "--preset",
                 preset or str(preset_file), "--size", "48", "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("texgen: error:") == 1, err
    assert not (tmp_path / "f.toml").exists()


@pytest.mark.parametrize("blocked, message", [
    ("f.toml", "f.toml: is a folder, not a file"),
    ("f.fit.json", "f.fit.json: is a folder, not a file"),
    ("s.png", "s.png' is a directory"),  # click's check of --sheet
])
def test_cli_fit_unwritable_outputs_exit_2_before_fitting(target, preset_file, tmp_path,
                                                          capsys, monkeypatch, blocked,
                                                          message):
    write_png8(tmp_path / "photo.png", target)
    for name in ("f.toml", "f.fit.json", "s.png"):
        (tmp_path / name).write_text("old")
    (tmp_path / blocked).unlink()
    (tmp_path / blocked).mkdir()
    monkeypatch.setattr("texgen.cli.fit", lambda *a, **k: pytest.fail("fitted"))
    code = main(["fit", str(tmp_path / "photo.png"), "-o", str(tmp_path / "f.toml"),
                 "--preset", str(preset_file), "--sheet", str(tmp_path / "s.png"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "internal error" not in err, err
    assert all((tmp_path / name).read_text() == "old"
               for name in ("f.toml", "f.fit.json", "s.png") if name != blocked)


def test_write_fitted_preset_writes_both_files_or_neither(target, preset_file, tmp_path,
                                                          engine, monkeypatch):
    result = fitting.fit(target, presets=[str(preset_file)], engine=engine, size=48,
                         evaluations=2, samples=0)
    (tmp_path / "f.toml").write_text("old")
    real = Path.write_text

    def failing(self, *args, **kwargs):
        if ".fit.json." in self.name:  # the report's staged file
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", failing)
    with pytest.raises(OSError, match="No space left"):
        fitting.write_fitted_preset(result, tmp_path / "f.toml")
    monkeypatch.undo()
    assert (tmp_path / "f.toml").read_text() == "old"
    assert not any(p.name.startswith(".") or p.name.endswith(".fit.json")
                   for p in tmp_path.iterdir())


@pytest.mark.parametrize("value", ["0", "-2", "big", "nan"])
def test_cli_fit_bad_scale_exits_2(target, preset_file, tmp_path, capsys, value):
    write_png8(tmp_path / "photo.png", target)
    code = main(["fit", str(tmp_path / "photo.png"), "-o", str(tmp_path / "f.toml"),
                 "--preset", str(preset_file), "--scale", value, "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"expected a number > 0 or 'auto', got '{value}'" in err and "--scale" in err, err
    assert not (tmp_path / "f.toml").exists()


def test_cli_fit_scale_auto_reports_each_candidates_scale(tiled_target, preset_file,
                                                         tmp_path, capsys):
    photo = tmp_path / "photo.png"
    write_png8(photo, tiled_target)
    out = tmp_path / "fitted.toml"
    code = main(["fit", str(photo), "-o", str(out), "--preset", str(preset_file), "--size",
                 "48", "--evaluations", "2", "--scale", "auto"])
    err = capsys.readouterr().err
    assert code == 0, err
    report = json.loads((tmp_path / "fitted.fit.json").read_text())
    assert report["scale"] in (3.0, 4.0)
    assert f"at scale {report['scale']:g}" in err
    assert f"showing {report['scale']:g} texture widths across" in \
        tomllib.loads(out.read_text())["description"]


def test_the_loss_keeps_the_target_side_and_equals_its_terms():
    """The loss object made once per target gives, render after render and for renders of
    either channel count, the weighted sum of the three metrics of the matched pair."""
    rng = np.random.default_rng(4)
    target = rng.random((64, 64, 3))
    loss = fitting._Loss(target, 7)
    for render in (rng.random((64, 64, 3)), rng.random((64, 64, 1)), rng.random((64, 64, 3)),
                   np.full((64, 64, 1), 0.5)):
        a, b, _ = metrics.match_channels(render, target)
        a = np.clip(a, 0.0, 1.0)
        expected = (fitting.LOSS_WEIGHTS["patch_swd"] * metrics.patch_swd(a, b, seed=7,
                                                                           patches=2048)
                    + fitting.LOSS_WEIGHTS["spectrum"] * metrics.spectrum_distance(a, b)
                    + fitting.LOSS_WEIGHTS["histogram"] * metrics.histogram_distance(a, b))
        assert loss(render) == expected
