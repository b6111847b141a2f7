"""vae: the material VAE, its files, node, training, stacks, metrics and the shipped model."""

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
from texgen_filters.material import normal_map  # noqa: E402
from texgen_neural.checkpoint import CheckpointError, save_model  # noqa: E402
from texgen_neural.model import resample_wrap  # noqa: E402
from texgen_neural.nodes import vae as vae_node  # noqa: E402
from texgen_neural.vae.config import FORMAT, TrainOptions, VaeConfig  # noqa: E402
from texgen_neural.vae.data import load_stacks, stack_of  # noqa: E402
from texgen_neural.vae.metrics import (  # noqa: E402
    fitted_strength,
    maps_of,
    morph_report,
    normal_error,
    random_phase_stack,
    stack_distance,
)
from texgen_neural.vae.model import (  # noqa: E402
    MaterialVAE,
    decode,
    encode,
    load_vae,
    map_levels,
    maps_to_stack,
    match_levels,
    resampled_stack,
    run_mode,
    run_mode_arrays,
    stack_to_maps,
)
from texgen_neural.vae.train import consistency, fitted_slope_scale, train  # noqa: E402

TINY = VaeConfig(channels=(4, 8, 8, 8), latent_channels=4, blocks=1, d_channels=(4, 8))
#: A stride-4 model (three levels) in a tiny model.
TINY_STRIDE_4 = VaeConfig(channels=(4, 8, 8), latent_channels=4, blocks=1, d_channels=(4, 8))
#: The shipped model's stride (2: two levels) in a tiny model.
TINY_STRIDE_2 = VaeConfig(channels=(4, 8), latent_channels=4, blocks=1, d_channels=(4, 8))
OPTIONS = TrainOptions(steps=2, crop=16, batch=2, sample_every=0, checkpoint_every=0)
SHIPPED = "pkg:texgen_neural/models/vae_ground"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny networks run fastest on one thread (and a shared machine stays responsive)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def tiny_vae(seed=0, config=TINY):
    torch.manual_seed(seed)
    return MaterialVAE(config).eval().requires_grad_(False)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vae")
    save_model(tiny_vae(), TINY, folder, format=FORMAT)
    return folder


def periodic_noise(rng, height, width, cutoff=0.2):
    """Band-limited periodic noise (height, width) in about [0, 1]."""
    spectrum = np.fft.fft2(rng.random((height, width)))
    low = (np.abs(np.fft.fftfreq(height))[:, None] < cutoff) \
        & (np.abs(np.fft.fftfreq(width))[None, :] < cutoff)
    noise = np.fft.ifft2(spectrum * low).real
    return 0.5 + 0.8 * (noise - noise.mean())


def tiling_maps(height=32, width=32, seed=0, tint=(1.0, 0.8, 0.6), strength=20.0):
    """A tiling PBR stack as maps: tinted noise basecolor, a noise height, its normal
    (``filters.normal_map`` at ``strength``) and a roughness following the height."""
    rng = np.random.default_rng(seed)
    height_map = periodic_noise(rng, height, width)[..., None].clip(0, 1).astype(np.float32)
    gray = periodic_noise(rng, height, width)[..., None]
    ctx = NodeContext("test", width, height, seed=0, tileable=True)
    return {"basecolor": np.clip(gray * np.array(tint), 0, 1).astype(np.float32),
            "height": height_map,
            "roughness": (0.3 + 0.4 * height_map).astype(np.float32),
            "normal": normal_map(ctx, height=height_map, strength=strength,
                                 convention="opengl")}


def as_stack(maps):
    return maps_to_stack(maps, "cpu")


def run_node(mode, model, size=(32, 32), seed=0, t=0.5, **inputs):
    ctx = NodeContext(node_id="morph", width=size[1], height=size[0], seed=seed)
    ports = {f"{name}{suffix}": None for name in ("basecolor", "height", "roughness", "normal")
             for suffix in ("", "_b")}
    for suffix, maps in inputs.items():
        ports.update({f"{name}{'' if suffix == 'a' else '_b'}": value
                      for name, value in maps.items()})
    return vae_node(ctx, model=model, mode=mode, t=t, **ports)


