"""Held-out regions of the 2D conditions (follow-up paper, Fig. 4 and 10-12): which lattice
points a model does not see, named by part so accuracy can be reported per region.

Each function of ``regions`` returns, per condition, "in" (trained) or the name of the held-out
part it belongs to. All intervals are closed, in label coordinates; edges and middles are those
of the lattice's points:
- cross: x in the band and y outside → "vertical" (a vertical strip of the plane), y in the
  band and x outside → "horizontal", both → "intersection";
- rim: conditions farther than ``width`` from every edge of the lattice's range → "interior"
  (only a rim of 2D examples is trained);
- lesion: x within ``width`` / 2 of the middle of the x range → "lesion";
- square: a ``width`` x ``width`` square centred in the range ("interior") or at its low corner
  ("exterior") → "square".
"""

from __future__ import annotations

import numpy as np

from bumpdiff.config import DataConfig
from bumpdiff.data.lattice import lattice_from_config

PARTS = {
    "none": (),
    "cross": ("vertical", "horizontal", "intersection"),
    "rim": ("interior",),
    "lesion": ("lesion",),
    "square": ("square",),
}
EPS = 1e-9  # lattice values are sums of float spacings


def regions(cfg: DataConfig, labels: np.ndarray) -> np.ndarray:
    """Per 2D label (m, 2): "in" or the held-out part (module docstring)."""
    h = cfg.holdout
    x, y = np.asarray(labels, dtype=np.float64).T
    points = lattice_from_config(cfg)  # edges and middles are the lattice's, not the range's
    (x_lo, y_lo), (x_hi, y_hi) = points.min(axis=0), points.max(axis=0)
    out = np.full(len(x), "in", dtype="<U12")
    if h.kind == "cross":
        lo, hi = h.band
        in_x, in_y = (x >= lo - EPS) & (x <= hi + EPS), (y >= lo - EPS) & (y <= hi + EPS)
        out[in_x & ~in_y], out[in_y & ~in_x], out[in_x & in_y] = (
            "vertical", "horizontal", "intersection")  # fmt: skip
    elif h.kind == "rim":
        edge = np.minimum.reduce([x - x_lo, x_hi - x, y - y_lo, y_hi - y])
        out[edge > h.width + EPS] = "interior"
    elif h.kind == "lesion":
        out[np.abs(x - (x_lo + x_hi) / 2) <= h.width / 2 + EPS] = "lesion"
    elif h.kind == "square":
        if h.place == "interior":
            cx, cy = (x_lo + x_hi) / 2, (y_lo + y_hi) / 2
            inside = (np.abs(x - cx) <= h.width / 2 + EPS) & (np.abs(y - cy) <= h.width / 2 + EPS)
        else:
            inside = (x <= x_lo + h.width + EPS) & (y <= y_lo + h.width + EPS)
        out[inside] = "square"
    return out
