"""Pure statistics of the `efficiency` experiment: the dataset size at which accuracy reaches a
target, and its power law in the canvas side N."""

from __future__ import annotations

import numpy as np


def size_to_reach(sizes, accuracy, target: float) -> dict:
    """The training-set size at which the mean accuracy first reaches ``target``, interpolated
    linearly in log size between the two trained sizes around the crossing. ``bound``: "exact"
    (interpolated), "at_most" (already reached at the smallest size: the value is that size) or
    "none" (never reached: value None)."""
    sizes, accuracy = np.asarray(sizes, float), np.asarray(accuracy, float)
    order = np.argsort(sizes)
    sizes, accuracy = sizes[order], accuracy[order]
    reached = np.flatnonzero(accuracy >= target)
    if not len(reached):
        return {"value": None, "bound": "none"}
    i = int(reached[0])
    if i == 0:
        return {"value": float(sizes[0]), "bound": "at_most"}
    a0, a1 = accuracy[i - 1], accuracy[i]
    frac = (target - a0) / (a1 - a0)
    log_n = np.log(sizes[i - 1]) + frac * (np.log(sizes[i]) - np.log(sizes[i - 1]))
    return {"value": float(np.exp(log_n)), "bound": "exact"}


def power_law(canvas, needed) -> dict | None:
    """Least-squares fit log n = log c + b log N over the canvases with a value; the exponent b,
    its standard error (None with two points) and the points used. None with fewer than two."""
    pts = [(n, v) for n, v in zip(canvas, needed) if v is not None]
    if len(pts) < 2:
        return None
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    b, a = np.polyfit(x, y, 1)
    se = None
    if len(pts) > 2:
        resid = y - (a + b * x)
        se = float(np.sqrt(resid @ resid / (len(pts) - 2) / ((x - x.mean()) ** 2).sum()))
    return {"exponent": float(b), "se": se, "prefactor": float(np.exp(a)),
            "points": [list(p) for p in pts]}  # fmt: skip