# --- the model -----------------------------------------------------------------------------------

@pytest.mark.parametrize("config", [TINY, TINY_STRIDE_4, TINY_STRIDE_2],
                         ids=["stride8", "stride4", "stride2"])
def test_rolling_the_input_by_the_stride_rolls_the_output(config):
    model = tiny_vae(config=config)
    x = as_stack(tiling_maps(32, 48))
    out = model(x)[0]
    shifted = model(x.roll((8, -16), dims=(2, 3)))[0]
    torch.testing.assert_close(shifted, out.roll((8, -16), dims=(2, 3)), atol=1e-5, rtol=0)
    assert out.shape == (1, 8, 32, 48) and out.abs().max() < 1


def test_wrap_around_is_like_the_interior():
    """Decoding a 2 x 2 tiling of a latent grid gives the 2 x 2 tiling of its decoding:
    across the border, each pixel sees the same neighbours as inside (so samples tile)."""
    model = tiny_vae()
    latent = torch.randn(1, TINY.latent_channels, 4, 6, generator=torch.Generator().manual_seed(3))
    tiled = model.decoder(latent.repeat(1, 1, 2, 2))
    torch.testing.assert_close(tiled, model.decoder(latent).repeat(1, 1, 2, 2), atol=1e-5,
                               rtol=0)
    x = as_stack(tiling_maps(32, 32))
    mean = model.encoder(x.repeat(1, 1, 2, 2))[0]
    torch.testing.assert_close(mean, model.encoder(x)[0].repeat(1, 1, 2, 2), atol=1e-5, rtol=0)


def test_any_size_in_every_mode():
    model = tiny_vae()
    a, b = tiling_maps(37, 50, seed=1), tiling_maps(37, 50, seed=2)
    for mode in ("sample", "reconstruct", "interpolate"):
        maps = run_mode_arrays(model, mode, height=37, width=50, a=a, b=b)
        assert {k: v.shape for k, v in maps.items()} == {
            "basecolor": (37, 50, 3), "height": (37, 50, 1), "roughness": (37, 50, 1),
            "normal": (37, 50, 3)}, mode
        assert all(v.dtype == np.float32 and 0 <= v.min() and v.max() <= 1
                   for v in maps.values())
        lengths = np.linalg.norm(maps["normal"] * 2 - 1, axis=-1)
        np.testing.assert_allclose(lengths, 1.0, atol=0.02)  # renormalised normals
    with pytest.raises(ValueError, match="mode 'blend': expected one of sample, reconstruct"):
        run_mode(model, "blend", height=8, width=8)


def test_interpolation_runs_from_one_reconstruction_to_the_other():
    model = tiny_vae()
    a, b = tiling_maps(32, 32, seed=1), tiling_maps(32, 32, seed=2, tint=(0.2, 0.5, 0.9))
    start = run_mode_arrays(model, "interpolate", height=32, width=32, a=a, b=b, t=0.0)
    end = run_mode_arrays(model, "interpolate", height=32, width=32, a=a, b=b, t=1.0)
    middle = run_mode_arrays(model, "interpolate", height=32, width=32, a=a, b=b, t=0.5)
    for out, source in ((start, a), (end, b)):
        expected = run_mode_arrays(model, "reconstruct", height=32, width=32, a=source)
        for name in expected:
            np.testing.assert_array_equal(out[name], expected[name])
    assert not np.array_equal(middle["basecolor"], start["basecolor"])
    assert not np.array_equal(middle["basecolor"], end["basecolor"])


