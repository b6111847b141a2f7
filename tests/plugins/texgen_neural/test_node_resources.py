"""The stylegan node keeps loaded generators in its engine's resource cache, not globally."""

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

import texgen  # noqa: E402
from texgen_neural import checkpoint, nodes  # noqa: E402
from texgen_neural.model import Generator, ModelConfig  # noqa: E402

TINY = ModelConfig(z_dim=8, w_dim=8, mapping_layers=1, input_channels=4, channels=(16, 8, 8),
                   d_channels=(8, 8))


def preset(model, seed):
    return {"texgen": 1, "name": "lava", "size": 16, "seed": seed,
            "nodes": {"gen": {"type": "neural.stylegan", "model": str(model)}},
            "outputs": {"color": "gen"}}


def test_each_engine_loads_a_model_once(tmp_path, monkeypatch):
    torch.manual_seed(0)
    checkpoint.save_generator(Generator(TINY).eval(), tmp_path)
    loads = []
    real = nodes.load_generator
    monkeypatch.setattr(nodes, "load_generator",
                        lambda path, device: loads.append(path) or real(path, device=device))
    first = texgen.Engine()
    a = first.render(preset(tmp_path, 1))["color"]
    b = first.render(preset(tmp_path, 2))["color"]  # another seed: computed, same model
    assert len(loads) == 1 and not (a == b).all()
    second = texgen.Engine()
    again = second.render(preset(tmp_path, 1))["color"]
    assert len(loads) == 2, "two engines share nothing"
    assert (again == a).all()
    assert not hasattr(nodes, "_CACHE")


def test_a_missing_model_names_the_file(tmp_path):
    with pytest.raises(texgen.PresetError, match="key 'model': no such file: "
                                                 ".*missing.safetensors"):
        texgen.Engine().validate(preset(tmp_path / "missing.safetensors", 1))
