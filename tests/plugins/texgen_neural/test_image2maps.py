"""image2maps: the learned photo → normal / height model, its files, node, training and data."""

import json
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from texgen.cli import main  # noqa: E402
from texgen.io import encode_png  # noqa: E402
from texgen.nodes import NodeContext, ParamValueError  # noqa: E402
from texgen.testing import check_node  # noqa: E402
from texgen_filters.material import normal_map  # noqa: E402
from texgen_neural.checkpoint import CheckpointError, save_model  # noqa: E402
from texgen_neural.image2maps import data as data_module  # noqa: E402
from texgen_neural.image2maps import model as model_module  # noqa: E402
from texgen_neural.image2maps import predict as predict_module  # noqa: E402
from texgen_neural.image2maps.config import (  # noqa: E402
    FORMAT,  # noqa: E402
    DataSettings,
    NetConfig,
    TrainOptions,
)
from texgen_neural.image2maps.data import (  # noqa: E402
    Dataset,
    classical_maps,
    decode_normal,
    load_dataset,
)
from texgen_neural.image2maps.model import (  # noqa: E402
    SYMMETRIES,
    PooledFeatures,
    UNet,
    augment,
    refine,
    refine_symmetric,
    transform_normals,
    turn,
    unet_in_bands,
    upsample_axis,
)
from texgen_neural.image2maps.predict import (  # noqa: E402
    SHIPPED,
    image_to_material,
    load_unet,
    network_inputs,
    predict_maps,
    set_aside,
)
from texgen_neural.image2maps.train import train  # noqa: E402
from texgen_neural.model import upsample_wrap  # noqa: E402
from texgen_neural.tiling import ChannelStack  # noqa: E402

# the whole correction applied (the default applies a share), so the tests see what it learns
TINY = NetConfig(channels=(4, 8), d_channels=(4,), correction_scale=1.0)
NODE = dict(convention="opengl", roughness="classical")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny networks run fastest on one thread (and a shared machine stays responsive)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_unet(seed=0):
    """A random U-Net whose head is not zero, so it changes the classical estimate."""
    torch.manual_seed(seed)
    unet = UNet(TINY)
    torch.nn.init.normal_(unet.head.weight, std=0.3)
    return unet.eval().requires_grad_(False)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("image2maps")
    save_model(tiny_unet(), TINY, folder, format=FORMAT)
    return folder


