"""Known-answer tests of bump detection and outcome classes on analytic images."""

import numpy as np
import pytest

from bumpdiff.data import render_bumps
from bumpdiff.scoring.outcomes import classify, classify_threshold, confusion, summarize


def one(center, target=None, size=16, sigma=1.0, periodic=False, **kw):
    img = render_bumps([center], size, sigma, periodic)
    return classify(img, [target or center], periodic=periodic, **kw)


@pytest.mark.parametrize("center", [(7.0, 8.0), (7.3, 8.6), (4.55, 10.2), (9.9, 3.45)])
def test_subpixel_centre_is_found_within_005_px(center):
    r = one(center)
    assert r.outcome[0] == "correct" and r.n_bumps[0] == 1
    assert np.abs(r.centers[0] - center).max() < 0.05


def test_centroid_detector_is_biased_where_the_fit_is_not():
    center = (7.3, 8.6)
    fit = one(center).centers[0]
    img = render_bumps([center], 16, 1.0)
    cen = classify_threshold(img, [center], detector="centroid").centers[0]
    assert np.abs(fit - center).max() < 0.01
    assert np.abs(cen - center).max() > 0.05  # the bias the fit exists to remove


def test_bump_near_the_left_border_is_unbiased():
    r = one((0.4, 7.0))
    assert r.outcome[0] == "correct"
    assert abs(r.centers[0, 0] - 0.4) < 0.1 and abs(r.centers[0, 1] - 7.0) < 0.1


def test_bump_shifted_along_x_is_mislocated_with_per_axis_truth():
    r = one((9.0, 6.0), target=(7.0, 6.0))
    assert r.outcome[0] == "mislocated"
    assert not r.x_correct[0] and r.y_correct[0]
    assert r.errors[0, 0] == pytest.approx(2.0, abs=0.05)


def test_two_bumps_are_multiple_and_blank_is_none():
    two = render_bumps([(4, 4), (11, 11)], 16, 1.0).sum(axis=0, keepdims=True)
    blank = np.zeros((1, 16, 16), np.float32)
    r = classify(np.concatenate([two, blank]), [(4, 4), (4, 4)])
    assert list(r.outcome) == ["multiple", "none"]
    assert list(r.n_bumps) == [2, 0]
    assert np.isnan(r.centers[1]).all()  # no bump: no centre
    assert (
        np.abs(r.centers[0] - (4, 4)).max() < 0.05 or np.abs(r.centers[0] - (11, 11)).max() < 0.05
    )
    assert not r.x_correct.any() and not r.y_correct.any()  # per-axis counts single bumps only


def test_bump_with_low_amplitude_noise_is_still_correct():
    rng = np.random.default_rng(0)
    img = render_bumps([(6.2, 9.7)], 16, 1.2) + rng.normal(0, 0.03, (1, 16, 16))
    r = classify(img, [(6.2, 9.7)])
    assert r.outcome[0] == "correct"
    assert np.abs(r.centers[0] - (6.2, 9.7)).max() < 0.2


def test_bump_wrapping_the_border_on_a_periodic_canvas():
    center = (0.5, 15.6)  # straddles the left/right and top/bottom borders
    flat = one(center, periodic=True, sigma=1.0)
    assert flat.outcome[0] == "correct" and flat.n_bumps[0] == 1
    err = (flat.centers[0] - center + 8) % 16 - 8
    assert np.abs(err).max() < 0.05
    img = render_bumps([center], 16, 1.0, periodic=True)
    assert classify(img, [center], periodic=False).outcome[0] == "multiple"


def test_periodic_error_wraps_around():
    r = one((15.8, 4.0), target=(0.3, 4.0), periodic=True)
    assert r.outcome[0] == "correct" and r.errors[0, 0] == pytest.approx(-0.5, abs=0.05)


def test_summary_fractions_and_region_mask():
    imgs = np.concatenate(
        [
            render_bumps([(5, 5)], 16, 1.0),
            render_bumps([(5, 5)], 16, 1.0),
            render_bumps([(4, 4), (11, 11)], 16, 1.0).sum(axis=0, keepdims=True),
            np.zeros((1, 16, 16), np.float32),
        ]
    )
    r = classify(imgs, [(5, 5), (8, 5), (4, 4), (1, 1)])
    s = summarize(r)
    assert s["accuracy"] == s["frac_correct"] == 0.25
    assert (s["frac_mislocated"], s["frac_multiple"], s["frac_none"]) == (0.25, 0.25, 0.25)
    assert s["x_accuracy"] == 0.25 and s["y_accuracy"] == 0.5
    assert s["median_error"] == pytest.approx(0.0, abs=0.05)  # dominant bumps of 3 images
    assert s["frac_raised"] == 0.0
    region = summarize(r, mask=np.array([True, False, False, False]))
    assert region["n"] == 1 and region["accuracy"] == 1.0


