"""PSGAN periodic channels in the StyleGAN's spatial input (model.PeriodicInput, config
``periodic``): whole cycles per output so the texture tiles, training, model folders, the
node; and that models without them (the shipped lava model) are unchanged."""

import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from texgen.cli import main  # noqa: E402
from texgen.io import encode_png  # noqa: E402
from texgen.nodes import NodeContext  # noqa: E402
from texgen.testing import check_node, seam_ratio  # noqa: E402
from texgen_neural.checkpoint import load_generator, read_safetensors, save_generator  # noqa: E402
from texgen_neural.config import ModelConfig  # noqa: E402
from texgen_neural.model import Generator, to_image  # noqa: E402
from texgen_neural.nodes import stylegan  # noqa: E402
from texgen_neural.train import STATE, TrainOptions, train  # noqa: E402

TINY = ModelConfig(z_dim=8, w_dim=8, mapping_layers=1, input_channels=4, channels=(16, 8, 8),
                   d_channels=(8, 8), periodic=3)
NODE_DEFAULTS = dict(mix_mask=None, truncation=1.0, label=0, mix_seed=0, mix_layer=0)
LAVA = Path(__file__).parents[3] / "plugins/texgen_neural/models/lava"


def periodic_generator(seed=0, config=TINY):
    """A random-init generator whose output depends strongly on the periodic channels."""
    torch.manual_seed(seed)
    generator = Generator(config).eval().requires_grad_(False)
    generator.input.weight[:, config.input_channels:] *= 8
    return generator


def exemplar(size=32):
    x = np.arange(size) / size
    return (0.5 + 0.4 * np.sin(2 * np.pi * 4 * x)[None, :, None]
            * np.ones((size, 1, 3))).astype(np.float32)


def test_wave_vectors_are_whole_cycles_per_output_only_when_asked():
    generator = periodic_generator()
    w = generator.mapping(torch.randn(4, 8, generator=torch.Generator().manual_seed(0)))
    whole = generator.periodic.cycles(w, 5, 7)
    free = generator.periodic.cycles(w, 5, 7, whole_cycles=False)
    assert whole.shape == (4, 3, 2)
    assert torch.equal(whole, whole.round()) and not torch.equal(free, free.round())
    assert (whole - free).abs().max() <= 0.5
    # At most the grid's Nyquist frequency: half a cycle per grid pixel.
    assert (free.abs() <= torch.tensor([5, 7]) / 2).all()
    channels = generator.periodic(w, torch.zeros(4, 3), 5, 7)
    k = whole[0, 1]
    expected = torch.sin(2 * math.pi * (k[0] * torch.arange(5)[:, None] / 5
                                        + k[1] * torch.arange(7) / 7))
    torch.testing.assert_close(channels[0, 1], expected)


def test_output_tiles_and_rolling_the_inputs_with_the_phases_rolls_the_output():
    generator = periodic_generator()
    inputs = generator.make_inputs(1, 48, 32, generator=torch.Generator().manual_seed(3))
    image = to_image(generator.generate(inputs))[0].numpy()
    assert image.shape == (48, 32, 3)
    assert seam_ratio(image) < 1.1
    # Rolling the grid by (dy, dx) cells shifts each wave's phase by its cycles * d / size:
    # exact only because the cycles are whole numbers per output.
    dy, dx = 1, -2
    h, w = inputs.spatial.shape[2:]
    cycles = generator.periodic.cycles(generator.mapping(inputs.z), h, w)[0]
    phases = inputs.phases - 2 * math.pi * (cycles[:, 0] * dy / h + cycles[:, 1] * dx / w)
    rolled = inputs._replace(
        spatial=inputs.spatial.roll((dy, dx), dims=(2, 3)), phases=phases,
        noises=[n.roll((dy * n.shape[2] // h, dx * n.shape[3] // w), dims=(2, 3))
                for n in inputs.noises])
    shifted = to_image(generator.generate(rolled))[0].numpy()
    cell = TINY.cell
    np.testing.assert_allclose(shifted, np.roll(image, (dy * cell, dx * cell), axis=(0, 1)),
                               atol=1e-5)


def test_the_phases_move_the_pattern_and_are_required():
    generator = periodic_generator()
    inputs = generator.make_inputs(1, 32, 32, generator=torch.Generator().manual_seed(1))
    assert inputs.phases.shape == (1, 3)
    assert 0 <= inputs.phases.min() and inputs.phases.max() < 2 * math.pi
    moved = inputs._replace(phases=inputs.phases + 1.0)
    assert not torch.allclose(generator.generate(inputs), generator.generate(moved), atol=1e-3)
    ws = generator.mapping(inputs.z)[:, None].expand(-1, 3, -1)
    with pytest.raises(ValueError, match="periodic channels: give their phases"):
        generator(ws, inputs.spatial, inputs.noises)


def test_training_gives_finite_losses_and_moves_the_wave_mlp(tmp_path):
    result = train([exemplar()], tmp_path, config=TINY,
                   options=TrainOptions(steps=3, crop=16, batch=2, r1_interval=2,
                                        sample_every=0, checkpoint_every=0))
    assert all(np.isfinite(v) for v in result["losses"].values())
    torch.manual_seed(0)
    initial = Generator(TINY).state_dict()
    state, _ = read_safetensors(tmp_path / STATE)
    mlp = [k for k in initial if k.startswith("periodic.")]
    assert mlp and all(not torch.equal(initial[k], state[f"G.{k}"]) for k in mlp)
    assert load_generator(tmp_path).config.periodic == 3


def test_round_trip_node_sizes_and_determinism(tmp_path, texgen_engine):
    generator = periodic_generator()
    save_generator(generator, tmp_path)
    loaded = load_generator(tmp_path)
    inputs = generator.make_inputs(2, 16, 24, generator=torch.Generator().manual_seed(1))
    assert torch.equal(generator.generate(inputs), loaded.generate(inputs))
    check_node(texgen_engine.registry.get("neural.stylegan"), params={"model": tmp_path},
               sizes=((32, 48), (37, 21)))


def test_cli_periodic_option(tmp_path):
    path = tmp_path / "ex.png"
    path.write_bytes(encode_png(exemplar()))
    assert main(["train", "stylegan", str(path), "-o", str(tmp_path / "m"), "--periodic", "2",
                 "--steps", "1", "--crop", "16", "--batch", "2", "--channels", "8,8",
                 "--d-channels", "8,8", "--w-dim", "8", "--sample-every", "0", "-q"]) == 0
    assert load_generator(tmp_path / "m").config.periodic == 2


def test_the_shipped_lava_model_loads_and_gives_the_same_output():
    """models/lava predates arch and periodic: it loads as a plain StyleGAN and draws the
    same inputs per seed, so its output is what the code before them gave (values recorded
    at commit c61d1f9)."""
    generator = load_generator(LAVA)
    assert generator.config.arch == "stylegan" and generator.config.periodic == 0
    ctx = NodeContext(node_id="g", width=40, height=24, seed=5)
    out = stylegan(ctx, model=LAVA, mix_mask=None, truncation=0.7, label=0, mix_seed=3,
                   mix_layer=2, interpolation=0.25)
    np.testing.assert_allclose(out.mean(axis=(0, 1)), [0.15389627, 0.12331639, 0.1026314],
                               atol=1e-4)
    np.testing.assert_allclose(
        out[::8, ::8, 0],
        [[0.11082, 0.12179, 0.62471, 0.09095, 0.13313],
         [0.57823, 0.13599, 0.32881, 0.14202, 0.08288],
         [0.11156, 0.13007, 0.10933, 0.10996, 0.13125]], atol=1e-3)