def tiling_photo(height=64, width=64, seed=0):
    """A color photo that tiles: a sum of whole-period waves, plus wrapped noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[:height, :width]
    wave = (np.sin(2 * np.pi * (3 * x / width + 2 * y / height))
            + 0.5 * np.cos(2 * np.pi * 5 * y / height))
    noise = np.fft.ifft2(np.fft.fft2(rng.random((height, width)))
                         * (np.abs(np.fft.fftfreq(height))[:, None] < 0.2)).real
    gray = 0.5 + 0.15 * wave + 0.3 * (noise - noise.mean())
    return np.clip(gray[..., None] * np.array([1.0, 0.8, 0.6]), 0, 1).astype(np.float32)


def run_node(photo, model, **params):
    ctx = NodeContext(node_id="maps", width=photo.shape[1], height=photo.shape[0], seed=0)
    return image_to_material(ctx, image=photo, model=model, **{**NODE, **params})


def random_dataset(n=4, size=32, seed=0):
    rng = np.random.default_rng(seed)
    normals = decode_normal(rng.uniform(0.3, 0.7, (n, size, size, 3)) * [1, 1, 0] + [0, 0, 1])
    inputs = np.concatenate([rng.random((n, size, size, 4)), normals], -1)
    targets = np.concatenate([normals[..., ::-1] * [0.2, 0.2, 1], rng.random((n, size, size, 2))],
                             -1)
    targets[..., :3] = decode_normal(targets[..., :3] * 0.5 + 0.5)
    return Dataset(inputs.transpose(0, 3, 1, 2).astype(np.float16),
                   targets.transpose(0, 3, 1, 2).astype(np.float16),
                   rng.random((n, 1, size, size)).astype(np.float16),
                   np.array([[0, -1]] * n, np.int16), ["random"])


# --- model files ---------------------------------------------------------------------------------

def test_model_file_round_trips_with_identical_outputs(tiny_model):
    inputs = torch.from_numpy(np.random.default_rng(1).random((1, 7, 32, 32), np.float32))
    loaded = load_unet(tiny_model)
    assert loaded.config == TINY
    assert torch.equal(loaded(inputs), tiny_unet()(inputs))
    record = json.loads((tiny_model / "model.json").read_text())
    assert record["format"] == "texgen.image2maps" and record["config"]["channels"] == [4, 8]


def test_pickle_files_are_refused_naming_the_file(tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(tiny_unet().state_dict(), folder / "model.pt")
    with pytest.raises(CheckpointError, match=r"pickled.*model\.pt.*pickle"):
        load_unet(folder)
    (folder / "generator.safetensors").write_bytes(pickle.dumps({"w": [1, 2]}))
    with pytest.raises(CheckpointError, match=r"generator\.safetensors.*pickle"):
        load_unet(folder)
    with pytest.raises(ParamValueError, match=r"maps.*model.*generator\.safetensors.*pickle"):
        run_node(tiling_photo(16, 16), folder)


def test_a_stylegan_file_is_not_taken_for_an_image2maps_model(tmp_path):
    from texgen_neural.checkpoint import save_generator
    from texgen_neural.model import Generator, ModelConfig

    save_generator(Generator(ModelConfig(channels=(8, 8), d_channels=(8,))), tmp_path)
    with pytest.raises(CheckpointError, match="texgen.stylegan.*expected 'texgen.image2maps'"):
        load_unet(tmp_path)


# --- the node ------------------------------------------------------------------------------------

def test_node_conformance_any_size_and_tiling(tiny_model, texgen_engine):
    check_node(texgen_engine.registry.get("neural.image_to_material"),
               params={"model": tiny_model})


def test_output_of_a_rolled_input_is_the_rolled_output(tiny_model):
    photo = tiling_photo(64, 64)
    maps = run_node(photo, tiny_model)
    rolled = run_node(np.roll(photo, (32, 32), axis=(0, 1)), tiny_model)
    for key in ("normal", "height"):
        np.testing.assert_allclose(rolled[key], np.roll(maps[key], (32, 32), axis=(0, 1)),
                                   atol=2e-5)
    # and the refinement changed the classical normal (the check is not vacuous)
    assert np.abs(maps["normal"] - classical_maps(photo)["normal"]).max() > 0.05


def test_normals_unit_length_in_both_conventions_at_odd_sizes(tiny_model):
    photo = tiling_photo(45, 37)
    opengl = run_node(photo, tiny_model)
    directx = run_node(photo, tiny_model, convention="directx")
    assert opengl["normal"].shape == (45, 37, 3) and opengl["height"].shape == (45, 37, 1)
    length = np.linalg.norm(opengl["normal"] * 2 - 1, axis=-1)
    np.testing.assert_allclose(length, 1.0, atol=1e-4)
    np.testing.assert_allclose(directx["normal"][..., 1], 1 - opengl["normal"][..., 1], atol=1e-6)
    np.testing.assert_array_equal(directx["normal"][..., [0, 2]], opengl["normal"][..., [0, 2]])
    assert opengl["height"].min() == 0.0 and opengl["height"].max() == 1.0


def test_refine_pads_sizes_off_the_stride_and_keeps_them():
    unet = tiny_unet()
    inputs = torch.rand(1, 7, 13, 22)
    assert refine(unet, inputs).shape == (1, 5, 13, 22)
    with pytest.raises(RuntimeError):
        unet(inputs)  # the bare network needs multiples of the stride


@pytest.mark.skipif(not (SHIPPED / "generator.safetensors").is_file(), reason="no shipped model")
# --- the U-Net in bands (small tiles forced: at these sizes refine runs it whole) ----------------

def network_input(height=128, width=96, seed=0):
    return torch.rand(1, 7, height, width, generator=torch.Generator().manual_seed(seed))


def test_upsampling_splits_into_its_two_axes():
    x = torch.randn(1, 3, 10, 7, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(upsample_axis(upsample_axis(x, -1), -2), upsample_wrap(x),
                               atol=2e-6, rtol=0)
    assert upsample_axis(x, -2).shape == (1, 3, 20, 7)


def test_banded_unet_equals_the_whole_unet_rolls_and_repeats():
    """Holding its grids in float32: within float rounding (the one-dimensional FFTs and a
    band's convolutions round differently from the whole image's); rolling the input by a
    multiple of the stride rolls the output; the same call twice gives the same bytes."""
    unet = load_unet(SHIPPED)
    x = network_input()
    whole = unet(x)
    banded = unet_in_bands(unet, x, tile=16, held_dtype=torch.float32)
    torch.testing.assert_close(banded, whole, atol=1e-5, rtol=0)
    assert torch.equal(banded, unet_in_bands(unet, x, tile=16, held_dtype=torch.float32))
    rolled = unet_in_bands(unet, x.roll((24, -16), dims=(2, 3)), tile=16,
                           held_dtype=torch.float32)
    torch.testing.assert_close(rolled, banded.roll((24, -16), dims=(2, 3)), atol=1e-5, rtol=0)
    tiny, small = tiny_unet(), x[..., :64, :48]
    torch.testing.assert_close(unet_in_bands(tiny, small, tile=8, held_dtype=torch.float32),
                               tiny(small), atol=1e-5, rtol=0)


def test_banded_unet_holding_half_precision_stays_near_the_whole_unet():
    """The default float16 grids move the maps by half-precision rounding of the features:
    normals by hundredths of a degree, heights by less than a thousandth; the bytes
    repeat."""
    unet = tiny_unet()
    x = network_input()
    whole = unet(x)
    banded = unet_in_bands(unet, x, tile=16)
    assert banded.dtype == torch.float32
    assert torch.equal(banded, unet_in_bands(unet, x, tile=16))
    assert not torch.equal(banded, unet_in_bands(unet, x, tile=16, held_dtype=torch.float32))
    cosine = (banded[:, :3] * whole[:, :3]).sum(1).double().clamp(max=1.0)
    degrees = torch.rad2deg(torch.acos(cosine)).flatten()
    # (the largest moves are at normals this random net lays nearly flat, where z is clamped)
    assert degrees.mean() < 0.02 and degrees.quantile(0.99) < 0.1
    torch.testing.assert_close(banded[:, 3:], whole[:, 3:], atol=1e-3, rtol=0)


def test_pooled_features_compute_the_windows_they_are_read_at():
    """``PooledFeatures`` equals the pooled block output held whole, at any run of rows and
    columns (wrapping past the edge) and in tiles; a scattered selection is refused."""
    unet = tiny_unet()
    block, x = unet.down[0], network_input(height=32, width=24)
    held = torch.nn.functional.avg_pool2d(block(x), 2)          # (1, C, 16, 12)
    lazy = PooledFeatures(block, x, held.shape[1], tile=8)
    assert lazy.shape == held.shape
    torch.testing.assert_close(lazy[...], held, atol=1e-6, rtol=0)
    rows, cols = torch.arange(13, 19) % 16, torch.arange(-3, 4) % 12
    window = lazy.index_select(-2, rows).index_select(-1, cols)
    assert window.shape == (1, held.shape[1], 6, 7)
    torch.testing.assert_close(window[...], held[..., rows, :][..., cols], atol=1e-6, rtol=0)
    torch.testing.assert_close(window.index_select(-1, torch.arange(2, 5))[...],
                               held[..., rows, :][..., cols[2:5]], atol=1e-6, rtol=0)
    with pytest.raises(ValueError, match="consecutive"):
        lazy.index_select(-1, torch.tensor([0, 2]))[...]


def test_banded_unet_reads_a_channel_stack_and_splits_its_levels_exactly(monkeypatch):
    """The same bytes from the (1, 7, H, W) tensor, from a ChannelStack of a channel-last
    photo view and the other channels, and with the decoder's bands in one part or many."""
    unet = load_unet(SHIPPED)
    x = network_input()
    photo = x[0, :3].permute(1, 2, 0).contiguous().numpy()  # (H, W, 3), as the node gets it
    stack = ChannelStack(torch.from_numpy(photo).permute(2, 0, 1)[None], x[:, 3:])
    assert stack.shape == x.shape and torch.equal(stack[...], x)
    banded = unet_in_bands(unet, x, tile=16)
    assert torch.equal(unet_in_bands(unet, stack, tile=16), banded)
    monkeypatch.setattr(model_module, "WIDE_PARTS", 1)
    assert torch.equal(unet_in_bands(unet, x, tile=16), banded)
    monkeypatch.setattr(model_module, "WIDE_PARTS", 7)
    assert torch.equal(unet_in_bands(unet, x, tile=16), banded)


