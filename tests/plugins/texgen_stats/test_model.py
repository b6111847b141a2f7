"""GMM model files: round trip, clear errors for bad files (never unpickled), the CLI."""

import io
import json
import zipfile

import numpy as np
import pytest
from stats_testing import PATCH, bricks, cloudy, small_model, two_level_model, write_exemplar

from texgen.cli import main
from texgen_stats.model import (
    FORMAT,
    VERSION,
    ModelFileError,
    _split_parents,
    _with_parents,
    extract_patches,
    fit_patch_model,
    load_model,
    save_model,
)
from texgen_stats.scales import downsample, upsample

UNPICKLED = []


def _tripwire():
    UNPICKLED.append(True)
    return "unpickled"


class Tripwire:
    """Unpickling an instance calls ``_tripwire``: proof that something was unpickled."""

    def __reduce__(self):
        return _tripwire, ()


def arrays_of(model):
    return dict(weights=model.mixture.weights, means=model.mixture.means,
                covariances=model.mixture.covariances,
                metadata=np.array([json.dumps(model.metadata)]))


def write_npz(path, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **arrays)
    return path


def test_round_trip_keeps_arrays_and_metadata(tmp_path):
    model = small_model()
    save_model(model, tmp_path / "m.gmm")  # any name: no ".npz" is appended
    loaded = load_model(tmp_path / "m.gmm")
    for name in ("weights", "means", "covariances"):
        np.testing.assert_array_equal(getattr(loaded.mixture, name),
                                      getattr(model.mixture, name))
    assert loaded.metadata == model.metadata
    assert (loaded.patch_size, loaded.channels) == (PATCH, 3)
    assert loaded.metadata["format"] == FORMAT and loaded.metadata["version"] == VERSION
    fit = loaded.metadata["fit"]
    assert fit["samples"] == 1500 and len(fit["log_likelihood"]) == fit["iterations"]
    with np.load(tmp_path / "m.gmm", allow_pickle=False) as archive:
        assert archive["metadata"].dtype.kind == "U"
        assert all(archive[name].dtype == np.float64 for name in ("weights", "means",
                                                                  "covariances"))


def test_patches_are_row_column_channel_windows():
    image = np.arange(6 * 7 * 3, dtype=np.float32).reshape(6, 7, 3)
    patches = extract_patches(image, 3, samples=1000, rng=np.random.default_rng(0))
    assert patches.shape == (4 * 5, 27)
    windows = {tuple(image[y:y + 3, x:x + 3].ravel()) for y in range(4) for x in range(5)}
    assert {tuple(p) for p in patches} == windows


def test_a_two_level_model_joins_each_patch_with_its_parents():
    model = two_level_model()
    assert model.levels == 2 and model.coarser.levels == 1 and model.coarser.coarser is None
    assert model.mixture.dim == PATCH * PATCH * 3 + 9 * 3 and model.patch_dims == 75
    assert model.coarser.mixture.dim == 75
    assert model.metadata["levels"] == 2 and len(model.metadata["coarser_fits"]) == 1
    assert model.coarser.metadata["exemplar_size"] == [32, 32]
    # The parents of the window at (y, x): the upsampled 2x2 average at rows and columns
    # y + (0, 2, 4), x + (0, 2, 4).
    image = cloudy(16, 16)
    window = _with_parents(image)[3:8, 6:11].reshape(1, -1)
    vector = _split_parents(window, PATCH, 3)[0]
    parents = upsample(downsample(image), 16, 16, periodic=False)
    np.testing.assert_array_equal(vector[:75], image[3:8, 6:11].ravel())
    np.testing.assert_array_equal(vector[75:], parents[3:8:2, 6:11:2].ravel())
    # The parents carry the patch's coarse content: their mean over the fitted components
    # is the patches' mean.
    means = model.mixture.weights @ model.mixture.means
    np.testing.assert_allclose(means[75:].reshape(9, 3).mean(axis=0),
                               means[:75].reshape(25, 3).mean(axis=0), atol=0.01)


