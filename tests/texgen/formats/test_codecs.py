"""A missing codec package is bad input that says what to install, and nothing is written."""

import sys

import numpy as np
import pytest

from texgen.errors import InputError
from texgen.formats.codecs import import_codec
from texgen.formats.dds import write_dds


def test_missing_codec_names_the_package_and_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "etcpak", None)  # import etcpak now raises ImportError
    with pytest.raises(InputError, match=r"format 'dds' needs the etcpak package: "
                                         r"pip install 'texgen\[formats\]'"):
        write_dds(tmp_path / "t.dds", np.zeros((4, 4, 3), np.float32), compression="bc7")
    assert not (tmp_path / "t.dds").exists()
    # uncompressed DDS needs no codec
    write_dds(tmp_path / "t.dds", np.zeros((4, 4, 3), np.float32), compression="rgba8")


def test_present_codec_is_the_module():
    pytest.importorskip("OpenEXR")
    assert import_codec("OpenEXR", format_name="exr").__name__ == "OpenEXR"