def test_set_aside_empties_the_dict_and_restores_the_same_bytes():
    rng = np.random.default_rng(3)
    arrays = {"basecolor": rng.random((6, 5, 3), dtype=np.float32),
              "ao": rng.random((6, 5, 1), dtype=np.float32)}
    copies = {name: array.copy() for name, array in arrays.items()}
    with set_aside(arrays):
        assert arrays == {}
    assert list(arrays) == ["basecolor", "ao"]
    for name, array in arrays.items():
        np.testing.assert_array_equal(array, copies[name])
        assert array.dtype == np.float32
    with pytest.raises(RuntimeError, match="stop"), set_aside(arrays):
        raise RuntimeError("stop")
    np.testing.assert_array_equal(arrays["ao"], copies["ao"])  # back after an error too


def test_predict_maps_above_the_whole_size_runs_banded_and_keeps_the_classical_maps(
        monkeypatch):
    """Above ``WHOLE_PIXELS`` the network runs in bands (its float16 grids round a little)
    while the classical maps wait in a temporary file: the same classical bytes, and maps
    within rounding of the whole network's."""
    rng = np.random.default_rng(8)
    photo = rng.random((48, 40, 3), dtype=np.float32)
    unet = tiny_unet()
    whole = predict_maps(photo, unet)
    monkeypatch.setattr(model_module, "WHOLE_PIXELS", 16 * 16)
    monkeypatch.setattr(model_module.refine, "__kwdefaults__", {"tile": 8})  # real bands
    calls = []
    monkeypatch.setattr(predict_module, "set_aside",
                        lambda arrays: calls.append(sorted(arrays)) or set_aside(arrays))
    banded = predict_maps(photo, unet)
    assert calls == [["ao", "basecolor", "roughness"]]
    for name in ("basecolor", "ao", "classical_roughness"):
        np.testing.assert_array_equal(banded[name], whole[name])
    np.testing.assert_allclose(banded["normal"], whole["normal"], atol=2e-3)
    np.testing.assert_allclose(banded["height"], whole["height"], atol=2e-3)


