import numpy as np

from texgen.sheet import BACKGROUND, GAP, LABEL_HEIGHT, contact_sheet


def test_contact_sheet_layout_and_thumbnails():
    red = np.zeros((40, 40, 3), np.float32)
    red[..., 0] = 1
    gray = np.full((10, 30, 1), 0.5, np.float32)
    sheet = contact_sheet([("a", {"color": red, "height": gray}), ("b", {"color": red})],
                          thumb=32)
    cell = 32 + GAP
    assert sheet.shape == (GAP + 2 * (cell + LABEL_HEIGHT), GAP + 2 * cell, 3)
    top, left = GAP + LABEL_HEIGHT, GAP
    np.testing.assert_allclose(sheet[top:top + 32, left:left + 32], red[:32, :32], atol=1 / 255)
    np.testing.assert_allclose(sheet[top:top + 32, left + cell:left + cell + 32], 128 / 255,
                               atol=1 / 255)
    second_row_empty_cell = sheet[top + cell + LABEL_HEIGHT:, left + cell:left + cell + 32]
    np.testing.assert_allclose(second_row_empty_cell, BACKGROUND, atol=1 / 255)
    label_band = sheet[GAP:GAP + LABEL_HEIGHT, left:left + 32]
    assert label_band.max() > 0.5, "the label is drawn"


def test_columns_wrap_a_preset_onto_more_lines():
    tiles = {f"o{i}": np.full((8, 8, 1), i / 10, np.float32) for i in range(5)}
    sheet = contact_sheet([("a", tiles), ("b", {"x": tiles["o1"]})], thumb=16, columns=2)
    cell, line = 16 + GAP, 16 + GAP + LABEL_HEIGHT
    assert sheet.shape == (GAP + 4 * line, GAP + 2 * cell, 3), "a: 3 lines of 2; b: 1"
    for i in range(5):  # o{i} sits at line i // 2, column i % 2
        top, left = GAP + i // 2 * line + LABEL_HEIGHT, GAP + i % 2 * cell
        np.testing.assert_allclose(sheet[top + 8, left + 8], i / 10, atol=1 / 255)
    wide = contact_sheet([("a", tiles)], thumb=16, columns=9)
    assert wide.shape[1] == GAP + 5 * cell, "never wider than the widest row"


def test_a_failed_row_is_one_error_tile_with_its_message():
    from texgen.sheet import ERROR_TILE

    gray = np.zeros((4, 4, 1), np.float32)
    sheet = contact_sheet([("good", {"a": gray, "b": gray}),
                           ("bad.toml", "bad.toml: node 'n': unknown node type")], thumb=64)
    line = 64 + GAP + LABEL_HEIGHT
    tile = sheet[GAP + line + LABEL_HEIGHT:GAP + line + LABEL_HEIGHT + 64, GAP:GAP + 64]
    is_red = np.all(np.abs(tile - ERROR_TILE) < 2 / 255, axis=2)
    assert 0.6 < is_red.mean() < 1.0, "a red tile with text drawn on it"
    beside = sheet[GAP + line + LABEL_HEIGHT:, GAP + 64 + GAP:]
    np.testing.assert_allclose(beside, BACKGROUND, atol=1 / 255)
