"""cyclegan: the translation model, its files, node, training, sets and the shipped model."""

import json
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from texgen.cli import main  # noqa: E402
from texgen.errors import InputError  # noqa: E402
from texgen.io import encode_png  # noqa: E402
from texgen.nodes import NodeContext, ParamValueError  # noqa: E402
from texgen.testing import check_node  # noqa: E402
from texgen_neural.checkpoint import CheckpointError, save_model  # noqa: E402
from texgen_neural.cyclegan.config import FORMAT, CycleConfig, TrainOptions  # noqa: E402
from texgen_neural.cyclegan.data import load_set, parse_item  # noqa: E402
from texgen_neural.cyclegan.metrics import edge_correlation  # noqa: E402
from texgen_neural.cyclegan.model import (  # noqa: E402
    CycleGAN,
    load_cyclegan,
    translate,
    translate_image,
)
from texgen_neural.cyclegan.train import train  # noqa: E402
from texgen_neural.nodes import translate as translate_node  # noqa: E402

TINY = CycleConfig(channels=4, downsamplings=2, blocks=1, d_channels=(4, 8))
OPTIONS = TrainOptions(steps=2, crop=16, batch=2, sample_every=0, checkpoint_every=0)
SHIPPED = "pkg:texgen_neural/models/rust"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny networks run fastest on one thread (and a shared machine stays responsive)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_cyclegan(seed=0):
    torch.manual_seed(seed)
    return CycleGAN(TINY).eval().requires_grad_(False)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cyclegan")
    save_model(tiny_cyclegan(), TINY, folder, format=FORMAT)
    return folder


def tiling_image(height=32, width=32, seed=0, tint=(1.0, 0.8, 0.6)):
    """A color texture that tiles: wrapped band-limited noise, tinted."""
    rng = np.random.default_rng(seed)
    noise = np.fft.ifft2(np.fft.fft2(rng.random((height, width)))
                         * (np.abs(np.fft.fftfreq(height))[:, None] < 0.25)).real
    gray = 0.5 + 0.8 * (noise - noise.mean())
    return np.clip(gray[..., None] * np.array(tint), 0, 1).astype(np.float32)


def as_batch(image):
    return torch.from_numpy(image).permute(2, 0, 1)[None] * 2 - 1


def run_node(image, model, direction="a_to_b"):
    ctx = NodeContext(node_id="rust", width=image.shape[1], height=image.shape[0], seed=0)
    return translate_node(ctx, input=image, model=model, direction=direction)


# --- the model -----------------------------------------------------------------------------------

def test_rolling_the_input_by_the_stride_rolls_the_output():
    model = tiny_cyclegan()
    x = as_batch(tiling_image(32, 48))
    out = model(x, "a_to_b")
    shifted = model(x.roll((8, -12), dims=(2, 3)), "a_to_b")
    torch.testing.assert_close(shifted, out.roll((8, -12), dims=(2, 3)), atol=1e-5, rtol=0)


def test_wrap_around_is_like_the_interior():
    """Translating a 2 x 2 tiling of an image gives the 2 x 2 tiling of its translation:
    across the border, each pixel sees the same neighbours as inside."""
    model = tiny_cyclegan()
    x = as_batch(tiling_image(32, 32))
    tiled = model(x.repeat(1, 1, 2, 2), "b_to_a")
    torch.testing.assert_close(tiled, model(x, "b_to_a").repeat(1, 1, 2, 2), atol=1e-5, rtol=0)


def test_directions_are_two_networks():
    model = tiny_cyclegan()
    x = as_batch(tiling_image())
    assert not torch.equal(model(x, "a_to_b"), model(x, "b_to_a"))
    with pytest.raises(ValueError, match="sideways.*a_to_b, b_to_a"):
        model(x, "sideways")


def test_any_size_is_translated_at_that_size():
    model = tiny_cyclegan()
    out = translate(model, as_batch(tiling_image(37, 50)), "a_to_b")
    assert out.shape == (1, 3, 37, 50) and torch.isfinite(out).all()
    assert out.abs().max() <= 1.0


def test_model_file_round_trips_with_identical_outputs(tiny_model):
    loaded = load_cyclegan(tiny_model)
    assert loaded.config == TINY
    x = as_batch(tiling_image())
    for direction in ("a_to_b", "b_to_a"):
        assert torch.equal(loaded(x, direction), tiny_cyclegan()(x, direction))
    record = json.loads((tiny_model / "model.json").read_text())
    assert record["format"] == "texgen.cyclegan" and record["config"]["blocks"] == 1