def test_network_inputs_read_the_photo_without_copying_it():
    rng = np.random.default_rng(6)
    photo = rng.random((40, 56, 3), dtype=np.float32)
    photo.flags.writeable = False  # as the evaluator hands it over
    classical = classical_maps(photo, tileable=True)
    inputs = network_inputs(photo, classical)
    colors, guides = inputs.parts
    assert np.shares_memory(colors.numpy(), photo)
    assert inputs.shape == (1, 7, 40, 56)
    whole = inputs[...].numpy()[0]
    np.testing.assert_array_equal(whole[:3], np.moveaxis(photo, -1, 0))
    height = classical["height"][..., 0]
    np.testing.assert_allclose(whole[3], (height - height.mean()) / height.std(), atol=1e-5)
    np.testing.assert_allclose(whole[4:], np.moveaxis(decode_normal(classical["normal"]),
                                                      -1, 0))


def test_refine_runs_small_images_whole():
    unet = load_unet(SHIPPED)
    x = network_input(64, 48)
    assert torch.equal(refine(unet, x), unet(x))


def test_shipped_model_gives_a_near_flat_normal_for_a_flat_photo():
    maps = run_node(np.full((48, 48, 3), 0.45, np.float32), None)
    normal = decode_normal(maps["normal"])
    angle = np.degrees(np.arccos(np.clip(normal[..., 2], -1, 1)))
    assert angle.max() < 3.0
    assert load_unet(SHIPPED).config == NetConfig()
    assert (SHIPPED / "generator.safetensors").stat().st_size <= 5 * 2**20


