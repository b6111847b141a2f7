"""The DCGAN baseline generator (plugins/texgen_neural/dcgan.py): circular transposed
convolutions, training through the StyleGAN's loop, model folders, the node (tiny configs)."""

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from texgen.cli import main  # noqa: E402
from texgen.io import encode_png  # noqa: E402
from texgen.nodes import NodeContext  # noqa: E402
from texgen.testing import seam_ratio  # noqa: E402
from texgen_neural.checkpoint import load_generator, read_safetensors, save_generator  # noqa: E402
from texgen_neural.config import ModelConfig  # noqa: E402
from texgen_neural.dcgan import CircularConvTranspose, DCGANGenerator  # noqa: E402
from texgen_neural.model import to_image  # noqa: E402
from texgen_neural.nodes import stylegan  # noqa: E402
from texgen_neural.train import STATE, TrainOptions, train  # noqa: E402

TINY = ModelConfig(input_channels=4, channels=(16, 8, 8), d_channels=(8, 8), arch="dcgan")
NODE_DEFAULTS = dict(mix_mask=None, truncation=1.0, label=0, mix_seed=0, mix_layer=0)


def exemplar(size=32, seed=0):
    rng = np.random.default_rng(seed)
    x = np.arange(size) / size
    stripes = 0.5 + 0.3 * np.sin(2 * np.pi * 4 * x)[None, :, None] * np.array([1.0, 0.5, 0.2])
    return (stripes + 0.1 * rng.random((size, size, 3))).clip(0, 1).astype(np.float32)


def trained_generator(seed=0, config=TINY):
    """A generator after one training-mode pass, so batch norm has statistics that are not
    the identity, then in eval mode (how a model is loaded)."""
    torch.manual_seed(seed)
    generator = DCGANGenerator(config)
    with torch.no_grad():
        generator(generator.make_inputs(4, 16, 16).spatial)
    return generator.eval().requires_grad_(False)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dcgan")
    save_generator(trained_generator(), folder)
    return folder


def render(model, *, seed=1, height=32, width=32, **params):
    ctx = NodeContext(node_id="gan", width=width, height=height, seed=seed)
    return stylegan(ctx, model=model, **{**NODE_DEFAULTS, **params})


def test_circular_transposed_convolution_is_the_tiled_input_s():
    torch.manual_seed(0)
    layer = CircularConvTranspose(3, 2)
    x = torch.randn(1, 3, 5, 7)
    out = layer(x)
    assert out.shape == (1, 2, 10, 14)
    # PyTorch's padding=1 layer on the input tiled 3 x 3: its centre copy is the output.
    tiled = torch.nn.functional.conv_transpose2d(x.repeat(1, 1, 3, 3), layer.conv.weight,
                                                 stride=2, padding=1)
    torch.testing.assert_close(out, tiled[..., 10:20, 14:28])
    torch.testing.assert_close(layer(x.roll((1, -2), dims=(2, 3))), out.roll((2, -4), (2, 3)))


def test_dcgan_has_no_mapping_modulation_or_noise():
    generator = DCGANGenerator(TINY)
    kinds = {type(m).__name__ for m in generator.modules()}
    assert {"CircularConvTranspose", "BatchNorm2d"} <= kinds
    assert not kinds & {"MappingNetwork", "ModulatedConv", "StyledLayer"}
    inputs = generator.make_inputs(2, 24, 40)
    assert inputs.spatial.shape == (2, 4, 6, 10) and inputs.noises == [] and \
        inputs.phases is None
    with pytest.raises(ValueError, match="multiple of the model's cell, 4"):
        generator.make_inputs(1, 10, 16)
    with pytest.raises(ValueError, match="no labels"):
        generator.generate(inputs, truncation=0.5)


def test_output_tiles_and_rolling_the_latent_grid_rolls_the_output():
    generator = trained_generator()
    inputs = generator.make_inputs(1, 48, 32, generator=torch.Generator().manual_seed(3))
    image = to_image(generator.generate(inputs))[0].numpy()
    assert image.shape == (48, 32, 3)
    assert seam_ratio(image) < 1.1
    rolled = inputs._replace(spatial=inputs.spatial.roll((1, -2), dims=(2, 3)))
    shifted = to_image(generator.generate(rolled))[0].numpy()
    cell = TINY.cell
    np.testing.assert_allclose(shifted, np.roll(image, (cell, -2 * cell), axis=(0, 1)),
                               atol=1e-5)