def test_large_batch_is_vectorised():
    rng = np.random.default_rng(1)
    centers = rng.uniform(1, 14, (10000, 2))
    imgs = render_bumps(centers, 16, 1.0)
    r = classify(imgs, centers)  # a per-image Python loop would take seconds; timing is in bench
    assert (r.outcome == "correct").mean() == 1.0
    assert np.abs(r.centers - centers).max() < 0.05


def test_raised_uniform_background_is_not_one_big_bump():
    """Half-trained models often generate a raised background; prominence ignores its level."""
    rng = np.random.default_rng(0)
    flat = 0.7 + rng.normal(0, 0.02, (1, 12, 12))  # no bump at all
    raised = 0.3 + 0.7 * render_bumps([(6.3, 4.8)], 12, 1.0)  # a bump on a raised background
    r = classify(np.concatenate([flat, raised]), [(6.3, 4.8), (6.3, 4.8)])
    assert list(r.outcome) == ["none", "correct"] and r.raised.all()
    assert np.abs(r.centers[1] - (6.3, 4.8)).max() < 0.05
    absolute = classify_threshold(flat, [(6.3, 4.8)], background="zero")
    assert absolute.n_bumps[0] == 1  # the flaw of an absolute threshold


def test_confusion_counts_each_image_once():
    images = np.concatenate([np.clip(0.6 + render_bumps([(5, 5)], 12, 1.0), 0, 1)] * 3)
    new = classify(images, [(5, 5)] * 3)
    old = classify_threshold(images, [(5, 5)] * 3)
    table = np.array(confusion(new, old))
    assert (
        table.sum() == 3 and table[3, 0] == 3
    )  # correct by prominence, "none" under the median rule


def test_per_axis_measures_use_the_dominant_bump_of_every_image_that_has_one():
    """A bump right in x and wrong in y; two bumps, the stronger one right; no bump at all."""
    right_x = render_bumps([(5.0, 9.0)], 16, 1.0)  # target (5, 5): x right, y 4 px off
    two = render_bumps([(8.0, 8.0)], 16, 1.0) + 0.6 * render_bumps([(2.0, 13.0)], 16, 1.0)
    blank = np.zeros((1, 16, 16))
    r = classify(np.concatenate([right_x, two, blank]), [(5, 5), (8, 8), (5, 5)])
    assert list(r.outcome) == ["mislocated", "multiple", "none"]
    s = summarize(r)
    assert s["frac_bump"] == pytest.approx(2 / 3)
    assert s["x_accuracy_dominant"] == 1.0  # both images with a bump are right along x
    assert s["y_accuracy_dominant"] == 0.5  # the single bump is 4 px off along y
    assert s["y_median_error"] == pytest.approx(2.0, abs=0.05)  # median of 4 and 0
    assert s["x_accuracy"] == pytest.approx(1 / 3)  # the single-bump definition, beside it


def _gaussian(cx: float, cy: float, size: int = 16) -> np.ndarray:
    """A bump drawn here, not by the project's renderer."""
    rows, cols = np.mgrid[0:size, 0:size]
    return np.exp(-((cols - cx) ** 2 + (rows - cy) ** 2) / 2.0)[None]


def test_a_tolerance_per_axis_reads_x_finer_than_y():
    """(x, y) tolerance (0.2, 1): 0.3 px off along x is mislocated, 0.6 px off along y is not;
    one number for both is unchanged."""
    off_x = classify(_gaussian(7.3, 8.0), [(7.0, 8.0)], tolerance=(0.2, 1.0))
    off_y = classify(_gaussian(7.0, 8.6), [(7.0, 8.0)], tolerance=(0.2, 1.0))
    assert off_x.outcome[0] == "mislocated" and not off_x.x_correct[0] and off_x.y_correct[0]
    assert off_y.outcome[0] == "correct"
    assert classify(_gaussian(7.3, 8.0), [(7.0, 8.0)], tolerance=0.5).outcome[0] == "correct"
    both = classify(np.concatenate([_gaussian(7.3, 8.0), _gaussian(7.0, 8.6)]),
                    [(7.0, 8.0), (7.0, 8.0)], tolerance=(0.2, 1.0))  # fmt: skip
    found = summarize(both)
    assert found["x_accuracy_dominant"] == 0.5 and found["y_accuracy_dominant"] == 1.0