@pytest.mark.skipif(not (SHIPPED / "generator.safetensors").is_file(), reason="no shipped model")
def test_demo_preset_uses_the_shipped_model(texgen_engine):
    maps = texgen_engine.render("photo_to_material", size=48)
    assert sorted(maps) == ["ao", "basecolor", "height", "normal", "roughness"]
    np.testing.assert_allclose(np.linalg.norm(maps["normal"] * 2 - 1, axis=-1), 1.0, atol=1e-4)
    assert maps["height"].std() > 0.05  # the brick photo has relief


def test_learned_roughness_is_selectable(tiny_model):
    photo = tiling_photo(32, 32)
    classical = run_node(photo, tiny_model)["roughness"]
    learned = run_node(photo, tiny_model, roughness="learned")["roughness"]
    assert classical.shape == learned.shape == (32, 32, 1)
    assert not np.allclose(classical, learned)
    assert 0.0 < learned.min() and learned.max() < 1.0


# --- training ------------------------------------------------------------------------------------

def test_symmetries_turn_normals_like_the_pixels():
    rng = np.random.default_rng(0)
    height = rng.random((16, 16, 1)).astype(np.float32)
    ctx = NodeContext(node_id="n", width=16, height=16, seed=0)

    def normals(h):
        n = decode_normal(normal_map(ctx, height=np.ascontiguousarray(h), strength=5.0,
                                     convention="opengl"))
        return torch.from_numpy(n.transpose(2, 0, 1))[None]

    as_tensor = torch.from_numpy(height.transpose(2, 0, 1))[None]
    for symmetry in [(a, b, c) for a in (0, 1) for b in (0, 1) for c in (0, 1)]:
        moved = augment(as_tensor, *symmetry)[0].numpy().transpose(1, 2, 0)
        expected = normals(moved)
        got = transform_normals(augment(normals(height), *symmetry), *symmetry)
        np.testing.assert_allclose(got, expected, atol=1e-5, err_msg=str(symmetry))


def test_training_is_deterministic_by_seed_and_learns(tmp_path):
    dataset = random_dataset()
    options = TrainOptions(steps=2, crop=32, batch=2, checkpoint_every=0)
    first = train(dataset, tmp_path / "a", config=TINY, options=options)
    again = train(dataset, tmp_path / "b", config=TINY, options=options)
    other = train(dataset, tmp_path / "c", config=TINY,
                  options=TrainOptions(**{**options.__dict__, "seed": 1}))
    a, b, c = (load_unet(tmp_path / k).state_dict() for k in "abc")
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)
    assert first["losses"] == again["losses"] != other["losses"]
    assert a["head.weight"].abs().sum() > 0  # the zero-initialised head moved
    assert first["step"] == 2 and set(first["metrics"]) >= {"normal_error_learned"}


def test_linear_decay_lowers_the_rate_to_zero_after_the_last_step():
    options = TrainOptions(steps=4, lr=0.004, lr_decay="linear")
    assert [options.rate(step) for step in (1, 2, 3, 4)] == pytest.approx(
        [0.004, 0.003, 0.002, 0.001])
    assert TrainOptions(steps=4, lr=0.002).rate(3) == 0.002
    with pytest.raises(ValueError, match="lr_decay must be one of constant, linear"):
        TrainOptions(lr_decay="cosine")


def test_training_follows_the_rate_schedule(tmp_path):
    dataset = random_dataset()
    weights = {}
    for steps, decay in ((1, "constant"), (1, "linear"), (2, "constant"), (2, "linear")):
        folder = tmp_path / f"{steps}{decay}"
        train(dataset, folder, config=TINY, options=TrainOptions(
            steps=steps, crop=32, batch=2, checkpoint_every=0, lr_decay=decay))
        weights[steps, decay] = load_unet(folder).state_dict()

    def same(a, b):
        return all(torch.equal(weights[a][k], weights[b][k]) for k in weights[a])

    assert same((1, "constant"), (1, "linear"))  # the first step runs at the full rate
    assert not same((2, "constant"), (2, "linear"))  # the second at half of it


