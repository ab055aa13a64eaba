import json
from pathlib import Path

import numpy as np
import pytest

import bumpdiff.report.followup_pages as pages
from bumpdiff.report.followup_pages import efficiency_figure, percolation_figure

EFFICIENCY = Path(__file__).parents[2] / "results" / "efficiency"


@pytest.fixture
def drawn(monkeypatch) -> dict:
    """The figure a page function drew, kept open under "fig" instead of saved."""
    kept = {}
    monkeypatch.setattr(pages, "save_figure", lambda fig, path: kept.setdefault("fig", fig))
    return kept


def _seed0_efficiency() -> dict:
    """Seed 0 of the fine efficiency design, as committed."""
    return json.loads((EFFICIENCY / "fine-s0-all.json").read_text())


def _summary(critical=(None, 0.4)) -> dict:
    lam = np.linspace(0, 1, 5).tolist()
    return {
        "simulation": [
            {
                "sigma": s,
                "threshold": 0.05,
                "fractions": lam,
                "mean": lam,
                "p10": lam,
                "p90": lam,
                "spanning": lam,
                "critical": c,
            }
            for s, c in zip((0.3, 1.0), critical)
        ],  # fmt: skip
        "trained": [
            {"sigma": s, "fraction": f, "overall": [0.2, 0.4]}
            for s in (0.3, 1.0)
            for f in (0.5, 1.0)
        ],
    }


def test_percolation_figure_draws_a_lattice_that_never_percolates(tmp_path):
    """λ_c None (no vertical line) and held-out accuracy None must not break the figure."""
    png = percolation_figure(_summary(), tmp_path / "p.png")
    assert png.startswith(b"\x89PNG") and (tmp_path / "p.png").read_bytes() == png


def test_each_widths_onset_interval_is_shaded_where_it_has_one(tmp_path, drawn):
    """The accuracy panel spans each width's bootstrap interval of the onset (one with no
    interval, e.g. accuracy that never crosses, is left unshaded)."""
    summary = _summary((0.2, 0.4))
    widths = [{"sigma": 0.3, "interval": {"lo": 0.21, "hi": 0.34}},
              {"sigma": 1.0, "interval": {"lo": None, "hi": None}}]  # fmt: skip
    summary["result"] = {"widths": widths}
    pages.percolation_figure(summary, tmp_path / "p.png")
    right = drawn["fig"].axes[2]
    spans = [(round(p.get_x(), 2), round(p.get_x() + p.get_width(), 2)) for p in right.patches]
    assert spans == [(0.21, 0.34)]


def test_the_efficiency_figure_draws_each_dataset_on_its_own_canvases(drawn):
    """Seed 0 of the fine design (bumps on N = 8, 12, 16; with stripes also 20, whose N = 8 is
    a bound): no accuracy curve for a canvas a dataset was not trained on, each power law only
    over the canvases it was fitted on, labelled with its exponent and standard error."""
    data = _seed0_efficiency()
    pages.efficiency_figure(data, None)
    left, right = drawn["fig"].axes
    curves = {line.get_label() for line in left.get_lines()}
    assert "bumps+stripes, N = 20" in curves and "bumps, N = 20" not in curves
    fits = {line.get_label(): list(line.get_xdata()) for line in right.get_lines()
            if line.get_label().startswith("bumps+stripes: N^")}  # fmt: skip
    boot = data["scaling"]["bumps+stripes"]["bootstrap"]
    fit = data["scaling"]["bumps+stripes"]["fit"]
    assert fits == {f"bumps+stripes: N^{fit['exponent']:.2f} ± {boot['se']:.2f}": [12, 16, 20]}
    assert "bumps+stripes: at most" in {line.get_label() for line in right.get_lines()}


def test_an_interval_that_misses_its_estimate_draws_without_a_negative_arm(tmp_path):
    """A bootstrap percentile interval lying wholly above the interpolated size (possible with
    few seeds) is drawn, its lower arm zero, instead of matplotlib refusing negative errors."""
    data = _seed0_efficiency()
    bumps = data["scaling"]["bumps"]
    bumps["intervals"][1].update(lo=bumps["needed"][1]["value"] + 5,
                                 hi=bumps["needed"][1]["value"] + 9)  # fmt: skip
    assert efficiency_figure(data, tmp_path / "e.png").startswith(b"\x89PNG")
