"""The trajectory probe's figures are drawn from the captured steps, with gaps where a value is
missing, and the UMAP views grey out samples without a bump."""

import numpy as np

from bumpdiff.report.trajectory_figures import trajectory_order_figure, trajectory_umap_figure


def _step(t: int, value: float | None) -> dict:
    suffixes = ("", "_untrained", "_shuffled", "_pixels")
    keys = [f"order_{g}{s}" for g in ("condition", "generated") for s in suffixes]
    keys.append("order_generated_null")
    return {"t": t, **{k: value for k in keys}}


def test_the_order_figure_draws_every_t_and_tolerates_missing_values(tmp_path):
    trajectories = [[_step(999, 0.5), _step(0, None)], [_step(999, 0.7), _step(0, 0.9)]]
    png = trajectory_order_figure([0, 10], trajectories, ["A", "B"], tmp_path / "o.png")
    assert png[:4] == b"\x89PNG" and (tmp_path / "o.png").read_bytes() == png


def test_the_umap_views_take_samples_without_a_bump(tmp_path):
    rng = np.random.default_rng(0)
    mu = rng.uniform(2, 9, size=(20, 2))
    p = mu.copy()
    p[:4] = np.nan
    panels = [
        ("step 10", rng.normal(size=(20, 3)), mu, p),
        ("step 20", rng.normal(size=(20, 3)), mu, mu),
    ]
    png = trajectory_umap_figure(panels, tmp_path / "u.png")
    assert png[:4] == b"\x89PNG"
