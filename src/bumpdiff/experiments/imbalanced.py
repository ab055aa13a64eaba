"""The `imbalanced` experiment (seed paper: dx = 0.1, dy = 1.0): are x and y learned separately or
together? Trains every (dx, dy) variant for every seed with the same steps, evaluates per-axis
accuracy and probes R²_x, R²_y at every checkpoint, and measures the coupling of the two curves
against a factorized baseline (``imbalanced_stats``).

Run folder: ``config.yaml``, one sub-run per variant and seed (``dx0.1-dy1-s0/`` …, each a full
run folder), ``coupling.json`` (records.CouplingSummary), ``figures/`` and ``report.html``.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.analysis import analyse_pending
from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.data import lattice_from_config
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.experiments.imbalanced_stats import (
    coupling_stats,
    coupling_verdict,
    factorized_ratio,
)
from bumpdiff.records import CouplingSummary, CouplingVariant
from bumpdiff.report import pages
from bumpdiff.runfolder import RunFolder

STATS = ("x_step50", "y_step50", "x_step90", "y_step90", "ratio50", "ratio90", "curve_corr")


def variant_name(dx: float, dy: float, seed: int) -> str:
    return f"dx{dx:g}-dy{dy:g}-s{seed}"


def variant_config(cfg: Config, dx: float, dy: float, seed: int) -> Config:
    """The experiment's config with one dataset variant and seed (a plain training run)."""
    tree = cfg.model_dump(mode="json")
    tree.update(experiment="phases", seed=seed)
    tree["data"].update(dx=dx, dy=dy)
    return build_config(tree)


def _members(cfg: Config, root: RunFolder):
    """(dx, dy, seed, sub-run) for every variant and seed."""
    for dx, dy in cfg.imbalanced.variants:
        for seed in cfg.imbalanced.seeds:
            yield dx, dy, seed, root.subrun(variant_name(dx, dy, seed))


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    for dx, dy, seed, sub in _members(cfg, root):
        log(f"variant dx={dx:g} dy={dy:g} seed {seed} → {sub.root}")
        train_to_end(variant_config(cfg, dx, dy, seed), sub, log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate and probe every sub-run's checkpoints not yet analysed."""
    for _, _, _, sub in _members(cfg, root):
        analyse_pending(sub, sub.read_config(), log)
        log(f"  analysed {sub.root.name}")


def curves(run: RunFolder) -> dict[str, np.ndarray]:
    """Per-axis learning curves of one sub-run: steps, x/y accuracy, R² on the top PCs."""
    evals, probes = run.latest_by_step("eval"), run.latest_by_step("probe")
    steps = [s for s in run.checkpoint_steps() if s in evals and s in probes]
    return {
        "steps": np.array(steps),
        "x_acc": np.array([evals[s].x_accuracy for s in steps]),
        "y_acc": np.array([evals[s].y_accuracy for s in steps]),
        "r2_x": np.array([probes[s].r2_x_pca for s in steps]),
        "r2_y": np.array([probes[s].r2_y_pca for s in steps]),
    }


def _distinct(cfg: Config) -> tuple[int, int]:
    pts = lattice_from_config(cfg.data)
    return len(np.unique(pts[:, 0])), len(np.unique(pts[:, 1]))


def summarise_variants(cfg: Config, root: RunFolder) -> CouplingSummary:
    """coupling.json's content: one object per variant (means and per-seed lists) and a verdict."""
    rows = []
    for dx, dy in cfg.imbalanced.variants:
        per_seed = {k: [] for k in STATS}
        for seed in cfg.imbalanced.seeds:
            c = curves(root.subrun(variant_name(dx, dy, seed)))
            stats = coupling_stats(c["steps"], c["x_acc"], c["y_acc"])
            for k in STATS:
                per_seed[k].append(stats[k])
        n_x, n_y = _distinct(variant_config(cfg, dx, dy, 0))
        row = {"dx": dx, "dy": dy, "seeds": list(cfg.imbalanced.seeds), "n_x": n_x, "n_y": n_y}
        for k in STATS:
            vals = np.array(per_seed[k], dtype=np.float64)
            row[k] = float(np.nanmean(vals)) if np.isfinite(vals).any() else None
            row[f"{k}_per_seed"] = [None if not np.isfinite(v) else float(v) for v in vals]
        rows.append(row)
    balanced = next((r for r in rows if r["dx"] == r["dy"]), None)
    sentences = []
    for row in rows:
        row["factorized_ratio50"] = None
        row["verdict"] = "undetermined"
        if balanced is None or row is balanced or balanced["ratio50"] is None:
            continue
        fact = factorized_ratio(
            balanced["ratio50"], row["n_x"], row["n_y"], balanced["n_x"], balanced["n_y"]
        )
        row["factorized_ratio50"] = fact
        measured = row["ratio50"] if row["ratio50"] is not None else float("nan")
        row["verdict"] = coupling_verdict(measured, balanced["ratio50"], fact)
        sentences.append(_sentence(row, balanced))
    if balanced is None:
        verdict = "No balanced variant (dx = dy) was run, so there is no baseline to compare with."
    elif not sentences:
        verdict = "No imbalanced variant reached 50 % accuracy on both axes; nothing to compare."
    else:
        verdict = " ".join(sentences)
    return CouplingSummary(variants=[CouplingVariant(**r) for r in rows], verdict=verdict)


def _sentence(row: dict, balanced: dict) -> str:
    if row["verdict"] == "undetermined":
        return (
            f"For dx = {row['dx']:g}, dy = {row['dy']:g} the coupling is undetermined (an axis "
            "did not reach 50 % accuracy in every seed, or the ratios are missing)."
        )
    return (
        f"For dx = {row['dx']:g}, dy = {row['dy']:g} ({row['n_x']} × {row['n_y']} distinct "
        f"values), x reached 50 % accuracy at {row['ratio50']:.2f}× the step of y, against "
        f"{balanced['ratio50']:.2f}× on the balanced data and {row['factorized_ratio50']:.2f}× "
        f"predicted if each axis were learned at the pace of its own number of values; the "
        f"curves correlate at r = {_two(row['curve_corr'])}: learning looks "
        f"**{row['verdict']}** (means over seeds {row['seeds']})."
    )


def _two(v) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def _panels(cfg: Config, root: RunFolder):
    """Per variant: title, steps and each curve stacked over the seeds that reached every step."""
    panels = []
    for dx, dy in cfg.imbalanced.variants:
        runs = [curves(root.subrun(variant_name(dx, dy, s))) for s in cfg.imbalanced.seeds]
        steps = runs[0]["steps"]
        stacks = {
            key: np.array([r[key] for r in runs if len(r[key]) == len(steps)])
            for key in ("x_acc", "y_acc", "r2_x", "r2_y")
        }
        panels.append((f"dx = {dx:g}, dy = {dy:g}", steps, stacks))
    return panels


def report(cfg: Config, root: RunFolder) -> list[str]:
    """coupling.json, figures and report.html from the sub-runs; the headline lines."""
    for _, _, _, sub in _members(cfg, root):
        if not len(curves(sub)["steps"]):
            raise ConfigError(f"run: {sub.root} has no analysed checkpoint; analyse it first")
    summary = summarise_variants(cfg, root)
    root.write_coupling(summary)
    pages.imbalanced_page(root, cfg, summary, _panels(cfg, root))
    return [summary.verdict.replace("**", ""), f"coupling: {root.coupling_path}"]


EXPERIMENT = Experiment(train_models, analyse, report)
