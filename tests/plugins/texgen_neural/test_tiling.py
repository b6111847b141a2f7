"""tiling: a local network run in tiles with a wrap-around halo equals the network run
whole; the pieces, rolling, determinism, the bands."""

import pytest

torch = pytest.importorskip("torch")

import torch.nn.functional as F  # noqa: E402

from texgen_neural.model import EqualConv2d, resample_wrap  # noqa: E402
from texgen_neural.tiling import ChannelStack, run_tiled, tiled_outputs  # noqa: E402


class LocalNet(torch.nn.Module):
    """Circular 3x3 conv, 2x2 average pool, 3x3 conv, bilinear x2 with wrap-around, 3x3
    conv: (B, 3, H, W) -> (B, 2, H, W), H and W even. Receptive radius: 1 + 2 + 2 + 1
    input pixels (the second conv works at half resolution), under ``HALO``."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.first = EqualConv2d(3, 6, 3)
        self.coarse = EqualConv2d(6, 6, 3)
        self.last = EqualConv2d(6, 2, 3, activate=False)

    def forward(self, x):
        x = self.coarse(F.avg_pool2d(self.first(x), 2))
        return self.last(resample_wrap(x, 2 * x.shape[2], 2 * x.shape[3]))


HALO = 8
NET = LocalNet().eval()


def image(height=64, width=48, seed=1):
    return torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(seed))


def test_tiles_equal_the_whole_network():
    """Within float rounding (a tile's convolutions may sum in another order than the whole
    image's); a halo short of the receptive radius is far off, so the check is sharp."""
    x = image()
    whole = NET(x)
    tiled = run_tiled(NET, x, halo=HALO, align=2, tile=16)
    assert tiled.shape == whole.shape == (1, 2, 64, 48) and tiled.dtype == torch.float32
    torch.testing.assert_close(tiled, whole, atol=1e-5, rtol=0)
    short = run_tiled(NET, x, halo=2, align=2, tile=16)
    assert (short - whole).abs().max() > 1e-2


def test_pieces_cover_the_output_once():
    x = image(40, 40)
    covered = torch.zeros(40, 40)
    for row, col, piece in tiled_outputs(NET, x, halo=HALO, align=2, tile=12):
        assert piece.shape[:2] == (1, 2) and row % 12 == 0 and col % 12 == 0
        covered[row:row + piece.shape[2], col:col + piece.shape[3]] += 1
    assert torch.equal(covered, torch.ones(40, 40))


def test_rolling_the_input_rolls_the_tiled_output():
    x = image()
    out = run_tiled(NET, x, halo=HALO, align=2, tile=16)
    rolled = run_tiled(NET, x.roll((10, -6), dims=(2, 3)), halo=HALO, align=2, tile=16)
    torch.testing.assert_close(rolled, out.roll((10, -6), dims=(2, 3)), atol=1e-5, rtol=0)


def test_tiled_runs_are_byte_identical():
    x = image()
    first = run_tiled(NET, x, halo=HALO, align=2, tile=16)
    assert torch.equal(first, run_tiled(NET, x, halo=HALO, align=2, tile=16))


def test_an_image_that_fits_one_tile_runs_whole():
    x = image(32, 24)
    assert torch.equal(run_tiled(NET, x, halo=HALO, align=2, tile=32), NET(x))
    # one axis cut, the other whole (its halo would cover it)
    torch.testing.assert_close(run_tiled(NET, image(64, 24), halo=HALO, align=2, tile=16),
                               NET(image(64, 24)), atol=1e-5, rtol=0)


def test_zoom_maps_tiles_to_the_outputs_grid():
    """An encoder-like network (1/4 the size) and a decoder-like one (4x) in tiles."""
    x = image(64, 64)

    def shrink(t):
        return F.avg_pool2d(NET.first(t), 4)

    torch.testing.assert_close(run_tiled(shrink, x, halo=4, align=4, zoom=(1, 4), tile=16),
                               shrink(x), atol=1e-5, rtol=0)

    def grow(t):
        return NET.first(resample_wrap(t, 4 * t.shape[2], 4 * t.shape[3]))

    small = image(16, 20)
    out = run_tiled(grow, small, halo=2, zoom=(4, 1), tile=4)
    assert out.shape == (1, 6, 64, 80)
    torch.testing.assert_close(out, grow(small), atol=1e-5, rtol=0)


def test_a_size_off_the_downsampling_grid_is_refused():
    with pytest.raises(ValueError, match="multiple of 4 pixels"):
        run_tiled(NET, image(62, 48), halo=HALO, align=4, tile=16)



def test_a_channel_stack_reads_as_its_concatenation():
    """Rows and columns selected, sliced or whole: the values of ``torch.cat(parts, 1)``;
    tiled runs over a stack give the bytes of those over the tensor."""
    x = image(40, 32)
    channel_last = x[0].permute(1, 2, 0).contiguous()  # a view seen channel-first below
    stack = ChannelStack(channel_last.permute(2, 0, 1)[None, :2], x[:, 2:])
    assert stack.shape == x.shape and stack.device == x.device
    rows, columns = torch.tensor([39, 0, 5]), torch.tensor([31, 2])
    assert torch.equal(stack.index_select(-2, rows), x.index_select(-2, rows))
    assert torch.equal(stack.index_select(-1, columns), x.index_select(-1, columns))
    assert torch.equal(stack[..., 3:9], x[..., 3:9]) and torch.equal(stack[...], x)
    assert torch.equal(run_tiled(NET, stack, halo=HALO, align=2, tile=16),
                       run_tiled(NET, x, halo=HALO, align=2, tile=16))
    assert torch.equal(run_tiled(NET, stack, halo=HALO, align=2, tile=64), NET(x))