def test_two_level_round_trip_and_damaged_levels(tmp_path):
    model = two_level_model()
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.levels == 2 and loaded.metadata == model.metadata
    for level in (loaded, loaded.coarser):
        assert level.patch_size == PATCH and level.channels == 3
    np.testing.assert_array_equal(loaded.mixture.covariances, model.mixture.covariances)
    np.testing.assert_array_equal(loaded.coarser.mixture.means, model.coarser.mixture.means)
    assert loaded.coarser.metadata["fit"] == model.coarser.metadata["fit"]
    assert loaded.coarser.metadata["exemplar_size"] == model.coarser.metadata["exemplar_size"]
    with np.load(tmp_path / "m.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    assert sorted(arrays) == ["covariances", "covariances_1", "means", "means_1",
                              "metadata", "weights", "weights_1"]
    metadata = json.loads(arrays["metadata"].item())
    cases = {
        "missing": ({"means_1": None}, "missing means_1"),
        "shape": ({"covariances_1": arrays["covariances"]},
                  r"'covariances_1' must be a float array of shape \(4, 75, 75\)"),
        "parents": ({"means": arrays["means_1"]},
                    r"'means' must be a float array of shape \(4, 102\) .* with parents"),
        "weights": ({"weights_1": arrays["weights_1"] * 2},
                    "'weights_1' must be non-negative and sum to 1"),
        "levels": ({"metadata": np.array([json.dumps({**metadata, "levels": 9})])},
                   "metadata 'levels' must be 1..4, got 9"),
        "fits": ({"metadata": np.array([json.dumps({**metadata, "coarser_fits": []})])},
                 "metadata 'coarser_fits' must list the fit of each of the 1 coarser"),
    }
    for name, (changes, message) in cases.items():
        damaged = {key: value for key, value in {**arrays, **changes}.items()
                   if value is not None}
        with pytest.raises(ModelFileError, match=message):
            load_model(write_npz(tmp_path / f"{name}.npz", **damaged))


def npy_bytes(array=None, *, header_shape=None):
    """A .npy file's bytes: ``array`` saved, or only a header declaring ``header_shape``."""
    buffer = io.BytesIO()
    if header_shape is None:
        np.save(buffer, array)
    else:
        header = np.lib.format.header_data_from_array_1_0(np.zeros(1))
        np.lib.format.write_array_header_1_0(buffer, {**header, "shape": header_shape})
    return buffer.getvalue()


def test_crafted_members_are_refused_with_the_file_named(tmp_path):
    save_model(two_level_model(), tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    cases = {
        "bytes.npz": ({"weights_1.npy": b"hello"}, "'weights_1' is not a NumPy array"),
        "huge.npz": ({"weights.npy": npy_bytes(header_shape=(10 ** 13,))},
                     "corrupt model file"),
        "deep.npz": ({"metadata.npy": npy_bytes(np.array(["[" * 100_000 + "]" * 100_000]))},
                     "metadata is not valid JSON"),
    }
    for name, (replaced, message) in cases.items():
        with zipfile.ZipFile(tmp_path / name, "w") as archive:
            for member, data in {**members, **replaced}.items():
                archive.writestr(member, data)
        with pytest.raises(ModelFileError, match=message) as error:
            load_model(tmp_path / name)
        assert name in str(error.value)


def test_fit_refuses_too_many_levels_for_the_exemplar():
    with pytest.raises(ValueError, match=r"the exemplar is 30x18 pixels, smaller than the "
                                         r"5x5 patch at each of 3 levels \(it needs 20x20\)"):
        fit_patch_model(np.zeros((18, 30, 3), np.float32), patch_size=5, levels=3)
    with pytest.raises(ValueError, match=r"the exemplar is 64x64 pixels, averaged down to 8x8 "
                                         r"at level 4 of 4, with only 16 5x5 patches, fewer "
                                         r"than the 32 components: use fewer components or "
                                         r"levels, or a larger exemplar"):
        fit_patch_model(np.zeros((64, 64, 3), np.float32), levels=4)
    with pytest.raises(ValueError, match="levels must be 1..4, got 0"):
        fit_patch_model(np.zeros((24, 30, 3), np.float32), levels=0)


def test_fit_refuses_an_exemplar_smaller_than_the_patch():
    with pytest.raises(ValueError, match="the exemplar is 20x6 pixels, smaller than the 7x7 "
                                         "patch"):
        fit_patch_model(np.zeros((6, 20, 3), np.float32), patch_size=7)


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "corrupt model file"),
    (lambda data: data[:10], "corrupt model file"),
    (lambda data: np.random.default_rng(0).bytes(5000), "not an .npz archive"),
    (lambda data: b"", "not an .npz archive"),
])
def test_damaged_files_give_clear_errors(tmp_path, damage, message):
    good = tmp_path / "good.npz"
    save_model(small_model(), good)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(damage(good.read_bytes()))
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(bad)
    assert str(bad) in str(info.value)


