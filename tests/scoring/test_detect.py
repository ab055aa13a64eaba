"""Known-answer images for bump detection, built here without the project's renderer, including
every blind spot of the threshold rules."""

import numpy as np
import pytest

from bumpdiff.scoring.detect import default_window, find_bumps
from bumpdiff.scoring.outcomes import classify, classify_threshold


def gaussian(x: float, y: float, size: int = 12, sigma: float = 1.0, amp: float = 1.0):
    """amp · exp(-((col - x)² + (row - y)²) / 2σ²) on a size × size grid, x the column."""
    rows, cols = np.meshgrid(np.arange(size), np.arange(size), indexing="ij")
    return amp * np.exp(-((cols - x) ** 2 + (rows - y) ** 2) / (2 * sigma**2))


NOISE = np.random.default_rng(7)


@pytest.mark.parametrize("level", [0.3, 0.5, 0.65])
def test_a_clamped_bump_on_a_raised_background_is_correct_and_raised(level):
    """As a clipping sampler returns it: at 0.65 the bump stands only 0.35 above its floor."""
    target = (5.3, 6.7)
    image = np.clip(level + gaussian(*target), 0, 1)[None]
    r = classify(image, [target])
    assert r.outcome[0] == "correct" and r.raised[0] and r.n_bumps[0] == 1
    assert r.amplitude[0] == pytest.approx(1 - level, abs=0.02)
    assert np.abs(r.centers[0] - target).max() < 0.35  # plateau centroid of the clamped top
    old = classify_threshold(image, [target], background="median")
    assert (old.outcome[0] == "none") == (level >= 0.5)  # the median rule's blind spot


def test_a_weak_bump_on_a_raised_background_at_and_off_the_target():
    image = 0.6 + gaussian(4.2, 3.1, amp=0.4)
    r = classify(np.stack([image, image]), [(4.2, 3.1), (7.0, 3.1)])
    assert list(r.outcome) == ["correct", "mislocated"]
    assert r.raised.all() and r.amplitude[0] == pytest.approx(0.4, abs=0.02)
    assert r.width[0] == pytest.approx(1.0, abs=0.05)  # σ̂ from the fit's curvature


def test_three_weak_bumps_on_a_noisy_raised_background_are_multiple():
    image = 0.45 + NOISE.normal(0, 0.03, (16, 16))
    for x, y in [(3, 3), (12, 4), (7, 12)]:
        image = image + gaussian(x, y, size=16, amp=0.4)
    r = classify(image[None], [(3, 3)])
    assert r.outcome[0] == "multiple" and r.n_bumps[0] == 3
    found = {tuple(p) for p in r.positions[0].astype(int).tolist()}
    assert found == {(3, 3), (12, 4), (7, 12)}


def test_two_bumps_4_px_apart_are_two_and_2_5_px_apart_are_one():
    """At 2.5 px (σ = 1, sampled on the pixel grid) the lower peak stands only 0.09 above the
    saddle between them, far below the prominence 0.25: the eye sees one elongated blob and so
    does the rule. At 4 px the dip is 0.73 deep: two bumps."""
    close = gaussian(4, 5) + gaussian(6.5, 5)
    apart = gaussian(4, 5) + gaussian(8, 5)
    r = classify(np.stack([close, apart]), [(4, 5), (4, 5)])
    assert list(r.n_bumps) == [1, 2] and r.outcome[1] == "multiple"
    assert classify(close[None], [(4, 5)], prominence=0.05).n_bumps[0] == 2  # a lower bar splits


def test_a_bump_at_the_border_and_a_flat_grey_canvas():
    border = gaussian(0.3, 5.0)
    grey = 0.5 + NOISE.normal(0, 0.02, (12, 12))
    r = classify(np.stack([border, grey]), [(0.3, 5.0), (5.0, 5.0)])
    assert list(r.outcome) == ["correct", "none"]
    assert abs(r.centers[0, 0] - 0.3) < 0.1 and np.isnan(r.centers[1]).all()
    assert not r.raised[0] and r.raised[1]


def test_slow_backgrounds_and_flank_wiggles_are_not_bumps():
    ramp = np.tile(np.linspace(0, 0.8, 12), (12, 1))  # its top edge has a large dynamic
    wiggle = gaussian(5, 5) + gaussian(7, 5, sigma=0.5, amp=0.1)  # a ripple on the flank
    r = classify(np.stack([ramp, wiggle]), [(5, 5), (5, 5)])
    assert list(r.n_bumps) == [0, 1] and r.outcome[1] == "correct"


def test_the_known_limit_a_steep_ramp_counts_its_top_edge():
    """A known limit, pinned so a change shows: the floor at the border is the opening of the
    reflected image, so a ramp rising faster than prominence / ((window - 1) / 2) per pixel
    (0.083 for the defaults) has its top edge counted as a bump; 0.07 per pixel is not."""
    slow = np.tile(0.07 * np.arange(12), (12, 1))
    steep = np.tile(0.1 * np.arange(12), (12, 1))
    assert list(classify(np.stack([slow, steep]), [(5, 5)] * 2).n_bumps) == [0, 1]


def test_unclamped_images_are_classified_as_the_sampler_made_them():
    """Without x̂₀ clipping values leave [0, 1]: a bump on a background of -3, one on 2.5, and a
    diverged canvas near -70 with small noise and no bump."""
    diverged = -70 + NOISE.normal(0, 0.05, (12, 12))
    images = np.stack([-3 + gaussian(6.2, 4.4), 2.5 + gaussian(2.0, 8.0), diverged])
    r = classify(images, [(6.2, 4.4), (2.0, 8.0), (5, 5)])
    assert list(r.outcome[:2]) == ["correct", "correct"] and r.n_bumps[2] == 0


def test_periodic_canvas_joins_a_bump_across_the_border():
    image = gaussian(11.6, 5, size=12) + gaussian(-0.4, 5, size=12)  # one bump at x = 11.6
    r = classify(image[None], [(11.6, 5.0)], periodic=True)
    assert r.n_bumps[0] == 1 and r.outcome[0] == "correct"
    assert classify(image[None], [(11.6, 5.0)]).n_bumps[0] == 2  # on a flat canvas: two halves


def test_detection_is_vectorised_and_exact_on_many_images():
    rng = np.random.default_rng(3)
    centers = rng.uniform(1, 14, (2000, 2))
    images = np.stack([gaussian(x, y, size=16) for x, y in centers])
    bumps = find_bumps(images + rng.normal(0, 0.01, images.shape), 0.25, default_window(1.0))
    assert (bumps.count == 1).all() and np.abs(bumps.center - centers).max() < 0.1