def test_pickle_files_are_refused_naming_the_file(tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(tiny_cyclegan().state_dict(), folder / "model.pt")
    with pytest.raises(CheckpointError, match=r"pickled.*model\.pt.*pickle"):
        load_cyclegan(folder)
    (folder / "generator.safetensors").write_bytes(pickle.dumps({"w": [1, 2]}))
    with pytest.raises(CheckpointError, match=r"generator\.safetensors.*pickle"):
        load_cyclegan(folder)
    with pytest.raises(ParamValueError, match=r"rust.*model.*generator\.safetensors.*pickle"):
        run_node(tiling_image(16, 16), folder)


def test_a_stylegan_file_is_not_taken_for_a_cyclegan(tmp_path):
    from texgen_neural.checkpoint import save_generator
    from texgen_neural.model import Generator, ModelConfig

    save_generator(Generator(ModelConfig(channels=(8, 8), d_channels=(8,))), tmp_path)
    with pytest.raises(CheckpointError, match="texgen.stylegan.*expected 'texgen.cyclegan'"):
        load_cyclegan(tmp_path)


# --- the node ------------------------------------------------------------------------------------

def test_node_conformance_any_size_and_tiling(tiny_model, texgen_engine):
    check_node(texgen_engine.registry.get("neural.translate"), params={"model": tiny_model},
               sizes=((64, 64), (37, 50)))


def test_node_output_is_the_models_translation(tiny_model):
    image = tiling_image(32, 32)
    out = run_node(image, tiny_model, "b_to_a")
    expected = tiny_cyclegan()(as_batch(image), "b_to_a")[0].permute(1, 2, 0) * 0.5 + 0.5
    np.testing.assert_allclose(out, expected.numpy(), atol=1e-6)
    with pytest.raises(ParamValueError, match="rust.*model.*no model given"):
        run_node(image, None)


def test_resolution_keeps_the_translation_the_same_at_every_render_size():
    """With resolution N the model sees the texture at N pixels across at any render size:
    a 2x larger render (nearest-neighbour upscaled input) gives the same result, 2x."""
    model = tiny_cyclegan()
    image = tiling_image(32, 32)
    large = image.repeat(2, axis=0).repeat(2, axis=1)

    def halved(x):
        return x.reshape(32, 2, 32, 2, 3).mean(axis=(1, 3))

    for resolution, tolerance in ((16, 0.02), (0, None)):
        small_out = translate_image(model, image, direction="a_to_b", resolution=resolution)
        large_out = translate_image(model, large, direction="a_to_b", resolution=resolution)
        assert large_out.shape == (64, 64, 3)
        error = np.abs(halved(large_out.numpy()) - small_out.numpy()).mean()
        if tolerance:
            assert error < tolerance
        else:  # per pixel the model sees other features, so the result differs
            assert error > 0.02


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_node_on_cuda_matches_cpu(tiny_model):
    from numba import cuda

    image = tiling_image(40, 56)
    ctx = NodeContext(node_id="rust", width=56, height=40, seed=0, backend="cuda")
    out = translate_node(ctx, input=cuda.to_device(image), model=tiny_model, direction="a_to_b")
    np.testing.assert_allclose(out.copy_to_host(), run_node(image, tiny_model), atol=1e-4)


# --- training ------------------------------------------------------------------------------------

def two_sets():
    return ([tiling_image(32, 32, seed) for seed in (0, 1)],
            [tiling_image(32, 32, seed, tint=(0.5, 0.3, 0.9)) for seed in (2, 3)])


def test_training_is_deterministic_by_seed_and_moves_the_weights(tmp_path):
    a, b = two_sets()
    first = train(a, b, tmp_path / "a", config=TINY, options=OPTIONS, report_pairs=1)
    again = train(a, b, tmp_path / "b", config=TINY, options=OPTIONS, report_pairs=0)
    other = train(a, b, tmp_path / "c", config=TINY, report_pairs=0,
                  options=TrainOptions(**{**OPTIONS.__dict__, "seed": 1}))
    trained, same, different = (load_cyclegan(tmp_path / k).state_dict() for k in "abc")
    assert all(torch.equal(trained[k], same[k]) for k in trained)
    assert not all(torch.equal(trained[k], different[k]) for k in trained)
    initial = tiny_cyclegan(OPTIONS.seed).state_dict()  # the same draw as the run's start
    assert all(not torch.equal(trained[k], initial[k]) for k in trained if k.endswith("weight"))
    assert set(first["losses"]) == {"G", "cycle", "identity", "D"}
    assert all(np.isfinite(v) for v in first["losses"].values())
    assert first["losses"] == again["losses"] != other["losses"]
    assert first["step"] == 2
    assert set(first["metrics"]["a_to_b"]) == {"patch_swd", "input_patch_swd",
                                               "edge_correlation", "cycle_l1",
                                               "cycle_patch_swd"}


def test_resumed_training_equals_an_uninterrupted_one(tmp_path):
    a, b = two_sets()
    options = TrainOptions(**{**OPTIONS.__dict__, "steps": 4, "sample_every": 2})
    train(a, b, tmp_path / "whole", config=TINY, options=options, report_pairs=0)
    train(a, b, tmp_path / "parts", config=TINY, report_pairs=0,
          options=TrainOptions(**{**options.__dict__, "steps": 2}))
    resumed = train(a, b, tmp_path / "parts", options=TrainOptions(steps=4), resume=True,
                    report_pairs=0)
    whole, parts = (load_cyclegan(tmp_path / k).state_dict() for k in ("whole", "parts"))
    assert all(torch.equal(whole[k], parts[k]) for k in whole)
    assert resumed["step"] == 4 and resumed["options"]["crop"] == 16
    assert sorted(p.name for p in (tmp_path / "whole" / "samples").iterdir()) == \
        ["step_000002.png", "step_000004.png"]


def test_crop_must_fit_the_networks(tmp_path):
    a, b = two_sets()
    with pytest.raises(ValueError, match="crop 10 must be a multiple of 4"):
        train(a, b, tmp_path, config=TINY,
              options=TrainOptions(**{**OPTIONS.__dict__, "crop": 10}))
    with pytest.raises(ValueError, match="set B.*smaller than the 16-pixel crop"):
        train(a, [tiling_image(8, 8)], tmp_path, config=TINY, options=OPTIONS)


def test_cli_trains_two_steps_on_two_image_sets(tmp_path, capsys):
    paths = {}
    for name, images in zip("ab", two_sets()):
        paths[name] = []
        for i, image in enumerate(images):
            path = tmp_path / f"{name}{i}.png"
            path.write_bytes(encode_png(image))
            paths[name].append(str(path))
    output = tmp_path / "model"
    args = ["train", "cyclegan", "--a", paths["a"][0], "--a", paths["a"][1],
            "--b", paths["b"][0], "--b", paths["b"][1], "-o", str(output), "--steps", "2",
            "--crop", "16", "--batch", "2", "--channels", "4", "--blocks", "1", "-q"]
    assert main(args[:-1]) == 0  # not quiet: progress on stderr, a line per set item too
    err = capsys.readouterr().err
    assert "read cyclegan set A [" in err and "] 1/2" in err and "] 2/2" in err
    assert "train cyclegan [" in err
    model = load_cyclegan(output)
    assert model.config.channels == 4 and model.config.blocks == 1
    record = json.loads((output / "model.json").read_text())
    assert record["training"]["step"] == 2 and record["training"]["sets"] == {"a": 2, "b": 2}
    assert main([*args[:-1], "--crop", "10", "-q"]) == 2  # not a multiple of the networks'
    assert main([*args[:2], "--a", "no_such_preset", *args[4:]]) == 2


# --- the sets ------------------------------------------------------------------------------------

def test_preset_items_render_the_state_at_each_seed(texgen_engine):
    assert parse_item("rusted_metal:rust_amount=1, streaks=0") == \
        ("rusted_metal", {"rust_amount": "1", "streaks": "0"})
    assert parse_item("rusted_metal") == ("rusted_metal", {})
    clean = load_set(["rusted_metal:rust_amount=0"], engine=texgen_engine, size=32,
                     seeds=(0, 1))
    rusted = load_set(["rusted_metal:rust_amount=1"], engine=texgen_engine, size=32,
                      seeds=(0, 1))
    assert len(clean) == 2 and clean[0].shape == (32, 32, 3)
    assert not np.array_equal(clean[0], clean[1])  # two seeds
    expected = texgen_engine.render("rusted_metal", size=32, seed=1,
                                    overrides={"rust_amount": 1})["basecolor"]
    np.testing.assert_array_equal(rusted[1], expected[..., :3])
    assert rusted[0][..., 2].mean() < clean[0][..., 2].mean() - 0.1  # rust is not teal
    with pytest.raises(InputError, match=r"'rusted_metal:rust'.*use PRESET:NAME=VALUE"):
        load_set(["rusted_metal:rust"], engine=texgen_engine, size=32, seeds=(0,))
    with pytest.raises(InputError, match=r"'rusted_metal:rustiness=1'.*rustiness"):
        load_set(["rusted_metal:rustiness=1"], engine=texgen_engine, size=32, seeds=(0,))


def test_edge_correlation_follows_structure():
    image = tiling_image(48, 48)
    assert edge_correlation(image, image * 0.5 + 0.2) == pytest.approx(1.0)
    assert abs(edge_correlation(image, tiling_image(48, 48, seed=5))) < 0.3


# --- the shipped model ---------------------------------------------------------------------------

def test_shipped_model_loads_and_its_preset_renders(texgen_engine):
    from texgen.nodes import package_path

    folder = package_path(SHIPPED.removeprefix("pkg:"))
    model = load_cyclegan(folder)
    assert model.config == CycleConfig()
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 10 * 2**20
    texgen_engine.validate("neural_rust")
    maps = texgen_engine.render("neural_rust", size=64)
    clean = texgen_engine.render("rusted_metal", size=64, overrides={"rust_amount": 0})
    assert maps["basecolor"].shape == (64, 64, 3)
    # rust is redder and less blue than the clean paint it comes from
    assert maps["basecolor"][..., 0].mean() > clean["basecolor"][..., 0].mean()
    assert maps["basecolor"][..., 2].mean() < clean["basecolor"][..., 2].mean()
