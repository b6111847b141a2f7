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