def test_correction_scale_shrinks_the_corrections_towards_the_classical_estimate():
    unet = tiny_unet()
    inputs = torch.from_numpy(random_dataset(n=1).inputs).float()
    with torch.no_grad():
        whole = unet(inputs)
        unet.correction_scale = 0.0
        classical = unet(inputs)
        unet.correction_scale = 0.5
        half = unet(inputs)
    given = torch.cat([inputs[:, 4:6] * unet.slope_gain, inputs[:, 6:7]], 1)
    torch.testing.assert_close(classical[:, :3], given / given.norm(dim=1, keepdim=True))
    torch.testing.assert_close(classical[:, 3], inputs[:, 3])
    torch.testing.assert_close(half[:, 3], (whole[:, 3] + classical[:, 3]) / 2)
    torch.testing.assert_close(half[:, 4], whole[:, 4])  # the roughness is not shrunk
    assert (half[:, :3] - whole[:, :3]).abs().max() > 1e-3
    assert (half[:, :3] * half[:, :3]).sum(1).sub(1).abs().max() < 1e-5


def test_correction_scale_is_stored_and_applied_only_when_the_model_runs(tmp_path):
    dataset = random_dataset()
    options = TrainOptions(steps=2, crop=32, batch=2, checkpoint_every=0)
    shrunk = NetConfig(channels=TINY.channels, d_channels=TINY.d_channels,
                       correction_scale=0.25)
    train(dataset, tmp_path / "whole", config=TINY, options=options)
    train(dataset, tmp_path / "shrunk", config=shrunk, options=options)
    whole, loaded = load_unet(tmp_path / "whole"), load_unet(tmp_path / "shrunk")
    assert loaded.config == shrunk and loaded.correction_scale == 0.25
    assert NetConfig.from_dict(shrunk.to_dict()) == shrunk
    # trained alike (the whole correction is learned), the share applied when it runs
    assert all(torch.equal(whole.state_dict()[k], v) for k, v in loaded.state_dict().items())
    with pytest.raises(ValueError, match="correction_scale must be in"):
        NetConfig(correction_scale=1.5)


def test_training_resumes_from_its_state(tmp_path):
    dataset = random_dataset()
    options = TrainOptions(steps=2, crop=32, batch=2, checkpoint_every=1)
    train(dataset, tmp_path, config=TINY, options=options)
    resumed = train(dataset, tmp_path, options=TrainOptions(steps=3), resume=True)
    assert resumed["step"] == 3 and resumed["options"]["crop"] == 32


def test_cli_trains_two_steps_and_writes_a_loadable_model(tmp_path):
    output = tmp_path / "model"
    args = ["train", "image2maps", "-o", str(output), "--presets", "rock", "--presets",
            "marble", "--samples", "2", "--size", "32", "--crop", "32", "--batch", "2",
            "--procedural", "3", "--steps", "2", "--cache", str(tmp_path / "cache"), "-q"]
    assert main(args) == 0
    assert load_unet(output).config == NetConfig()
    record = json.loads((output / "model.json").read_text())
    assert record["training"]["step"] == 2
    assert record["training"]["data"]["presets"] == ["rock", "marble"]
    assert record["training"]["data"]["procedural"] == 3
    (cached,) = (tmp_path / "cache").iterdir()
    inputs = np.load(cached / "inputs.npy")
    assert inputs.dtype == np.float16 and len(inputs) == 2 * 2 + 3
    wide = tmp_path / "wide"
    assert main([*args[:2], "-o", str(wide), *args[4:], "--channels", "4,8", "--lr", "0.001",
                 "--lr-decay", "linear", "--correction-scale", "0.5"]) == 0
    assert load_unet(wide).config == NetConfig(channels=(4, 8), correction_scale=0.5)
    options = json.loads((wide / "model.json").read_text())["training"]["options"]
    assert options["lr"] == 0.001 and options["lr_decay"] == "linear"
    assert main([*args[:-1], "--channels", "4,0", "-q"]) == 2
    assert main([*args[:-1], "--exclude", "lava", "-q"]) == 2  # not among the presets
    assert main([*args[:-1], "--crop", "12", "-q"]) == 2  # not a multiple of the stride


