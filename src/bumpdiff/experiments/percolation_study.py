"""The `percolation` experiment (follow-up paper, Fig. 6 and 13-14): does the onset of accuracy in
the kept fraction λ of the lattice track the percolation threshold of overlapping bumps?

Two halves. The simulation (``data/percolation.py``, no training): on the config's lattice, for
each σ and overlap threshold, the largest-cluster mass ratio against λ and its critical λ_c. The
training: one model per (σ, λ, seed) on a random λ-subset of the lattice, evaluated at its last
checkpoint on the whole lattice (accuracy overall and on the held-out conditions).

Run folder: ``config.yaml``, one sub-run per member (``sigma0.5-keep0.4-s0/`` …),
``percolation.json``, ``figures/`` and ``report.html``.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.config import Config
from bumpdiff.data import lattice_from_config, trained_mask
from bumpdiff.data.percolation import (
    connect_radius,
    critical_fraction,
    lattice_sites,
    percolation_curves,
)
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.experiments.members import (
    derived,
    design_of,
    evaluate_last,
    last_samples,
    write_summary,
)
from bumpdiff.experiments.percolation_stats import summarise
from bumpdiff.report import followup_pages
from bumpdiff.store.runfolder import RunFolder

GRID = ("sigmas", "fractions", "seeds")  # the lists naming the members (experiments/shards.py)


def settings(cfg: Config) -> list[tuple[float, float]]:
    """The (σ, λ) of the rows of ``trained``, in the summary's order."""
    return [(s, f) for s in cfg.percolation.sigmas for f in cfg.percolation.fractions]


def member_name(sigma: float, fraction: float, seed: int) -> str:
    return f"sigma{sigma:g}-keep{fraction:g}-s{seed}"


def member_config(cfg: Config, sigma: float, fraction: float, seed: int) -> Config:
    """The experiment's config with one width, kept fraction and seed (a plain training run)."""
    return derived(cfg, seed, data={"sigma": sigma, "keep_fraction": fraction})


def _members(cfg: Config, root: RunFolder):
    p = cfg.percolation
    for sigma in p.sigmas:
        for fraction in p.fractions:
            for seed in p.seeds:
                name = member_name(sigma, fraction, seed)
                yield (
                    (sigma, fraction, seed),
                    member_config(cfg, sigma, fraction, seed),
                    root.subrun(name),
                )


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    for (sigma, fraction, seed), member_cfg, sub in _members(cfg, root):
        log(f"σ = {sigma:g}, λ = {fraction:g}, seed {seed} → {sub.root}")
        train_to_end(member_cfg, sub, log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate each member's last checkpoint (the terminal accuracy; nothing else is read)."""
    evaluate_last(_members(cfg, root), log)


def simulate(cfg: Config) -> list[dict]:
    """Per σ and threshold: the mass-ratio curve (mean, 10th and 90th percentiles over the
    random subsets) and the spanning probability on the config's lattice, the connection radius
    and λ_c (where half of the subsets span)."""
    p = cfg.percolation
    pts = lattice_from_config(cfg.data)
    nx, ny = len(np.unique(pts[:, 0])), len(np.unique(pts[:, 1]))
    sites = lattice_sites(nx, ny, cfg.data.dx, cfg.data.dy)
    fractions = np.linspace(0, 1, p.grid)
    out = []
    for sigma in p.sigmas:
        for threshold in p.thresholds:
            radius = connect_radius(sigma, threshold, p.normalisation)
            curves = percolation_curves(sites, radius, fractions, p.repeats, seed=cfg.seed)
            mean, span = curves["mass"].mean(axis=0), curves["spans"].mean(axis=0)
            out.append(
                {
                    "sigma": sigma,
                    "threshold": threshold,
                    "radius": radius,
                    "fractions": fractions.tolist(),
                    "mean": mean.tolist(),
                    "p10": np.percentile(curves["mass"], 10, axis=0).tolist(),
                    "p90": np.percentile(curves["mass"], 90, axis=0).tolist(),
                    "spanning": span.tolist(),
                    "critical": critical_fraction(fractions, span),
                }
            )
    return out


def terminal_accuracy(cfg: Config, run: RunFolder) -> dict[str, float | None]:
    """Accuracy of the last checkpoint's evaluation samples: overall, on the trained conditions
    and on the held-out ones (None where there are none)."""
    s = last_samples(cfg, run)
    correct = s["outcome"] == "correct"
    trained = trained_mask(cfg.data, cfg.seed, s["conditions"])
    return {
        "overall": float(correct.mean()),
        "trained": float(correct[trained].mean()) if trained.any() else None,
        "heldout": float(correct[~trained].mean()) if (~trained).any() else None,
        "evaluated": int(len(correct)),
    }


def trained_rows(cfg: Config, root: RunFolder) -> list[dict]:
    """Per (σ, λ): the seeds' terminal accuracies (overall, trained, held-out conditions)."""
    rows: dict[tuple[float, float], dict] = {}
    for (sigma, fraction, seed), member_cfg, sub in _members(cfg, root):
        acc = terminal_accuracy(member_cfg, sub)
        row = rows.setdefault((sigma, fraction), {"sigma": sigma, "fraction": fraction,
                                                  "seeds": [], "overall": [], "trained": [],
                                                  "heldout": [], "evaluated": []})  # fmt: skip
        row["seeds"].append(seed)
        for key in ("overall", "trained", "heldout", "evaluated"):
            row[key].append(acc[key])
    return list(rows.values())


def report(cfg: Config, root: RunFolder) -> list[str]:
    """percolation.json, the figure and report.html; the headline lines."""
    summary = {"design": design_of(cfg, GRID), "simulation": simulate(cfg),
               "trained": trained_rows(cfg, root)}  # fmt: skip
    summary["result"] = summarise(
        summary["simulation"], summary["trained"], cfg.percolation.onset, cfg.seed
    )
    followup_pages.percolation_page(root, cfg, summary)
    return write_summary(root, "percolation", summary, summary["result"]["sentences"])


EXPERIMENT = Experiment("percolation", train_models, analyse, report)
