"""Every figure function writes one PNG atomically and returns the bytes it wrote."""

import numpy as np

from bumpdiff.report import figures

PNG = b"\x89PNG\r\n\x1a\n"


def _check(png: bytes, path) -> None:
    assert png.startswith(PNG) and path.read_bytes() == png
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind


def test_figures_write_what_they_return(tmp_path):
    steps = [0, 10, 100]
    fractions = [{"none": 0.5, "multiple": 0.5, "mislocated": 0.0, "correct": 0.0}] * 3
    path = tmp_path / "outcomes.png"
    _check(figures.outcomes_figure(steps, fractions, ["A", "B", "C"], path), path)
    _check(figures.outcomes_figure(steps, fractions, ["", "", ""], path), path)  # no strip
    images = np.random.default_rng(0).random((5, 8, 8))
    conds = np.zeros((5, 2))
    outcomes = np.array(["none", "correct", "correct", "multiple", "none"])
    path = tmp_path / "gallery.png"
    positions = np.full((5, 2, 2), np.nan)
    positions[1, 0] = (3, 4)
    rows = [(o, images[outcomes == o], conds[outcomes == o], positions[outcomes == o])
            for o in ("none", "correct", "multiple")]  # fmt: skip
    _check(figures.gallery_figure(rows, path), path)
    curves = {k: np.random.default_rng(1).random((2, 3)) for k in ("x_acc", "y_acc")}
    path = tmp_path / "curves.png"
    _check(figures.axis_curves_figure([("dx = 1", np.array(steps), curves)], path), path)
    path = tmp_path / "cost.png"
    _check(figures.sampler_cost_figure(["A", "B"], [1.0, 0.1], [0.0, 4.0], path), path)


def test_the_sweep_stages_figure_has_a_panel_per_setting(tmp_path):
    import pandas as pd

    entries = []
    for group in ("a", "b", "c", "d"):
        for step in (0, 10, 100):
            entry = {"group": group, "step": step, "seeds": 2}
            for o in ("multiple", "mislocated", "correct"):
                entry |= {f"frac_{o}_mean": 0.3, f"frac_{o}_lo": 0.2, f"frac_{o}_hi": 0.4}
            entries.append(entry)
    table = pd.DataFrame(entries)
    for groups in (["a"], ["a", "b", "c", "d"]):  # one panel; two rows with two left empty
        path = tmp_path / f"stages{len(groups)}.png"
        _check(figures.sweep_stages_figure(table[table["group"].isin(groups)], path), path)


def test_gallery_captions_give_each_image_s_outcome_and_position_error():
    from bumpdiff.report.pages import gallery_rows

    samples = {
        "images": np.zeros((3, 8, 8)),
        "conditions": np.array([[3.0, 3.0], [4.0, 4.0], [5.0, 5.0]]),
        "centers": np.array([[3.0, 4.05], [np.nan, np.nan], [5.2, 4.9]]),
        "outcome": np.array(["mislocated", "none", "correct"]),
    }
    rows = {row[0].split("\n")[1].split(" ")[0]: row for row in gallery_rows(samples, "s", 0)}
    assert rows["mislocated"][4] == ["mislocated, 1.05 px"]  # looks right, is 1.05 px off
    assert rows["none"][4] == ["none"] and rows["correct"][4] == ["correct, 0.20 px"]
