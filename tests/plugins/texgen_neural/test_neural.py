"""The StyleGAN texture plugin: model, checkpoints, node, training, CLI (tiny configs)."""

import dataclasses
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from texgen.cli import main  # noqa: E402
from texgen.nodes import NodeContext  # noqa: E402
from texgen.testing import check_node, seam_ratio  # noqa: E402
from texgen_neural.checkpoint import CheckpointError, load_generator, save_generator  # noqa: E402
from texgen_neural.model import Generator, ModelConfig, resample_wrap, to_image, upsample_wrap  # noqa: E402
from texgen_neural.nodes import stylegan  # noqa: E402
from texgen_neural.train import (  # noqa: E402
    STATE,
    Exemplars,
    Networks,
    TrainOptions,
    augment,
    discriminator_step,
    generator_step,
    log_ring_power,
    spectrum_loss,
    train,
)

TINY = ModelConfig(z_dim=8, w_dim=8, mapping_layers=1, input_channels=4, channels=(16, 8, 8),
                   d_channels=(8, 8))
NODE_DEFAULTS = dict(mix_mask=None, truncation=1.0, label=0, mix_seed=0, mix_layer=0)


def tiny_generator(seed=0, config=TINY):
    """A random-init generator with its noise switched on (strength 0.3)."""
    torch.manual_seed(seed)
    config = dataclasses.replace(config, noise_init=0.3)
    return Generator(config).eval().requires_grad_(False)


def exemplar(size=48, seed=0):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:size, :size] / size
    base = 0.5 + 0.25 * np.sin(2 * np.pi * 3 * x)[..., None] * np.array([1.0, 0.6, 0.3])
    return (base + 0.1 * rng.random((size, size, 3))).clip(0, 1).astype(np.float32)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    result = train([exemplar()], folder, config=TINY,
                   options=TrainOptions(steps=4, crop=16, batch=2, r1_interval=2,
                                        sample_every=2, checkpoint_every=2))
    return folder, result


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("random_model")
    save_generator(tiny_generator(), folder)
    return folder


def render(model, *, seed=1, height=32, width=32, **params):
    ctx = NodeContext(node_id="gen", width=width, height=height, seed=seed)
    return stylegan(ctx, model=model, **{**NODE_DEFAULTS, **params})


# --- training -----------------------------------------------------------------------------------

def test_training_gives_finite_losses_and_moves_weights(trained):
    folder, result = trained
    assert set(result["losses"]) == {"D", "G", "R1", "spectrum"}
    assert all(np.isfinite(v) for v in result["losses"].values())
    assert {"patch_swd", "spectrum_distance", "seam_score", "diversity"} <= \
        set(result["metrics"]["labels"][0])
    torch.manual_seed(0)  # train() seeds with options.seed (0) before building G
    initial = Generator(TINY).state_dict()
    from texgen_neural.checkpoint import read_safetensors
    state, _ = read_safetensors(folder / STATE)
    moved = [k for k in initial if not torch.equal(initial[k], state[f"G.{k}"])]
    assert len(moved) > len(initial) // 2
    assert sorted(p.name for p in (folder / "samples").iterdir()) == \
        ["step_000002.png", "step_000004.png"]
    assert json.loads((folder / "model.json").read_text())["training"]["step"] == 4


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    folder, _ = trained
    copy = tmp_path / "m"
    copy.mkdir()
    for name in ("generator.safetensors", "model.json", STATE):
        (copy / name).write_bytes((folder / name).read_bytes())
    result = train([exemplar()], copy, options=TrainOptions(steps=5), resume=True)
    assert result["step"] == 5 and np.isfinite(result["losses"]["G"])
    assert result["options"]["crop"] == 16  # the saved options win, except steps


def one_step_setup(seed=0, **options):
    options = TrainOptions(crop=16, batch=2, **options)
    torch.manual_seed(seed)
    nets = Networks.build(TINY, options, torch.device("cpu"))
    data = Exemplars([exemplar()], crop=16, device=torch.device("cpu"))
    reals, _ = data.sample(2)
    return nets, reals, options, data.log_spectra


def parameters(module):
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def changed(before, module):
    return {name for name, p in module.named_parameters() if not torch.equal(before[name], p)}


