"""The mechanisms figures draw from a summary with a known shape (two checkpoints, two
baselines, two targets) and write their PNG and SVG beside each other."""

import numpy as np

from bumpdiff.report import mechanism_figures as mf
from bumpdiff.store.summaries import DynamicsSummary

SNAP = {"images": 8, "one_bump": 0.5, "correct": 0.25, "median": 0.7, "mean": 0.6, "se": 0.1,
        "snapped": 0.5, "multiple": 0.25}  # fmt: skip


def _summary() -> DynamicsSummary:
    steps = [
        {
            "step": s,
            "snapping": SNAP,
            "fit": {"patch-3": {"50": r}, "ideal": {"50": r / 2}},
            "fit_mean": {"patch-3": r, "ideal": r / 2},
            "best": "patch-3",
            "paths": [(3.0 + r, 3.0), (4.5, 4.5 - r)],
        }
        for s, r in ((0, -0.2), (100, 0.8))
    ]
    fractions = {"none": 0, "multiple": 1, "mislocated": 0, "correct": 0}
    baselines = [{"label": label, "patch": p, "fractions": fractions, "outcomes": ["multiple"],
                  "snapping": SNAP} for label, p in (("patch-3", 3), ("ideal", None))]  # fmt: skip
    return DynamicsSummary(signature="s", targets=[(3, 3), (4.5, 4.5)], off_lattice=[(4.5, 4.5)],
                           baselines=baselines, rendered=SNAP, steps=steps)  # fmt: skip


def test_each_figure_writes_png_and_svg(tmp_path):
    summary = _summary()
    training = np.array([[3.0, 3.0], [4.0, 4.0], [5.0, 5.0]])
    made = {
        "snapping": mf.snapping_figure(summary, ["A", "C"], tmp_path / "snapping.png"),
        "fit": mf.fit_figure(summary, None, tmp_path / "fit.png"),
        "paths": mf.paths_figure(summary, training, tmp_path / "paths.png"),
    }
    for name, png in made.items():
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert (tmp_path / f"{name}.png").read_bytes() == png
        assert (tmp_path / f"{name}.svg").is_file()