def test_a_pickle_file_is_refused_without_unpickling(tmp_path):
    import pickle

    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps({"weights": Tripwire()}))
    with pytest.raises(ModelFileError, match="not an .npz archive"):
        load_model(path)
    assert UNPICKLED == []


def test_pickled_arrays_inside_an_npz_are_refused_without_unpickling(tmp_path):
    arrays = arrays_of(small_model())
    arrays["weights"] = np.array([Tripwire()], dtype=object)
    path = write_npz(tmp_path / "model.npz", **arrays)
    with pytest.raises(ModelFileError, match="allow_pickle=False") as info:
        load_model(path)
    assert str(path) in str(info.value)
    assert UNPICKLED == []
    arrays = arrays_of(small_model())
    arrays["metadata"] = np.array([Tripwire()], dtype=object)
    with pytest.raises(ModelFileError):
        load_model(write_npz(tmp_path / "meta.npz", **arrays))
    assert UNPICKLED == []


def edit_metadata(tmp_path, **changes):
    arrays = arrays_of(small_model())
    metadata = {**small_model().metadata, **changes}
    arrays["metadata"] = np.array([json.dumps(metadata)])
    return write_npz(tmp_path / "edited.npz", **arrays)


@pytest.mark.parametrize("changes, message", [
    ({"version": 2}, "version 2 is not supported"),
    ({"format": "other"}, "format 'other', expected 'texgen-gmm'"),
    ({"patch_size": 7}, r"'means' must be a float array of shape \(4, 147\)"),
    ({"components": 5}, r"'weights' must be a float array of shape \(5,\)"),
    ({"channels": "3"}, "'channels' must be a positive integer"),
])
def test_wrong_version_or_mismatched_metadata(tmp_path, changes, message):
    with pytest.raises(ModelFileError, match=message) as info:
        load_model(edit_metadata(tmp_path, **changes))
    assert "edited.npz" in str(info.value)


def test_inconsistent_arrays_are_refused(tmp_path):
    model = small_model()
    cases = {
        "weights": (model.mixture.weights * 2, "sum to 1"),
        "covariances": (model.mixture.covariances * -1, "positive definite"),
        "means": (np.full_like(model.mixture.means, np.nan), "non-finite"),
    }
    for name, (value, message) in cases.items():
        arrays = {**arrays_of(model), name: value}
        with pytest.raises(ModelFileError, match=message):
            load_model(write_npz(tmp_path / f"{name}.npz", **arrays))
    arrays = arrays_of(model)
    del arrays["covariances"]
    with pytest.raises(ModelFileError, match="missing covariances"):
        load_model(write_npz(tmp_path / "missing.npz", **arrays))
    arrays = {**arrays_of(model), "metadata": np.array(["{not json"])}
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(write_npz(tmp_path / "json.npz", **arrays))


def test_other_zip_files_and_missing_files(tmp_path):
    path = tmp_path / "notes.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ModelFileError, match="not a texgen GMM model: missing metadata"):
        load_model(path)
    with pytest.raises(ModelFileError, match="cannot read model"):
        load_model(tmp_path / "absent.npz")