# --- data ----------------------------------------------------------------------------------------

def test_dataset_is_rendered_once_and_read_back(tmp_path, monkeypatch, texgen_engine):
    settings = DataSettings(presets=("rock", "marble"), size=32, samples=2, mix=1.0,
                            procedural=0)
    first = load_dataset(settings, engine=texgen_engine, cache=tmp_path)
    assert first.inputs.shape == (4, 7, 32, 32) and first.targets.shape == (4, 5, 32, 32)
    assert first.materials.tolist() == [[0, 1], [0, 1], [1, 0], [1, 0]]
    normals = first.targets[:, :3].astype(np.float32)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=2e-3)
    heights = first.targets[:, 3].astype(np.float32)
    np.testing.assert_allclose(heights.mean(axis=(1, 2)), 0.0, atol=1e-2)
    np.testing.assert_allclose(heights.std(axis=(1, 2)), 1.0, atol=1e-2)

    def no_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(data_module, "render_sample", no_render)
    again = load_dataset(settings, engine=texgen_engine, cache=tmp_path)
    np.testing.assert_array_equal(again.inputs, first.inputs)
    assert first.involving("rock").all() and len(first.subset(first.materials[:, 1] == 0)) == 2


def test_maps_command_with_the_learned_model(tmp_path, tiny_model):
    photo = tmp_path / "wall.png"
    photo.write_bytes(encode_png(tiling_photo(32, 32)))
    out = tmp_path / "out"
    assert main(["maps", str(photo), "-o", str(out), "--model", str(tiny_model),
                 "--tileable", "-q"]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"wall_{m}.png" for m in ("basecolor", "height", "normal", "ao", "roughness"))
    assert main(["maps", str(photo), "-o", str(out), "--model", str(tiny_model),
                 "--strength", "3", "-q"]) == 2


def test_slope_gain_has_the_least_mean_angle():
    from texgen_neural.image2maps.metrics import normal_error, slope_gain, with_slope_gain

    dataset = random_dataset()
    classical = dataset.inputs[:, 4:7].astype(np.float32)
    dataset.targets[:, :3] = np.stack([with_slope_gain(n, g)
                                       for n, g in zip(classical, (0.2, 0.3, 0.8, 1.2))])
    gain = slope_gain(dataset, stride=1)

    def mean_angle(g):
        return np.mean([normal_error(with_slope_gain(given[4:7].astype(np.float32), g),
                                     target[:3].astype(np.float32))
                        for given, target in zip(dataset.inputs, dataset.targets)])

    assert 0.0 < gain < 2.0
    assert mean_angle(gain) < min(mean_angle(gain - 0.05), mean_angle(gain + 0.05))


def test_combine_tilt_direction_takes_tilt_from_one_and_direction_from_the_other():
    from texgen_neural.image2maps.metrics import combine_tilt_direction

    def normal(tilt_degrees, azimuth_degrees):
        t, a = np.radians(tilt_degrees), np.radians(azimuth_degrees)
        return np.array([np.sin(t) * np.cos(a), np.sin(t) * np.sin(a), np.cos(t)])[:, None,
                                                                                     None]

    tilted = np.concatenate([normal(30, 10), normal(60, 200), normal(20, 90)], axis=2)
    turned = np.concatenate([normal(5, 100), normal(80, -45), normal(0, 0)], axis=2)
    combined = combine_tilt_direction(tilted, turned)
    expected = np.concatenate([normal(30, 100), normal(60, -45), normal(20, 90)], axis=2)
    np.testing.assert_allclose(combined, expected, atol=1e-6)  # flat direction: kept
    np.testing.assert_allclose(np.linalg.norm(combined, axis=0), 1.0, atol=1e-6)


