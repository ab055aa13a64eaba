"""The `efficiency` experiment (follow-up paper, Fig. 5): are 2D bumps learned from fewer images
when 1D stripes of the same positions are in the training set?

For every canvas side N, kept fraction λ of the 2D lattice and seed, two models: 2D bumps alone,
and the same bumps plus every vertical and horizontal stripe. Each is evaluated at its last
checkpoint on 2D bumps at every lattice point. Reported: accuracy against λ (and against the
training-set size), the size needed to reach ``efficiency.target`` for each N, and its power law in
N on log-log axes beside the linear and quadratic references.

Run folder: ``config.yaml``, one sub-run per member (``bumps-N12-keep0.5-s0/`` …),
``efficiency.json``, ``figures/``, ``report.html``.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.config import Config
from bumpdiff.config.followup import EFFICIENCY_DATASETS
from bumpdiff.data import training_set
from bumpdiff.experiments.base import Experiment, Log
from bumpdiff.experiments.efficiency_stats import (
    compare_exponents,
    exponent_with_se,
    needed_draws,
    power_law,
    size_to_reach,
)
from bumpdiff.experiments.members import (
    derived,
    design_of,
    evaluate_last,
    last_samples,
    train_all,
    write_summary,
)
from bumpdiff.report import followup_pages
from bumpdiff.store.runfolder import RunFolder

DATASETS = {"bumps": ["bump"], "bumps+stripes": ["bump", "vstripe", "hstripe"]}
assert tuple(DATASETS) == EFFICIENCY_DATASETS  # the names the config's per-dataset sizes take
GRID = ("sizes", "fractions", "seeds")  # the lists naming the members (experiments/shards.py)


def settings(cfg: Config) -> list[tuple[str, int, float]]:
    """The (dataset, N, λ) of the rows of ``members``, in the summary's order."""
    e = cfg.efficiency
    return [(d, n, f) for d in DATASETS for n in e.sizes_of(d) for f in e.fractions]


def member_config(cfg: Config, dataset: str, size: int, fraction: float, seed: int) -> Config:
    hi = size - 1 - cfg.efficiency.margin
    lo = cfg.efficiency.margin
    return derived(cfg, seed, data={"size": size, "kinds": DATASETS[dataset], "canvas": None,
                                    "x_range": [lo, hi], "y_range": [lo, hi],
                                    "keep_fraction": fraction})  # fmt: skip


