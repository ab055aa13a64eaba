"""Pages and figures of the follow-up paper's studies (percolation, the periodic canvas's
geometry): data in, one PNG per figure (report/figures.save_figure) and report.html out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from bumpdiff.config import Config
from bumpdiff.report.figures import save_figure
from bumpdiff.report.pages import render
from bumpdiff.runfolder import RunFolder

_STYLES = ["-", "--", ":", "-."]


def percolation_figure(summary: dict, path) -> bytes:
    """Left: simulated largest-cluster mass ratio against λ (band: 10th-90th percentile of the
    random subsets), a colour per σ and a line style per threshold. Right: terminal accuracy
    against λ (each seed a dot, the mean a line) with each σ's λ_c as vertical lines."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    sigmas = sorted({s["sigma"] for s in summary["simulation"]})
    colour = {s: plt.cm.viridis(i / max(1, len(sigmas) - 1)) for i, s in enumerate(sigmas)}
    thresholds = sorted({s["threshold"] for s in summary["simulation"]})
    for sim in summary["simulation"]:
        style = _STYLES[thresholds.index(sim["threshold"]) % len(_STYLES)]
        c = colour[sim["sigma"]]
        left.plot(sim["fractions"], sim["mean"], style, color=c,
                  label=f"σ = {sim['sigma']:g}, overlap > {sim['threshold']:g}")  # fmt: skip
        left.fill_between(sim["fractions"], sim["p10"], sim["p90"], color=c, alpha=0.15)
        if sim["critical"] is not None:
            right.axvline(sim["critical"], linestyle=style, color=c, alpha=0.7)
    left.set(xlabel="kept fraction λ", ylabel="largest cluster / all sites",
             title="percolation (simulated)")  # fmt: skip
    left.legend(fontsize=7)
    for sigma in sigmas:
        rows = sorted((t for t in summary["trained"] if t["sigma"] == sigma),
                      key=lambda t: t["fraction"])  # fmt: skip
        lam = [t["fraction"] for t in rows]
        right.plot(lam, [np.mean(t["overall"]) for t in rows], "o-", color=colour[sigma],
                   label=f"σ = {sigma:g}")  # fmt: skip
        for t in rows:
            right.scatter([t["fraction"]] * len(t["overall"]), t["overall"], s=12,
                          color=colour[sigma], alpha=0.5)  # fmt: skip
    right.set(xlabel="kept fraction λ", ylabel="accuracy (whole lattice)", ylim=(-0.02, 1.02),
              xlim=(0, 1), title="trained models; vertical lines: λ_c")  # fmt: skip
    right.legend(fontsize=7)
    return save_figure(fig, path)


def percolation_page(run: RunFolder, cfg: Config, summary: dict) -> None:
    rows = []
    for t in summary["trained"]:
        rows.append([t["sigma"], t["fraction"], len(t["overall"]), float(np.mean(t["overall"])),
                     _mean(t["trained"]), _mean(t["heldout"])])  # fmt: skip
    sims = [[s["sigma"], s["threshold"], s["radius"], s["critical"]] for s in summary["simulation"]]
    png = percolation_figure(summary, run.figure_path("percolation"))
    render(
        run,
        "percolation.html.j2",
        "bumpdiff · percolation",
        cfg,
        sentences=[s.replace("**", "") for s in summary["result"]["sentences"]],
        trained_rows=rows,
        simulated_rows=sims,
        figures={"percolation": png},
    )


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None
