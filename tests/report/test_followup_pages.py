import numpy as np

from bumpdiff.report.followup_pages import percolation_figure


def test_percolation_figure_draws_a_lattice_that_never_percolates(tmp_path):
    """λ_c None (no vertical line) and held-out accuracy None must not break the figure."""
    lam = np.linspace(0, 1, 5).tolist()
    summary = {
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
            for s, c in ((0.3, None), (1.0, 0.4))
        ],  # fmt: skip
        "trained": [
            {"sigma": s, "fraction": f, "overall": [0.2, 0.4]}
            for s in (0.3, 1.0)
            for f in (0.5, 1.0)
        ],
    }
    png = percolation_figure(summary, tmp_path / "p.png")
    assert png.startswith(b"\x89PNG") and (tmp_path / "p.png").read_bytes() == png