def test_training_holds_the_slope_gain_at_the_node_default(tmp_path):
    """The untrained network is the classical node's estimate; training moves only the
    corrections, even where another gain would fit the training set better."""
    from texgen_neural.image2maps.metrics import NODE_GAIN, slope_gain, with_slope_gain

    dataset = random_dataset()
    classical = dataset.inputs[:, 4:7].astype(np.float32)
    dataset.targets[:, :3] = np.stack([with_slope_gain(n, 0.9) for n in classical])
    assert slope_gain(dataset) == pytest.approx(0.9, abs=2e-3)  # float16 storage
    train(dataset, tmp_path, config=TINY,
          options=TrainOptions(steps=3, crop=32, batch=2, lr=0.01, checkpoint_every=0))
    unet = load_unet(tmp_path)
    assert unet.slope_gain.item() == pytest.approx(NODE_GAIN, abs=1e-7)
    assert unet.head.weight.abs().sum() > 0


def test_normal_loss_is_the_chord_between_the_unit_vectors():
    from texgen_neural.image2maps.train import Networks, generator_step

    angle = 0.2
    nets = Networks.build(TINY, TrainOptions(), torch.device("cpu"))
    inputs = torch.rand(2, 7, 16, 16)
    targets = torch.zeros(2, 5, 16, 16)
    targets[:, 2] = 1.0
    fakes = targets.clone()
    fakes[:, 0], fakes[:, 2] = np.sin(angle), np.cos(angle)
    terms = generator_step(nets, inputs, targets, fakes.requires_grad_(True), TrainOptions())
    assert terms["normal"] == pytest.approx(2 * np.sin(angle / 2), rel=1e-5)
    assert terms["height"] == 0.0 and terms["roughness"] == 0.0


def test_the_network_reads_the_classical_normal_at_its_fixed_strength():
    """The node's default strength may change; what the networks read stays at
    INPUT_STRENGTH, and scaling its slope by a gain is that strength times the gain."""
    from texgen_filters.image_to_material import image_to_material as classical_node
    from texgen_filters.specs_photo import IMAGE_TO_MATERIAL
    from texgen_neural.image2maps.metrics import NODE_GAIN, with_slope_gain

    photo = np.random.default_rng(2).random((32, 32, 3)).astype(np.float32)
    params = {p.name: p.default for p in IMAGE_TO_MATERIAL.params}

    def normal(strength):
        ctx = NodeContext("n", 32, 32, seed=0, tileable=True)
        return decode_normal(classical_node(ctx, input=photo, **{**params,
                                                                 "strength": strength})["normal"])

    read = decode_normal(classical_maps(photo)["normal"])
    np.testing.assert_allclose(read, normal(data_module.INPUT_STRENGTH), atol=1e-6)
    node_default = IMAGE_TO_MATERIAL.param("strength").default
    assert NODE_GAIN == pytest.approx(node_default / data_module.INPUT_STRENGTH)
    gained = with_slope_gain(read.transpose(2, 0, 1), NODE_GAIN).transpose(1, 2, 0)
    np.testing.assert_allclose(gained, normal(node_default), atol=1e-5)


def test_turns_are_undone_by_their_inverse_and_symmetric_refinement_is_invariant():
    maps = torch.randn(2, 7, 12, 16)
    for symmetry in SYMMETRIES:
        turned = turn(maps, 4, *symmetry)
        assert turned.shape[-2:] == ((16, 12) if symmetry[2] else (12, 16))
        torch.testing.assert_close(turn(turned, 4, *symmetry, inverse=True), maps,
                                   rtol=0, atol=0)
    unet = tiny_unet()
    picture = tiling_photo(32, 32)
    photo = network_inputs(picture, classical_maps(picture, tileable=True))[...]
    with torch.no_grad():
        plain, averaged = refine(unet, photo), refine_symmetric(unet, photo)
        for symmetry in SYMMETRIES[1:]:  # asking a turned photo gives the turned answer
            again = refine_symmetric(unet, turn(photo, 4, *symmetry))
            torch.testing.assert_close(turn(again, 0, *symmetry, inverse=True), averaged,
                                       rtol=0, atol=1e-5)
    np.testing.assert_allclose(averaged[:, :3].norm(dim=1).numpy(), 1.0, atol=1e-5)
    assert not torch.allclose(plain, averaged, atol=1e-4)
