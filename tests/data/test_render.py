"""Rendering bumps: known answers for peaks, centroids, periodic wrap and the [-1, 1] scale."""

import math

import numpy as np
import pytest

from bumpdiff.config import ConfigError
from bumpdiff.data import render_bumps, to_data_scale, to_model_scale


def test_peak_at_integer_centre_is_one_and_symmetric():
    img = render_bumps([[5.0, 7.0]], size=12, sigma=1.5)[0]
    assert img.shape == (12, 12) and img.dtype == np.float32
    assert img[7, 5] == pytest.approx(1.0)  # row = y, column = x
    assert np.unravel_index(img.argmax(), img.shape) == (7, 5)
    np.testing.assert_allclose(img[7, 5 - 2], img[7, 5 + 2], rtol=1e-6)  # symmetric in x
    np.testing.assert_allclose(img[7 - 3, 5], img[7 + 3, 5], rtol=1e-6)  # symmetric in y
    assert img[7, 6] == pytest.approx(np.exp(-1 / (2 * 1.5**2)), rel=1e-6)


def test_subpixel_centre_moves_the_weighted_centroid():
    size, sigma = 32, 1.2
    for mu_x, mu_y in [(10.0, 12.0), (10.3, 12.75), (15.5, 9.25)]:
        img = render_bumps([[mu_x, mu_y]], size, sigma)[0].astype(np.float64)
        grid = np.arange(size)
        cx = (img.sum(axis=0) * grid).sum() / img.sum()
        cy = (img.sum(axis=1) * grid).sum() / img.sum()
        assert cx == pytest.approx(mu_x, abs=1e-4)
        assert cy == pytest.approx(mu_y, abs=1e-4)


def test_periodic_bump_wraps_around_the_border():
    img = render_bumps([[0.0, 5.0]], size=10, sigma=1.0, periodic=True)[0]
    assert img[5, 9] == pytest.approx(img[5, 1])  # one pixel either side, around the torus
    flat = render_bumps([[0.0, 5.0]], size=10, sigma=1.0)[0]
    assert flat[5, 9] < 1e-8


@pytest.mark.parametrize("center", [[-0.1, 3.0], [3.0, 11.5], [np.nan, 2.0]])
def test_off_canvas_centre_is_refused(center):
    with pytest.raises(ConfigError, match="mu_|finite"):
        render_bumps([center], size=12, sigma=1.0)


def test_bad_sigma_is_refused():
    with pytest.raises(ConfigError, match="sigma"):
        render_bumps([[3, 3]], size=12, sigma=0.0)


def test_scale_round_trip():
    img = render_bumps([[3, 3]], 8, 1.0)
    scaled = to_model_scale(img)
    assert scaled.min() >= -1 and scaled.max() <= 1 and scaled.min() == pytest.approx(-1, abs=1e-6)
    np.testing.assert_allclose(to_data_scale(scaled), img, atol=1e-6)


def test_per_axis_widths_render_as_written_by_hand():
    """σx = 0.6, σy = 1.4 at (4.3, 6.0) on 12 x 12: every pixel against the formula, written
    here pixel by pixel (not through the renderer's separable product)."""
    sx, sy, mx, my = 0.6, 1.4, 4.3, 6.0
    image = render_bumps(np.array([[mx, my]]), 12, (sx, sy))[0]
    for i in range(12):  # rows: y
        for j in range(12):  # columns: x
            want = math.exp(-((j - mx) ** 2) / (2 * sx**2) - ((i - my) ** 2) / (2 * sy**2))
            assert abs(image[i, j] - want) < 1e-6
    rows, cols = image.sum(axis=1), image.sum(axis=0)  # profiles along y and along x
    spread = [np.sqrt((w * (np.arange(12) - m) ** 2).sum() / w.sum()) for w, m in
              ((cols, mx), (rows, my))]  # fmt: skip
    assert spread[0] < spread[1]  # narrower along x


def test_the_config_gives_both_widths_and_refuses_a_bad_one():
    from bumpdiff.config import build_config

    assert build_config({}, ["data.sigma=0.6", "data.sigma_y=1.4"]).data.sigmas == (0.6, 1.4)
    assert build_config({}, ["data.sigma=0.8"]).data.sigmas == (0.8, 0.8)
    with pytest.raises(ConfigError, match="data.sigma_y"):
        build_config({}, ["data.sigma_y=0"])