def test_cli_trains_a_model_with_progress(tmp_path, capsys):
    exemplar = write_exemplar(tmp_path / "bricks.png")
    output = tmp_path / "models" / "bricks.npz"  # the folder is made, as docs/stats.md's is
    code = main(["train", "gmm", str(exemplar), "-o", str(output), "--patch", "5",
                 "--components", "3", "--iterations", "4", "--samples", "800", "--tol", "0",
                 "--seed", "2"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "train gmm: iteration 1/4: log-likelihood" in err
    assert f"wrote {output}: 3 components, 5x5 patches" in err
    model = load_model(output)
    assert model.metadata["exemplar"] == "bricks.png"
    assert model.metadata["exemplar_size"] == [48, 48]
    assert model.metadata["fit"]["seed"] == 2 and model.mixture.components == 3
    assert main(["train", "gmm", str(exemplar), "-o", str(tmp_path / "q.npz"), "--patch",
                 "5", "--components", "2", "--iterations", "2", "--samples", "300",
                 "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_cli_refuses_an_unwritable_model_path_before_fitting(tmp_path, capsys):
    exemplar = write_exemplar(tmp_path / "bricks.png")
    (tmp_path / "afile").write_text("keep")
    assert main(["train", "gmm", str(exemplar), "-o", str(tmp_path / "afile" / "m.npz"),
                 "-q"]) == 2
    err = capsys.readouterr().err
    assert "m.npz: cannot make its folder" in err and "iteration" not in err
    assert (tmp_path / "afile").read_text() == "keep"


def test_cli_trains_a_multi_scale_model(tmp_path, capsys):
    exemplar = write_exemplar(tmp_path / "bricks.png")
    output = tmp_path / "two.npz"
    assert main(["train", "gmm", str(exemplar), "-o", str(output), "--components", "2",
                 "--iterations", "2", "--samples", "300", "--tol", "0", "--levels", "2"]) == 0
    err = capsys.readouterr().err
    # The coarser level is fitted first, then the finest.
    assert err.index("level 2/2: iteration 1/2") < err.index("level 1/2: iteration 1/2")
    assert f"wrote {output}: 2 components, 5x5 patches, 2 levels," in err
    assert load_model(output).levels == 2
    assert main(["train", "gmm", str(exemplar), "-o", str(output), "--levels", "5"]) == 2
    assert "5 is not in the range 1<=x<=4" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["missing.png"], "missing.png: cannot read image"),
    (["small.png"], "smaller than the 5x5 patch"),
    (["bricks.png", "--patch", "4"], "4 is not in the range 5<=x<=9"),
    (["bricks.png", "--patch", "7", "--levels", "4"],
     "bricks.png: the exemplar is 48x48 pixels, smaller than the 7x7 patch at each of 4 "
     "levels (it needs 56x56)"),
])
def test_cli_bad_input_exits_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    write_exemplar(tmp_path / "bricks.png")
    write_exemplar(tmp_path / "small.png", bricks(4, 6))
    assert main(["train", "gmm", *args, "-o", "m.npz"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "m.npz").exists()


def test_trainers_share_the_core_train_group(capsys):
    from texgen.cli import main

    assert main(["train", "--help"]) == 0
    listed = capsys.readouterr().out
    assert "gmm " in listed and "stylegan " in listed  # this plugin's and neural's


def test_saved_file_is_a_plain_zip(tmp_path):
    save_model(small_model(), tmp_path / "m.npz")
    with zipfile.ZipFile(tmp_path / "m.npz") as archive:
        assert sorted(archive.namelist()) == ["covariances.npy", "means.npy",
                                              "metadata.npy", "weights.npy"]
        header = archive.read("weights.npy")[:10]
    assert header.startswith(b"\x93NUMPY")


def test_transposing_a_two_level_model_transposes_its_parents():
    model = two_level_model()
    once = model.transposed()
    parents = model.mixture.means[:, 75:].reshape(-1, 3, 3, 3)
    np.testing.assert_array_equal(once.mixture.means[:, 75:].reshape(-1, 3, 3, 3),
                                  parents.transpose(0, 2, 1, 3))
    np.testing.assert_array_equal(once.coarser.mixture.means.reshape(-1, 5, 5, 3),
                                  model.coarser.mixture.means.reshape(-1, 5, 5, 3).transpose(
                                      0, 2, 1, 3))
    twice = once.transposed()
    np.testing.assert_array_equal(twice.mixture.covariances, model.mixture.covariances)
    np.testing.assert_array_equal(twice.coarser.mixture.covariances,
                                  model.coarser.mixture.covariances)