def test_matched_levels_take_the_targets_means_and_contrasts_and_tilt_normals_alike():
    decoded = tiling_maps(32, 32, seed=3, strength=10.0)
    decoded = {name: value * 0.5 + 0.25 if name != "normal" else value
               for name, value in decoded.items()}  # flatter than the target
    target = tiling_maps(32, 32, seed=4, tint=(0.9, 0.5, 0.2))
    levels = map_levels(target)
    for name in ("basecolor", "roughness"):  # numpy's statistics, not the function's own
        np.testing.assert_allclose(levels[name][0], target[name].mean((0, 1)), atol=1e-6)
        np.testing.assert_allclose(levels[name][1], target[name].std((0, 1)), atol=1e-6)
    gain = target["height"].std() / decoded["height"].std()
    maps = {name: torch.from_numpy(np.array(value)) for name, value in decoded.items()}
    match_levels(maps, levels)
    for name in ("basecolor", "height", "roughness"):
        np.testing.assert_allclose(maps[name].numpy().mean((0, 1)), target[name].mean((0, 1)),
                                   atol=2e-3)
        np.testing.assert_allclose(maps[name].numpy().std((0, 1)), target[name].std((0, 1)),
                                   atol=2e-3)
    before, after = decoded["normal"] * 2 - 1, maps["normal"].numpy() * 2 - 1
    np.testing.assert_allclose(after[..., :2] / after[..., 2:], gain * before[..., :2]
                               / before[..., 2:], atol=1e-3)
    np.testing.assert_allclose(np.linalg.norm(after, axis=-1), 1.0, atol=1e-5)


def test_levels_input_or_decoder_and_unknown_levels_are_refused():
    model = tiny_vae()
    a = tiling_maps(32, 32, seed=1)
    matched = run_mode_arrays(model, "reconstruct", height=32, width=32, a=a)
    raw = run_mode_arrays(model, "reconstruct", height=32, width=32, a=a, levels="decoder")
    expected = {name: torch.from_numpy(value.copy()) for name, value in raw.items()}
    match_levels(expected, map_levels(a))
    for name in matched:
        np.testing.assert_array_equal(matched[name], expected[name].numpy())
    tint = a["basecolor"].mean((0, 1))  # about 0.5, 0.4, 0.3
    np.testing.assert_allclose(matched["basecolor"].mean((0, 1)), tint, atol=0.01)
    assert np.abs(raw["basecolor"].mean((0, 1)) - tint).max() > 0.05
    sampled = run_mode_arrays(model, "sample", height=32, width=32, seed=5)
    again = run_mode_arrays(model, "sample", height=32, width=32, seed=5, levels="decoder")
    for name in sampled:  # a sample has no input: the decoder's levels either way
        np.testing.assert_array_equal(sampled[name], again[name])
    with pytest.raises(ValueError, match="levels 'stack': expected one of input, decoder"):
        run_mode(model, "reconstruct", height=8, width=8, a=a, levels="stack")


def test_samples_are_determined_by_the_seed():
    model = tiny_vae()
    first = run_mode_arrays(model, "sample", height=24, width=40, seed=5)
    again = run_mode_arrays(model, "sample", height=24, width=40, seed=5)
    other = run_mode_arrays(model, "sample", height=24, width=40, seed=6)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["height"], other["height"])


# --- tiled inference (small tiles forced: at these sizes the default runs whole) ------------------

@pytest.mark.parametrize("config", [TINY, TINY_STRIDE_4, TINY_STRIDE_2],
                         ids=["stride8", "stride4", "stride2"])
def test_tiled_encoder_and_decoder_equal_the_whole_networks(config):
    """Within float rounding: a tile's convolutions may sum in another order than the whole
    image's (texgen_neural.tiling); the same call twice gives the same bytes. The halos
    (``encoder_halo``, ``decoder_halo``) follow the stride."""
    model = tiny_vae(config=config)
    x = as_stack(tiling_maps(192, 208))
    torch.testing.assert_close(encode(model, x, tile=16), model.encoder(x)[0], atol=1e-5,
                               rtol=0)
    latent = torch.randn(1, config.latent_channels, 192 // config.stride, 208 // config.stride,
                         generator=torch.Generator().manual_seed(4))
    stack = decode(model, latent, 192, 208, tile=16)
    torch.testing.assert_close(stack, model.decoder(latent), atol=1e-5, rtol=0)
    assert torch.equal(stack, decode(model, latent, 192, 208, tile=16))