@pytest.mark.parametrize("r1", [False, True])
def test_discriminator_step_changes_only_the_discriminator(r1):
    nets, reals, options, _ = one_step_setup()
    g, d, g_ema = parameters(nets.g), parameters(nets.d), parameters(nets.g_ema)
    losses = discriminator_step(nets, reals, None, options, r1=r1)
    assert set(losses) == ({"D", "R1"} if r1 else {"D"})
    assert all(np.isfinite(v) for v in losses.values())
    assert changed(d, nets.d) == set(d)  # Adam moves every parameter on its first step
    assert not changed(g, nets.g) and not changed(g_ema, nets.g_ema)


@pytest.mark.parametrize("spectrum_weight", [0.0, 1.0])
def test_generator_step_changes_only_the_generator(spectrum_weight):
    nets, _, options, log_spectra = one_step_setup(spectrum_weight=spectrum_weight)
    g, d, g_ema = parameters(nets.g), parameters(nets.d), parameters(nets.g_ema)
    losses = generator_step(nets, None, options, torch.device("cpu"), log_spectra)
    assert set(losses) == ({"G", "spectrum"} if spectrum_weight else {"G"})
    assert all(np.isfinite(v) for v in losses.values())
    assert len(changed(g, nets.g)) > len(g) // 2  # unused noise branches may keep zero grads
    assert not changed(d, nets.d) and not changed(g_ema, nets.g_ema)


def test_log_ring_power_is_the_metrics_radial_spectrum():
    from texgen.metrics import _radial_power, _ring_edges

    image = np.random.default_rng(0).random((32, 32, 3)).cumsum(axis=1) / 10
    means, counts = _radial_power(image, "pixel", _ring_edges(0.5, 16))
    assert counts[0] == 0  # no frequency lies between DC and the first ring
    ours = log_ring_power(torch.from_numpy(image.transpose(2, 0, 1))[None])[0]
    np.testing.assert_allclose(ours.numpy(), np.log10(means.mean(axis=1)[1:] + 1e-10),
                               atol=1e-9)


def test_spectrum_loss_is_small_for_the_exemplar_and_grows_with_blur():
    data = Exemplars([exemplar(64)], crop=32, device=torch.device("cpu"))
    assert data.log_spectra.shape == (1, 15)
    torch.manual_seed(0)
    crops, _ = data.sample(8)
    blurred = (crops + crops.roll(1, 2) + crops.roll(1, 3) + crops.roll((1, 1), (2, 3))) / 4
    own, blur = (float(spectrum_loss(x, None, data.log_spectra)) for x in (crops, blurred))
    assert own < 0.01 < 0.1 < blur
    with pytest.raises(ValueError, match="spectrum_weight must be >= 0, got -1"):
        TrainOptions(spectrum_weight=-1)
    saved = dataclasses.asdict(TrainOptions(spectrum_weight=3.0))
    assert TrainOptions.from_dict(saved).spectrum_weight == 3.0
    del saved["spectrum_weight"]  # a training state written before the term existed
    assert TrainOptions.from_dict(saved).spectrum_weight == 0.0



def test_spectrum_term_refuses_crops_without_a_ring(tmp_path):
    config = dataclasses.replace(TINY, channels=(8, 8), d_channels=(8,))  # 2-pixel crops
    with pytest.raises(ValueError, match="crop 2: the spectrum term needs crops of at least 4"):
        train([exemplar()], tmp_path / "m", config=config,
              options=TrainOptions(steps=1, crop=2, batch=2))
    record = train([exemplar()], tmp_path / "m", config=config,
                   options=TrainOptions(steps=1, crop=2, batch=2, spectrum_weight=0,
                                        sample_every=0))
    assert record["step"] == 1


def test_cli_defaults_are_the_dataclass_defaults():
    from texgen_neural.cli import train_stylegan
    from texgen_neural.config import ModelConfig, TrainOptions

    defaults = {p.name: p.default for p in train_stylegan.params}
    options, config = TrainOptions(), ModelConfig()
    shared = set(defaults) & {f.name for f in dataclasses.fields(TrainOptions)}
    assert shared == {"steps", "crop", "batch", "lr", "r1_gamma", "augment", "spectrum_weight",
                      "sample_every", "checkpoint_every", "seed"}
    defaults["augment"] = tuple(defaults["augment"].split(","))
    assert {name: defaults[name] for name in shared} == \
        {name: getattr(options, name) for name in shared}
    assert defaults["w_dim"] == config.w_dim == config.z_dim
    assert defaults["noise_init"] == config.noise_init
    assert defaults["channels"] == ",".join(map(str, config.channels))
    assert defaults["d_channels"] == ",".join(map(str, config.d_channels))


