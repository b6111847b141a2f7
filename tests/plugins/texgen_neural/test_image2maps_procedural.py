"""Random procedural materials as image2maps training samples."""

import numpy as np
import pytest

pytest.importorskip("torch")

from texgen_neural.image2maps.config import DataSettings  # noqa: E402
from texgen_neural.image2maps.data import PROCEDURAL, load_dataset  # noqa: E402
from texgen_neural.image2maps.procedural import random_material_preset  # noqa: E402

OUTPUTS = ("basecolor", "normal", "height", "ao", "roughness")


def test_random_materials_are_deterministic_renderable_and_varied(texgen_engine):
    shapes = set()
    for index in range(24):
        preset = random_material_preset(np.random.default_rng([3, index]))
        assert preset == random_material_preset(np.random.default_rng([3, index]))
        assert 0.2 <= preset["nodes"]["normal"]["strength"] <= 6.0
        shapes.add(preset["nodes"]["shape"]["type"])
    assert len(shapes) >= 6
    first = texgen_engine.render(preset, size=32, seed=5, outputs=OUTPUTS)
    again = texgen_engine.render(random_material_preset(np.random.default_rng([3, 23])),
                                 size=32, seed=5, outputs=OUTPUTS)
    for name in OUTPUTS:
        np.testing.assert_array_equal(first[name], again[name])
    assert first["basecolor"].shape == (32, 32, 3) and first["height"].std() > 0.01


def test_procedural_samples_belong_to_no_preset(tmp_path, texgen_engine):
    settings = DataSettings(presets=("rock",), size=32, samples=1, procedural=2, mix=1.0)
    dataset = load_dataset(settings, engine=texgen_engine, cache=tmp_path)
    assert dataset.inputs.shape == (3, 7, 32, 32)
    assert dataset.materials.tolist() == [[0, -1], [PROCEDURAL, PROCEDURAL],
                                          [PROCEDURAL, PROCEDURAL]]
    assert dataset.involving("rock").tolist() == [True, False, False]
    normals = dataset.targets[:, :3].astype(np.float32)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=2e-3)
    assert not np.array_equal(dataset.inputs[1], dataset.inputs[2])


def test_negative_procedural_count_is_refused():
    with pytest.raises(ValueError, match="procedural -1"):
        DataSettings(presets=("rock",), procedural=-1)