def test_tiled_modes_equal_untiled_tile_and_repeat():
    """The node's maps in tiles against whole: 1e-5, the normal 1e-4 (renormalising the tiny
    untrained decoder's short normal vectors magnifies the rounding) times
    ``MAX_CONTRAST_GAIN`` where reconstruct's levels scale its slopes."""
    model = tiny_vae()
    a = tiling_maps(192, 208, seed=1)
    shift = (16, -24)
    rolled_a = {name: np.roll(value, shift, axis=(0, 1)) for name, value in a.items()}
    for mode in ("sample", "reconstruct"):
        tiled = run_mode_arrays(model, mode, height=192, width=208, a=a, seed=2, tile=16)
        whole = run_mode_arrays(model, mode, height=192, width=208, a=a, seed=2, tile=4096)
        again = run_mode_arrays(model, mode, height=192, width=208, a=a, seed=2, tile=16)
        for name in whole:
            atol = 1e-5 if name != "normal" else 1e-4 if mode == "sample" else 8e-4
            np.testing.assert_allclose(tiled[name], whole[name], atol=atol, rtol=0)
            np.testing.assert_array_equal(tiled[name], again[name])
    tiled = run_mode_arrays(model, "reconstruct", height=192, width=208, a=a, tile=16)
    rolled = run_mode_arrays(model, "reconstruct", height=192, width=208, a=rolled_a, tile=16)
    for name in tiled:
        np.testing.assert_allclose(rolled[name], np.roll(tiled[name], shift, axis=(0, 1)),
                                   atol=8e-4 if name == "normal" else 1e-5, rtol=0)


def test_stacks_resampled_by_column_bands_are_the_whole_stacks():
    maps = tiling_maps(600, 520, seed=3)
    for size in ((64, 48), (700, 530)):
        np.testing.assert_array_equal(resampled_stack(maps, "cpu", *size),
                                      resample_wrap(as_stack(maps), *size))


def test_maps_round_trip_through_a_stack():
    maps = tiling_maps(16, 24)
    back = {k: v.numpy() for k, v in stack_to_maps(as_stack(maps)).items()}
    for name in maps:
        np.testing.assert_allclose(back[name], maps[name], atol=1e-5)
    with pytest.raises(ValueError, match="height: 24x8 differs from the other maps' 24x16"):
        maps_to_stack({**maps, "height": np.zeros((8, 24, 1), np.float32)}, "cpu")


def test_model_file_round_trips_with_identical_outputs(tiny_model):
    loaded = load_vae(tiny_model)
    assert loaded.config == TINY
    x = as_stack(tiling_maps())
    assert torch.equal(loaded(x)[0], tiny_vae()(x)[0])
    latent = torch.randn(1, 4, 3, 5)
    assert torch.equal(decode(loaded, latent, 24, 40), decode(tiny_vae(), latent, 24, 40))
    record = json.loads((tiny_model / "model.json").read_text())
    assert record["format"] == "texgen.vae" and record["config"]["latent_channels"] == 4