def test_cli_a_network_too_large_for_memory_is_one_error(tmp_path, monkeypatch, capsys):
    """--channels 200000,200000 asks PyTorch for 1.4 TB: exit 1 with a line saying what to
    shrink, not an internal error."""
    from texgen.io import encode_png
    path = tmp_path / "ex.png"
    path.write_bytes(encode_png(exemplar(32)))
    code = main(["train", "stylegan", str(path), "-o", str(tmp_path / "m"), "--steps", "1",
                 "--crop", "16", "--channels", "200000,200000", "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "out of memory for this model and batch (smaller --channels" in err
    assert "internal error" not in err and not (tmp_path / "m").exists()


def test_cli_trains_a_model(tmp_path, monkeypatch):
    path = tmp_path / "ex.png"
    from texgen.io import encode_png
    path.write_bytes(encode_png(exemplar(32)))
    threads = []
    monkeypatch.setattr(torch, "set_num_threads", threads.append)  # as every trainer: --threads
    code = main(["train", "stylegan", str(path), "-o", str(tmp_path / "m"), "--steps", "2",
                 "--crop", "16", "--batch", "2", "--channels", "8,8", "--d-channels", "8,8",
                 "--w-dim", "8", "--sample-every", "0", "--threads", "2", "-q"])
    assert code == 0 and threads == [2]
    assert load_generator(tmp_path / "m").config.channels == (8, 8)
    assert main(["train", "stylegan", str(path), "-o", str(tmp_path / "m"), "--crop", "12",
                 "--channels", "8,8", "-q"]) == 2  # crop not a multiple of the cell
    assert main(["train", "stylegan", str(path), "-o", str(tmp_path / "m3"), "--augment",
                 "translate,blur", "-q"]) == 2
    assert not (tmp_path / "m3").exists()


def test_noise_init_sets_every_noise_strength():
    generator = Generator(dataclasses.replace(TINY, noise_init=0.25))
    strengths = [layer.noise_strength for level in generator.levels
                 for layer in (level.layer1, level.layer2)]
    assert len(strengths) == 2 * TINY.levels
    assert all(torch.equal(s, torch.full_like(s, 0.25)) for s in strengths)
    with pytest.raises(ValueError, match="noise_init must be >= 0, got -0.1"):
        ModelConfig(noise_init=-0.1)
    assert ModelConfig(arch="dcgan").noise_init == 0.0  # no noise inputs
    saved = ModelConfig().to_dict()
    assert ModelConfig.from_dict(saved).noise_init == 0.1
    del saved["noise_init"]  # a model saved before the key existed was trained from 0
    assert ModelConfig.from_dict(saved).noise_init == 0.0


def _is_symmetry_of(image, original):
    turns = [original.rot90(k, dims=(1, 2)) for k in range(4)]
    return any(torch.equal(image, t) or torch.equal(image, t.flip(2)) for t in turns)


def test_augment_applies_only_the_chosen_transforms():
    images = torch.rand(64, 3, 8, 8) * 2 - 1
    assert torch.equal(augment(images, transforms=()), images)
    torch.manual_seed(0)
    shifted = augment(images, transforms=("translate",))
    for image, original in zip(shifted, images):  # a wrapped shift of itself, values kept
        assert any(torch.equal(image, original.roll((dy, dx), dims=(1, 2)))
                   for dy in range(8) for dx in range(8))
    assert not torch.equal(shifted, images)
    torch.manual_seed(0)
    turned = augment(images, transforms=("symmetry",))
    assert all(_is_symmetry_of(image, original) for image, original in zip(turned, images))
    assert not torch.equal(turned, images)
    torch.manual_seed(0)
    jittered = augment(images, transforms=("color",))
    changed = [not torch.equal(a, b) for a, b in zip(jittered, images)]
    assert 10 < sum(changed) < 54  # each sample with probability 1/2


def test_augment_option_is_checked_and_old_states_default_to_all():
    with pytest.raises(ValueError, match="unknown augmentation blur; known: symmetry, "
                                         "translate, color"):
        TrainOptions(augment=("translate", "blur"))
    assert TrainOptions().augment == ("translate",)
    saved = dataclasses.asdict(TrainOptions(augment=["color"]))
    assert TrainOptions.from_dict(saved).augment == ("color",)
    del saved["augment"]  # a training state written before the option existed
    assert TrainOptions.from_dict(saved).augment == ("symmetry", "translate", "color")


# --- tiling and sizes ---------------------------------------------------------------------------

def test_output_tiles_exactly():
    generator = tiny_generator()
    inputs = generator.make_inputs(1, 64, 48, generator=torch.Generator().manual_seed(3))
    image = to_image(generator.generate(inputs))[0].numpy()
    assert image.shape == (64, 48, 3)
    assert seam_ratio(image) < 1.1
    # Rolling the spatial input by one pixel (one cell of output) and every noise map by
    # the same distance at its level rolls the output by exactly one cell.
    cell = TINY.cell
    rolled = inputs._replace(
        spatial=inputs.spatial.roll((1, -1), dims=(2, 3)),
        noises=[n.roll((n.shape[2] // 16, -n.shape[3] // 12), dims=(2, 3))
                for n in inputs.noises])
    shifted = to_image(generator.generate(rolled))[0].numpy()
    np.testing.assert_allclose(shifted, np.roll(image, (cell, -cell), axis=(0, 1)), atol=1e-5)


def test_node_any_size_determinism_and_tiling(model_dir, texgen_engine):
    check_node(texgen_engine.registry.get("neural.stylegan"), params={"model": model_dir},
               sizes=((32, 48), (37, 21)))


def test_upsampling_interpolates_wraps_and_has_no_lattice():
    x = torch.randn(2, 3, 6, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    up = upsample_wrap(x)
    assert up.shape == (2, 3, 12, 10)
    torch.testing.assert_close(up[..., ::2, ::2], x)  # passes through the samples
    torch.testing.assert_close(upsample_wrap(x.roll((1, -2), dims=(2, 3))),
                               up.roll((2, -4), dims=(2, 3)))
    # Every output pixel is alike: steps from even to odd pixels are as strong as from odd
    # to even ones (bilinear interpolation makes them 4x weaker).
    noise = torch.randn(16, 8, 16, 16, generator=torch.Generator().manual_seed(2))
    steps = upsample_wrap(noise).diff(dim=3).square().mean(dim=(0, 1, 2))
    assert steps[0::2].mean() == pytest.approx(float(steps[1::2].mean()), rel=0.05)


def test_resample_wrap_averages_areas_and_wraps():
    x = torch.arange(8.0).view(1, 1, 1, 8).repeat(1, 2, 3, 1)         # (1, 2, 3, 8)
    np.testing.assert_allclose(resample_wrap(x, 3, 4)[0, 0, 0], [0.5, 2.5, 4.5, 6.5])
    # 8 -> 3: thirds of the row, [0, 8/3) = 0, 1 and 2/3 of 2, and so on.
    np.testing.assert_allclose(resample_wrap(x, 3, 3)[0, 1, 2],
                               [(1 + 2 * 2 / 3) * 3 / 8, (2 / 3 + 3 + 4 + 5 / 3) * 3 / 8,
                                (5 * 2 / 3 + 6 + 7) * 3 / 8],
                               rtol=1e-6)
    # Growing interpolates between neighbours, the first pixel between the last and first.
    grown = resample_wrap(x, 3, 16)[0, 0, 0]
    np.testing.assert_allclose(grown[:3], [0.25 * 7, 0.25, 0.75])
    image = torch.rand(1, 3, 40, 30, generator=torch.Generator().manual_seed(0))
    assert torch.equal(resample_wrap(image, 40, 30), image)
    assert torch.allclose(resample_wrap(image, 13, 17).mean(), image.mean(), atol=1e-6)


@pytest.mark.parametrize("size", [(97, 23), (13, 17), (40, 45)])
def test_resample_wrap_rows_are_the_whole_results_rows(size):
    """Bands of rows (shrinking, growing, keeping the height) are those of the whole result,
    bit for bit, so a large result can be made a band at a time."""
    image = torch.rand(1, 3, 40, 30, generator=torch.Generator().manual_seed(1))
    whole = resample_wrap(image, *size)
    edges = [0, 1, size[0] // 3, size[0] - 2, size[0]]
    bands = [resample_wrap(image, *size, rows=(a, b)) for a, b in zip(edges, edges[1:])]
    assert torch.equal(torch.cat(bands, dim=2), whole)


def test_resolution_fixes_the_texture_across_render_sizes(model_dir):
    native = render(model_dir, seed=4, height=32, width=32)
    small = render(model_dir, seed=4, height=16, width=16, resolution=32)
    np.testing.assert_allclose(small, native.reshape(16, 2, 16, 2, 3).mean(axis=(1, 3)),
                               atol=1e-6)
    large = render(model_dir, seed=4, height=64, width=64, resolution=32)
    assert seam_ratio(large) < 1.1
    halved = large.reshape(32, 2, 32, 2, 3).mean(axis=(1, 3))
    assert np.corrcoef(halved.ravel(), native.ravel())[0, 1] > 0.95
    wide = render(model_dir, seed=4, height=16, width=32, resolution=32)  # 32 x 16 model px
    assert wide.shape == (16, 32, 3)


def test_seeds_differ_and_repeat(model_dir):
    first, again, other = render(model_dir, seed=5), render(model_dir, seed=5), \
        render(model_dir, seed=6)
    assert np.array_equal(first, again)
    assert not np.allclose(first, other, atol=1e-3)
    assert first.min() >= 0 and first.max() <= 1


# --- styles -------------------------------------------------------------------------------------

def _low_pass(image, cell=8):
    h, w, c = image.shape
    return image.reshape(h // cell, cell, w // cell, cell, c).mean(axis=(1, 3))


def test_style_mixing_changes_only_the_intended_scale(model_dir):
    base = render(model_dir, seed=2, height=64, width=64)
    fine = render(model_dir, seed=2, height=64, width=64, mix_seed=9, mix_layer=2)
    coarse = render(model_dir, seed=2, height=64, width=64, mix_seed=9, mix_layer=1)
    assert not np.allclose(base, fine, atol=1e-4)  # the last level's style does something
    low_fine = np.abs(_low_pass(fine) - _low_pass(base)).mean()
    low_coarse = np.abs(_low_pass(coarse) - _low_pass(base)).mean()
    high_fine = np.abs((fine - base) - np.kron(_low_pass(fine - base), np.ones((8, 8, 1)))).mean()
    assert low_fine < low_coarse
    assert low_fine < high_fine  # mixing the finest level changes detail more than layout


def test_truncation_and_mask(model_dir):
    full = render(model_dir, seed=3)
    assert not np.allclose(full, render(model_dir, seed=3, truncation=0.5), atol=1e-4)
    mask = np.zeros((32, 32, 1), np.float32)
    assert np.allclose(render(model_dir, seed=3, mix_mask=mask, mix_seed=4), full, atol=1e-5)
    mask[:, 16:] = 1.0
    half = render(model_dir, seed=3, mix_mask=mask, mix_seed=4)
    other = render(model_dir, seed=3, mix_layer=0, mix_mask=np.ones_like(mask), mix_seed=4)
    assert np.abs(half - full)[:, 2:12].mean() < np.abs(half - full)[:, 20:30].mean()
    assert np.abs(half - other)[:, 20:30].mean() < np.abs(half - other)[:, 2:12].mean()


def test_interpolation_moves_the_style_between_two_seeds(model_dir):
    start = render(model_dir, seed=3, mix_seed=8)
    assert np.array_equal(render(model_dir, seed=3, mix_seed=8, interpolation=0.0), start)
    # All the way: every level takes mix_seed's style, as a full mask does.
    end = render(model_dir, seed=3, mix_seed=8, mix_mask=np.ones((32, 32, 1), np.float32))
    np.testing.assert_allclose(render(model_dir, seed=3, mix_seed=8, interpolation=1.0), end,
                               atol=1e-5)
    steps = [render(model_dir, seed=3, mix_seed=8, interpolation=t) for t in (0.25, 0.5)]
    assert np.abs(steps[0] - start).mean() < np.abs(steps[1] - start).mean() \
        < np.abs(end - start).mean()


def test_conditional_label_selects_a_class(tmp_path):
    config = ModelConfig(**{**TINY.to_dict(), "num_classes": 2})
    save_generator(tiny_generator(config=config), tmp_path)
    assert not np.allclose(render(tmp_path, label=0), render(tmp_path, label=1), atol=1e-4)
    with pytest.raises(ValueError, match="'label'.*out of range"):
        render(tmp_path, label=2)


# --- checkpoints --------------------------------------------------------------------------------

def test_round_trip_gives_identical_outputs(tmp_path):
    generator = tiny_generator()
    save_generator(generator, tmp_path)
    loaded = load_generator(tmp_path / "generator.safetensors")
    inputs = generator.make_inputs(2, 16, 24, generator=torch.Generator().manual_seed(1))
    assert torch.equal(generator.generate(inputs), loaded.generate(inputs))
    record = json.loads((tmp_path / "model.json").read_text())
    assert ModelConfig.from_dict(record["config"]) == generator.config


def test_an_interrupted_save_keeps_the_old_model_and_no_temporary_file(tmp_path, monkeypatch):
    import safetensors.torch

    save_generator(tiny_generator(0), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def interrupted(tensors, filename, metadata=None):
        Path(filename).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(safetensors.torch, "save_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_generator(tiny_generator(1), tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_pickle_files_are_refused(tmp_path):
    raw = tmp_path / "evil.safetensors"
    raw.write_bytes(pickle.dumps({"weights": [1, 2, 3]}))
    with pytest.raises(CheckpointError, match="evil.safetensors.*pickle"):
        load_generator(raw)
    zipped = tmp_path / "torch_save.safetensors"
    torch.save({"w": torch.zeros(2)}, zipped)
    with pytest.raises(CheckpointError, match="torch_save.safetensors.*pickle"):
        load_generator(zipped)


def test_truncated_corrupt_and_mismatched_files_error_clearly(model_dir, tmp_path):
    data = (model_dir / "generator.safetensors").read_bytes()
    cut = tmp_path / "cut.safetensors"
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(CheckpointError, match="cut.safetensors.*(truncated|corrupt)"):
        load_generator(cut)
    header = tmp_path / "header.safetensors"
    header.write_bytes(data[:100])
    with pytest.raises(CheckpointError, match="header.safetensors.*truncated"):
        load_generator(header)
    from safetensors.torch import save_file
    other = tmp_path / "other.safetensors"
    save_file({"x": torch.zeros(1)}, str(other))
    with pytest.raises(CheckpointError, match="other.safetensors.*not a texgen"):
        load_generator(other)
    with pytest.raises(ValueError, match="'model'.*no such model"):
        render(tmp_path / "missing")


def test_mismatched_tensors_are_named(tmp_path):
    save_generator(tiny_generator(), tmp_path)
    from safetensors.torch import load_file, save_file
    path = tmp_path / "generator.safetensors"
    from safetensors import safe_open
    with safe_open(str(path), "pt") as f:
        metadata = f.metadata()
    tensors = load_file(str(path))
    tensors["input.weight"] = torch.zeros(1)
    save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(CheckpointError, match="generator.safetensors.*wrong shape: input.weight"):
        load_generator(tmp_path)


def test_a_small_file_asking_for_a_huge_network_is_refused_unbuilt(tmp_path):
    """Its config is checked against its tensors on the meta device: channels of 200000
    (about 1.4 TB of weights) give the mismatch error, not an allocation."""
    import json

    from safetensors import safe_open
    from safetensors.torch import save_file
    save_generator(tiny_generator(), tmp_path)
    with safe_open(str(tmp_path / "generator.safetensors"), "pt") as f:
        metadata = f.metadata()
    key = next(k for k, v in metadata.items() if v.startswith("{"))
    record = json.loads(metadata[key])
    record["config"]["channels"] = [200000, 200000]
    path = tmp_path / "huge.safetensors"
    save_file({"x": torch.zeros(1)}, str(path), metadata={key: json.dumps(record)})
    with pytest.raises(CheckpointError, match="huge.safetensors: tensors do not match"):
        load_generator(path)
    save_file({"x": torch.zeros(1)}, str(path), metadata={key: json.dumps([1, 2])})
    with pytest.raises(CheckpointError, match="huge.safetensors: .* a JSON list, not an "
                                              "object"):
        load_generator(path)


# --- lazy import --------------------------------------------------------------------------------

def test_listing_nodes_does_not_import_torch():
    code = ("import sys\nfrom texgen.cli import main\n"
            "assert main(['nodes']) == 0\nassert main(['nodes', 'describe', 'neural.stylegan'])"
            " == 0\nassert 'torch' not in sys.modules, 'torch imported'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "neural.stylegan" in result.stdout
