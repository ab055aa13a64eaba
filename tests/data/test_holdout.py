import pytest

from bumpdiff.data import lattice_from_config, regions
from tests.conftest import tiny_config


def _regions(*overrides):
    cfg = tiny_config("data.dx=1", "data.dy=1", "data.x_range=[0,7]", "data.y_range=[0,7]",
                      *overrides)  # fmt: skip
    points = lattice_from_config(cfg.data)
    return points, regions(cfg.data, points)


def test_cross_parts_count_and_place():
    points, r = _regions("data.holdout.kind=cross", "data.holdout.band=[3,4]")
    counts = {k: int((r == k).sum()) for k in ("in", "vertical", "horizontal", "intersection")}
    assert counts == {"in": 36, "vertical": 12, "horizontal": 12, "intersection": 4}
    assert r[(points[:, 0] == 3) & (points[:, 1] == 0)][0] == "vertical"
    assert r[(points[:, 0] == 0) & (points[:, 1] == 4)][0] == "horizontal"


def test_rim_keeps_only_the_border():
    points, r = _regions("data.holdout.kind=rim", "data.holdout.width=1")
    assert (r == "in").sum() == 8 * 8 - 4 * 4  # within 1 of an edge: the two outer rings
    assert r[(points[:, 0] == 1) & (points[:, 1] == 3)][0] == "in"
    assert r[(points[:, 0] == 2) & (points[:, 1] == 3)][0] == "interior"


@pytest.mark.parametrize("width, columns", [(1.0, [3.0, 4.0]), (3.5, [2.0, 3.0, 4.0, 5.0]),
                                            (0.5, [])])  # fmt: skip
def test_lesion_is_a_centred_vertical_band(width, columns):
    points, r = _regions("data.holdout.kind=lesion", f"data.holdout.width={width}")
    assert sorted(set(points[r == "lesion", 0])) == columns  # centre 3.5, closed interval
    assert (r == "lesion").sum() == 8 * len(columns)


@pytest.mark.parametrize("place, corner", [("interior", (2.0, 2.0)), ("exterior", (0.0, 0.0))])
def test_square_inside_or_at_the_corner(place, corner):
    points, r = _regions("data.holdout.kind=square", "data.holdout.width=3",
                         f"data.holdout.place={place}")  # fmt: skip
    held = points[r == "square"]
    assert len(held) == 16  # 4 x 4 lattice points: |x - 3.5| <= 1.5, or x <= 0 + 3
    assert held.min(axis=0).tolist() == list(corner)


def test_no_holdout_trains_everything():
    _, r = _regions()
    assert (r == "in").all()