def _members(cfg: Config, root: RunFolder):
    e = cfg.efficiency
    for dataset in DATASETS:
        for size in e.sizes_of(dataset):
            for fraction in e.fractions:
                for seed in e.seeds:
                    name = f"{dataset.replace('+', '-')}-N{size}-keep{fraction:g}-s{seed}"
                    what = f"{dataset}, N = {size}, λ = {fraction:g}, seed {seed}"
                    yield what, member_config(cfg, dataset, size, fraction, seed), root.subrun(name)


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    train_all(_members(cfg, root), log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    evaluate_last(_members(cfg, root), log)


def member_rows(cfg: Config, root: RunFolder) -> list[dict]:
    """Per (dataset, N, λ): the training-set size and the seeds' accuracies on 2D bumps."""
    rows: dict[tuple, dict] = {}
    for _, member_cfg, sub in _members(cfg, root):
        d = member_cfg.data
        dataset = "bumps" if d.kinds == ["bump"] else "bumps+stripes"
        key = (dataset, d.size, d.keep_fraction)
        images = len(training_set(d, member_cfg.seed)[0])
        fresh = {"dataset": dataset, "size": d.size, "fraction": d.keep_fraction, "seeds": [],
                 "images": [], "accuracy": [], "evaluated": []}  # fmt: skip
        row = rows.setdefault(key, fresh)
        row["seeds"].append(member_cfg.seed)
        row["images"].append(images)
        outcome = last_samples(member_cfg, sub)["outcome"]
        row["accuracy"].append(float(np.mean(outcome == "correct")))
        row["evaluated"].append(len(outcome))
    return list(rows.values())


def scaling(rows: list[dict], target: float, seed: int = 0) -> dict[str, dict]:
    """Per dataset: the size needed at each N with its bootstrap interval, the power law over N
    and the exponent's bootstrap standard error (efficiency_stats)."""
    out = {}
    for dataset in DATASETS:
        needed, draws = [], []
        sizes = sorted({r["size"] for r in rows if r["dataset"] == dataset})
        for size in sizes:
            sel = [r for r in rows if r["dataset"] == dataset and r["size"] == size]
            trained = [np.mean(r["images"]) for r in sel]
            needed.append(size_to_reach(trained, [np.mean(r["accuracy"]) for r in sel], target))
            evaluated = min(min(r["evaluated"]) for r in sel)
            draws.append(needed_draws(trained, [r["accuracy"] for r in sel], evaluated, target,
                                      seed=seed + size))  # fmt: skip
        exact = [n["value"] if n["bound"] == "exact" else None for n in needed]
        out[dataset] = {"canvas": sizes, "needed": needed, "fit": power_law(sizes, exact),
                        "intervals": [_interval(d) for d in draws],
                        "bootstrap": exponent_with_se(sizes, draws)}  # fmt: skip
    return out


def _interval(draws: np.ndarray) -> dict:
    """2.5 and 97.5 percentiles of the replicates with an interpolated size, and their share."""
    ok = draws[np.isfinite(draws)]
    if not len(ok):
        return {"lo": None, "hi": None, "share": 0.0}
    lo, hi = np.percentile(ok, [2.5, 97.5])
    return {"lo": float(lo), "hi": float(hi), "share": float(len(ok) / len(draws))}


def equal_fraction(rows: list[dict]) -> str:
    """At equal N and λ, are 2D bumps learned better with stripes? Per point "higher" when
    every seed with stripes beats every seed without, "lower" the reverse; the answer is "yes"
    when higher at half of the points or more and lower at none, "no" when lower at half or
    more and higher at none, else "mixed"."""
    key = {(r["dataset"], r["size"], r["fraction"]): r["accuracy"] for r in rows}
    points, marks = sorted({(n, f) for _, n, f in key}), []
    for n, f in points:
        with_, without = key.get(("bumps+stripes", n, f)), key.get(("bumps", n, f))
        if with_ is None or without is None:
            continue
        mark = (
            "higher"
            if min(with_) > max(without)
            else "lower"
            if max(with_) < min(without)
            else "same"
        )
        marks.append(f"N = {n}, λ = {f:g}: {np.mean(with_):.0%} vs {np.mean(without):.0%} ({mark})")
    if not marks:
        return ("At equal N and λ, are 2D bumps learned better with stripes? **n/a** (no (N, λ) "
                "trained with both datasets).")  # fmt: skip
    higher, lower = sum("(higher)" in m for m in marks), sum("(lower)" in m for m in marks)
    answer = ("yes" if 2 * higher >= len(marks) and not lower else
              "no" if 2 * lower >= len(marks) and not higher else "mixed")  # fmt: skip
    return (f"At equal N and λ, are 2D bumps learned better with stripes (accuracy with vs "
            f"without)? **{answer}**: {'; '.join(marks)}.")  # fmt: skip


def comparison(scale: dict) -> dict:
    """The two datasets' exponents compared (efficiency_stats.compare_exponents)."""
    return compare_exponents(*(scale[d]["bootstrap"] for d in DATASETS))


def sentences(rows: list[dict], scale: dict, target: float, compared: dict) -> list[str]:
    """The report's sentences; ``compared``: ``comparison(scale)``."""
    lines = [equal_fraction(rows)]
    for dataset, s in scale.items():
        if not s["canvas"]:
            lines.append(f"{dataset}: no canvas trained.")
            continue
        fit, boot = s["fit"], s.get("bootstrap") or {}
        pts = ", ".join(f"N = {n}: {_needed(v)}{_range(i)}"
                        for n, v, i in zip(s["canvas"], s["needed"], s.get("intervals") or
                                           [None] * len(s["canvas"])))  # fmt: skip
        exp = ("n/a (fewer than two canvases with an interpolated size)" if fit is None else
               f"{fit['exponent']:.2f}" + (f" ± {boot['se']:.2f} (bootstrap)" if boot.get("se")
                                           else " (no standard error: fewer than three "
                                           "canvases with an interpolated size)"))  # fmt: skip
        used = boot.get("canvases")
        over = (f" over N = {', '.join(map(str, used))}" if boot.get("se") and used
                and used != s["canvas"] else "")  # fmt: skip
        lines.append(f"{dataset}: images needed for {target:.0%} accuracy on 2D bumps — {pts}; "
                     f"exponent of N{over}: **{exp}** (linear 1, quadratic 2).")  # fmt: skip
    lines.append(_verdict(compared))
    return lines


def _range(interval: dict | None) -> str:
    if not interval or interval["lo"] is None or interval["share"] < 0.5:  # mostly a bound
        return ""
    return f" (95 % {interval['lo']:.0f}–{interval['hi']:.0f})"


def _verdict(c: dict) -> str:
    """The exponents compared (efficiency_stats.compare_exponents) as the claim's sentence."""
    head = "Do stripes make 2D bumps cheaper to learn as N grows?"
    if c["answer"] == "undetermined":
        return (f"{head} **undetermined** (an exponent with a standard error needs an interpolated "
                "size at three canvases or more in most bootstrap replicates).")  # fmt: skip
    answer = "no" if c["answer"] == "do not differ" or c["difference"] > 0 else "yes"
    ref = "; ".join(f"{name}: {d['1']:.1f} SE from 1, {d['2']:.1f} SE from 2"
                    for name, d in c["from_reference_in_se"].items())  # fmt: skip
    power = "" if c["separable"] else " (too few canvases or seeds to tell 1 from 2)"
    unit = c.get("unit_difference_in_se")  # absent from summaries written before it was kept
    if c["answer"] == "do not differ" and unit is not None:
        power += (
            f"; a difference of one (one linear, the other quadratic) lies {unit:.1f} SE "
            f"from the one measured: {'ruled out' if unit >= 3 else 'not ruled out'} (by 3)"
        )
    return (f"{head} **{answer}**: the exponents {c['answer']} (with stripes minus without "
            f"{c['difference']:+.2f} ± {c['se']:.2f}); {ref}{power}.")  # fmt: skip


def _needed(n: dict) -> str:
    if n["bound"] == "none":
        return "not reached"
    return f"≤ {n['value']:.0f}" if n["bound"] == "at_most" else f"{n['value']:.0f}"


def report(cfg: Config, root: RunFolder) -> list[str]:
    rows = member_rows(cfg, root)
    scale = scaling(rows, cfg.efficiency.target, cfg.seed)
    compared = comparison(scale)
    lines = sentences(rows, scale, cfg.efficiency.target, compared)
    data = {
        "design": design_of(cfg, GRID),
        "members": rows,
        "scaling": scale,
        "comparison": compared,
        "sentences": lines,
    }
    followup_pages.efficiency_page(root, cfg, data)
    return write_summary(root, "efficiency", data, lines)


EXPERIMENT = Experiment("efficiency", train_models, analyse, report)