def test_pickle_files_are_refused_naming_the_file(tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    torch.save(tiny_vae().state_dict(), folder / "model.pt")
    with pytest.raises(CheckpointError, match=r"pickled.*model\.pt.*pickle"):
        load_vae(folder)
    (folder / "generator.safetensors").write_bytes(pickle.dumps({"w": [1, 2]}))
    with pytest.raises(CheckpointError, match=r"generator\.safetensors.*pickle"):
        load_vae(folder)
    with pytest.raises(ParamValueError, match=r"morph.*model.*generator\.safetensors.*pickle"):
        run_node("sample", folder)


def test_a_cyclegan_file_is_not_taken_for_a_vae(tmp_path):
    from texgen_neural.cyclegan.config import FORMAT as CYCLEGAN
    from texgen_neural.cyclegan.config import CycleConfig
    from texgen_neural.cyclegan.model import CycleGAN

    config = CycleConfig(channels=4, blocks=0, d_channels=(4,))
    save_model(CycleGAN(config), config, tmp_path, format=CYCLEGAN)
    with pytest.raises(CheckpointError, match="texgen.cyclegan.*expected 'texgen.vae'"):
        load_vae(tmp_path)


# --- the node ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["sample", "reconstruct", "interpolate"])
def test_node_conformance_any_size_and_tiling(tiny_model, texgen_engine, mode):
    check_node(texgen_engine.registry.get("neural.vae"),
               params={"model": tiny_model, "mode": mode}, sizes=((64, 64), (37, 50)),
               generator=mode == "sample")


def test_node_outputs_are_the_models_and_missing_inputs_are_named(tiny_model):
    a, b = tiling_maps(seed=1), tiling_maps(seed=2)
    out = run_node("interpolate", tiny_model, t=0.25, a=a, b=b)
    expected = run_mode_arrays(tiny_vae(), "interpolate", height=32, width=32, a=a, b=b, t=0.25)
    for name in expected:
        np.testing.assert_allclose(out[name], expected[name], atol=1e-6)
    with pytest.raises(ParamValueError, match=r"morph.*basecolor_b.*'interpolate' needs"):
        run_node("interpolate", tiny_model, a=a)
    with pytest.raises(ParamValueError, match=r"morph.*roughness.*'reconstruct' needs"):
        run_node("reconstruct", tiny_model, a={k: v for k, v in a.items() if k != "roughness"})


def test_resolution_keeps_the_material_the_same_at_every_render_size():
    model = tiny_vae()
    a = tiling_maps(32, 32)
    large = {k: v.repeat(2, axis=0).repeat(2, axis=1) for k, v in a.items()}
    small_out = run_mode_arrays(model, "reconstruct", height=32, width=32, a=a, resolution=32)
    large_out = run_mode_arrays(model, "reconstruct", height=64, width=64, a=large,
                                resolution=32)
    halved = large_out["height"].reshape(32, 2, 32, 2, 1).mean(axis=(1, 3))
    assert np.abs(halved - small_out["height"]).mean() < 0.01


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_node_on_cuda_matches_cpu(tiny_model):
    from numba import cuda

    a = tiling_maps(40, 56)
    ctx = NodeContext(node_id="morph", width=56, height=40, seed=3, backend="cuda")
    ports = {name: cuda.to_device(value) for name, value in a.items()}
    ports.update({f"{name}_b": None for name in a})
    out = vae_node(ctx, model=tiny_model, mode="reconstruct", **ports)
    expected = run_node("reconstruct", tiny_model, size=(40, 56), seed=3, a=a)
    for name in expected:
        np.testing.assert_allclose(out[name].copy_to_host(), expected[name], atol=1e-4)


# --- training ------------------------------------------------------------------------------------

def stacks(count=2):
    return [stack_of(tiling_maps(32, 32, seed)) for seed in range(count)]


def test_training_is_deterministic_by_seed_and_moves_the_weights(tmp_path):
    first = train(stacks(), tmp_path / "a", config=TINY, options=OPTIONS,
                  report_stacks=stacks())
    again = train(stacks(), tmp_path / "b", config=TINY, options=OPTIONS)
    other = train(stacks(), tmp_path / "c", config=TINY,
                  options=TrainOptions(**{**OPTIONS.__dict__, "seed": 1}))
    trained, same, different = (load_vae(tmp_path / k).state_dict() for k in "abc")
    assert all(torch.equal(trained[k], same[k]) for k in trained)
    assert not all(torch.equal(trained[k], different[k]) for k in trained)
    initial = tiny_vae(OPTIONS.seed).state_dict()  # the same draw as the run's start
    assert all(not torch.equal(trained[k], initial[k]) for k in trained if k.endswith("weight"))
    assert set(first["losses"]) == {"L1", "frequency", "KL", "G", "consistency", "D"}
    assert all(np.isfinite(v) for v in first["losses"].values())
    assert first["losses"] == again["losses"] != other["losses"]
    assert first["step"] == 2
    per_map = {f"{prefix}patch_swd_{name}" for prefix in ("", "random_phase_")
               for name in ("basecolor", "height", "roughness", "normal")}
    assert set(first["metrics"]["reconstruction"]) == {
        "patch_swd", "random_phase_patch_swd", "l1", "normal_error", "input_normal_error",
        *per_map}
    report = first["metrics"]["reconstruction"]
    assert report["patch_swd"] == pytest.approx(np.mean(
        [report[f"patch_swd_{name}"] for name in ("basecolor", "height", "roughness",
                                                  "normal")]))
    assert first["metrics"]["morph"]["a_to_b"] > 0


def test_resumed_training_equals_an_uninterrupted_one(tmp_path):
    options = TrainOptions(**{**OPTIONS.__dict__, "steps": 4, "sample_every": 2})
    train(stacks(), tmp_path / "whole", config=TINY, options=options)
    train(stacks(), tmp_path / "parts", config=TINY,
          options=TrainOptions(**{**options.__dict__, "steps": 2}))
    resumed = train(stacks(), tmp_path / "parts", options=TrainOptions(steps=4), resume=True)
    whole, parts = (load_vae(tmp_path / k).state_dict() for k in ("whole", "parts"))
    assert all(torch.equal(whole[k], parts[k]) for k in whole)
    assert resumed["step"] == 4 and resumed["options"]["crop"] == 16
    assert sorted(p.name for p in (tmp_path / "whole" / "samples").iterdir()) == \
        ["step_000002.png", "step_000004.png"]


def test_consistency_is_zero_for_a_normal_derived_from_its_height_and_large_for_another():
    derived = as_stack(tiling_maps(32, 32, seed=0, strength=20.0))
    scale = fitted_slope_scale(derived)
    # normal_map's slope is strength / 100 x (width / 2) per unit of the [-1, 1] height step
    np.testing.assert_allclose(scale.flatten(), [0.2 * 16], rtol=1e-3)
    assert consistency(derived, scale) < 1e-3
    steeper = as_stack(tiling_maps(32, 32, seed=0, strength=60.0))
    assert consistency(steeper, fitted_slope_scale(steeper)) < 1e-3  # any strength fits
    assert consistency(steeper, scale) > 0.1  # but not another's
    mismatched = derived.clone()
    mismatched[:, 5:] = as_stack(tiling_maps(32, 32, seed=1, strength=20.0))[:, 5:]
    assert consistency(mismatched, scale) > 0.3
    flat = derived.clone()
    flat[:, 3] = 0.0
    assert fitted_slope_scale(flat).flatten().tolist() == [0.0]


def test_consistency_term_is_finite_and_moves_the_decoder():
    model = MaterialVAE(TINY)
    real = torch.cat([as_stack(tiling_maps(16, 16, seed)) for seed in range(2)])
    term = consistency(model(real)[0], fitted_slope_scale(real))
    term.backward()
    assert torch.isfinite(term) and term > 0
    for name, parameter in model.decoder.named_parameters():
        assert torch.isfinite(parameter.grad).all(), name
    assert model.decoder.head.weight.grad.abs().sum() > 0
    assert model.encoder.head.weight.grad.abs().sum() > 0  # through the latent too


def test_crop_must_fit_the_networks(tmp_path):
    with pytest.raises(ValueError, match="crop 12 must be a multiple of 8"):
        train(stacks(), tmp_path, config=TINY,
              options=TrainOptions(**{**OPTIONS.__dict__, "crop": 12}))
    with pytest.raises(ValueError, match="smaller than the 16-pixel crop"):
        train([stack_of(tiling_maps(8, 8))], tmp_path, config=TINY, options=OPTIONS)


def test_cli_trains_on_a_photo_and_a_preset(tmp_path):
    photo = tmp_path / "photo.png"
    photo.write_bytes(encode_png(tiling_maps(32, 32)["basecolor"]))
    output = tmp_path / "model"
    args = ["train", "vae", str(photo), "clouds", "-o", str(output), "--steps", "2",
            "--crop", "16", "--batch", "2", "--samples", "1", "--render-size", "32",
            "--cache", str(tmp_path / "cache"), "--kl-weight", "0.1", "--consistency-weight",
            "0.5", "--latent-channels", "8", "--channels", "4,8,8,16", "--blocks", "0", "-q"]
    assert main(args) == 0
    record = json.loads((output / "model.json").read_text())
    options = record["training"]["options"]
    assert record["training"]["step"] == 2 and options["kl_weight"] == 0.1
    assert options["consistency_weight"] == 0.5
    assert record["training"]["data"]["stacks"] == 2  # the photo and one clouds render
    assert load_vae(output).config == VaeConfig(channels=(4, 8, 8, 16), latent_channels=8,
                                                blocks=0)
    assert main([*args[:-1], "--crop", "20", "-q"]) == 2  # not a multiple of the networks'
    assert main([*args[:-1], "--channels", "4,0,8", "-q"]) == 2  # a level without channels
    assert main(["train", "vae", "no_such_preset", *args[3:]]) == 2


# --- the stacks and the metrics ------------------------------------------------------------------

def test_preset_stacks_are_rendered_at_random_values_and_cached(texgen_engine, tmp_path):
    rendered = load_stacks(["clouds"], engine=texgen_engine, size=32, samples=2,
                           cache=tmp_path)
    assert len(rendered) == 2 and rendered[0].shape == (32, 32, 8)
    assert rendered[0].dtype == np.float32 and 0 <= rendered[0].min() <= rendered[0].max() <= 1
    assert not np.array_equal(rendered[0], rendered[1])
    cached = list(tmp_path.glob("vae-*.npy"))
    assert len(cached) == 1
    np.save(cached[0], np.zeros((2, 8, 32, 32), np.float16))  # the cache is what is read
    assert load_stacks(["clouds"], engine=texgen_engine, size=32, samples=2,
                       cache=tmp_path)[0].max() == 0
    with pytest.raises(InputError, match="'no_such_preset'"):
        load_stacks(["no_such_preset"], engine=texgen_engine, cache=None)


def test_normal_error_finds_the_strength_a_normal_came_from():
    maps = tiling_maps(48, 48, strength=20.0)
    strength = fitted_strength(maps)
    assert 15 < strength < 27 and normal_error(maps, strength) < 1.0
    assert normal_error(maps, 2.0) > 5.0
    assert normal_error({**maps, "normal": tiling_maps(48, 48, seed=9)["normal"]}, 20.0) > 5.0


def test_random_phase_stack_keeps_the_maps_statistics():
    stack = stack_of(tiling_maps(48, 48))
    maps, shuffled = maps_of(stack), random_phase_stack(stack, seed=1)
    assert {k: v.shape for k, v in shuffled.items()} == {k: v.shape for k, v in maps.items()}
    assert not np.array_equal(shuffled["height"], maps["height"])
    assert stack_distance(maps, maps) == 0
    other = maps_of(stack_of(tiling_maps(48, 48, seed=4, tint=(0.1, 0.9, 0.2))))
    assert stack_distance(shuffled, maps) < stack_distance(other, maps)


def test_morph_report_measures_the_given_midpoint_or_the_nodes():
    a, b = (stack_of(tiling_maps(32, 32, seed=seed, tint=tint))
            for seed, tint in ((1, (0.8, 0.2, 0.1)), (2, (0.1, 0.3, 0.9))))
    model = tiny_vae()
    at_a = morph_report(model, [(a, b)], midpoint=lambda maps_a, maps_b: maps_a)
    assert at_a["mid_to_a"] == 0 and at_a["closer_fraction"] == 0
    assert at_a["a_to_b"] > 0 and at_a["mid_to_b"] == pytest.approx(at_a["a_to_b"])
    node_mid = run_mode_arrays(model, "interpolate", height=32, width=32, a=maps_of(a),
                               b=maps_of(b), t=0.5)
    assert morph_report(model, [(a, b)]) == morph_report(
        model, [(a, b)], midpoint=lambda maps_a, maps_b: node_mid)


# --- the shipped model ---------------------------------------------------------------------------

def test_shipped_model_loads_and_its_preset_morphs(texgen_engine):
    from texgen.nodes import package_path

    folder = package_path(SHIPPED.removeprefix("pkg:"))
    assert load_vae(folder).config == VaeConfig()
    assert sum(p.stat().st_size for p in folder.iterdir()) <= 10 * 2**20
    texgen_engine.validate("neural_vae_morph")
    grass, rock, middle = (texgen_engine.render("neural_vae_morph", size=64,
                                                overrides={"morph": t}) for t in (0, 1, 0.5))
    assert grass["basecolor"].shape == (64, 64, 3) and rock["height"].shape == (64, 64, 1)
    # dark, flat grass ground to light, rough-reliefed rock; the midpoint lies between
    brightness = [m["basecolor"].mean() for m in (grass, middle, rock)]
    relief = [m["height"].std() for m in (grass, middle, rock)]
    assert brightness[0] + 0.05 < brightness[1] < brightness[2] - 0.05
    assert relief[0] < relief[1] < relief[2]