def test_training_gives_finite_losses_moves_weights_and_keeps_batch_norm_statistics(tmp_path):
    result = train([exemplar()], tmp_path, config=TINY,
                   options=TrainOptions(steps=3, crop=16, batch=2, r1_interval=2,
                                        sample_every=0, checkpoint_every=0))
    assert set(result["losses"]) == {"D", "G", "R1", "spectrum"}
    assert all(np.isfinite(v) for v in result["losses"].values())
    torch.manual_seed(0)  # train() seeds with options.seed (0) before building G
    initial = DCGANGenerator(TINY).state_dict()
    state, _ = read_safetensors(tmp_path / STATE)
    weights = [k for k in initial if k.endswith("weight")]
    assert all(not torch.equal(initial[k], state[f"G.{k}"]) for k in weights)
    # The shipped EMA generator carries G's batch norm statistics (not the initial 0 / 1).
    loaded = load_generator(tmp_path)
    assert loaded.config.arch == "dcgan"
    torch.testing.assert_close(loaded.body[1].running_mean, state["G.body.1.running_mean"])
    assert loaded.body[1].running_mean.abs().max() > 0
    record = json.loads((tmp_path / "model.json").read_text())
    assert record["config"]["arch"] == "dcgan" and record["training"]["step"] == 3


def test_training_is_deterministic_by_seed(tmp_path):
    options = TrainOptions(steps=2, crop=16, batch=2, sample_every=0, checkpoint_every=0)
    weights = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        train([exemplar()], tmp_path / name, config=TINY,
              options=TrainOptions(**{**options.__dict__, "seed": seed}))
        weights.append(read_safetensors(tmp_path / name / "generator.safetensors")[0])
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])
    assert not all(torch.equal(weights[0][k], weights[2][k]) for k in weights[0])


def test_round_trip_gives_identical_outputs(model_dir):
    original = trained_generator()
    loaded = load_generator(model_dir)
    assert isinstance(loaded, DCGANGenerator) and loaded.config == TINY
    inputs = original.make_inputs(2, 16, 24, generator=torch.Generator().manual_seed(1))
    assert torch.equal(original.generate(inputs), loaded.generate(inputs))


@pytest.mark.parametrize("height, width", [(32, 48), (37, 21)])
def test_node_any_size_determinism_and_tiling(model_dir, height, width):
    # (texgen.testing.check_node would connect a mix_mask, which a DCGAN refuses.)
    first = render(model_dir, seed=1, height=height, width=width)
    assert first.shape == (height, width, 3) and first.dtype == np.float32
    assert first.flags.c_contiguous and 0 <= first.min() and first.max() <= 1
    assert np.array_equal(first, render(model_dir, seed=1, height=height, width=width))
    assert not np.allclose(first, render(model_dir, seed=2, height=height, width=width),
                           atol=1e-4)
    assert seam_ratio(first) < 1.5


@pytest.mark.parametrize("key, value", [("truncation", 0.5), ("interpolation", 0.5),
                                        ("mix_layer", 1),
                                        ("mix_mask", np.zeros((32, 32, 1), np.float32))])
def test_node_refuses_style_parameters(model_dir, key, value):
    with pytest.raises(ValueError, match=f"'{key}'.*dcgan: it has no styles"):
        render(model_dir, **{key: value})


def test_config_and_cli_refuse_what_a_dcgan_cannot_do(tmp_path):
    with pytest.raises(ValueError, match="periodic must be >= 0, and 0 for arch 'dcgan'"):
        ModelConfig(arch="dcgan", periodic=2)
    with pytest.raises(ValueError, match="dcgan model is unconditional"):
        ModelConfig(arch="dcgan", num_classes=2)
    with pytest.raises(ValueError, match="arch must be one of stylegan, dcgan"):
        ModelConfig(arch="vgg")
    path = tmp_path / "ex.png"
    path.write_bytes(encode_png(exemplar()))
    args = ["train", "stylegan", str(path), "-o", str(tmp_path / "m"), "--arch", "dcgan",
            "--steps", "1", "--crop", "16", "--batch", "2", "--channels", "8,8",
            "--d-channels", "8,8", "--sample-every", "0", "-q"]
    assert main(args) == 0
    assert load_generator(tmp_path / "m").config.arch == "dcgan"
    assert main([*args[:3], str(path), *args[3:]]) == 2  # two exemplars: conditional
    assert not (tmp_path / "m2").exists()
