"""The `imbalanced` experiment (seed paper: dx = 0.1, dy = 1.0): are x and y learned separately or
together? Trains every (dx, dy) variant for every seed with the same steps, evaluates per-axis
accuracy and probes R²_x, R²_y at every checkpoint, and measures the coupling of the two curves
against a factorized baseline (``imbalanced_stats``).

Run folder: ``config.yaml``, one sub-run per variant and seed (``dx0.1-dy1-s0/`` …, each a full
run folder), ``coupling.json`` (records.CouplingSummary), ``figures/`` and ``report.html``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from bumpdiff.analysis.pipeline import analyse_pending
from bumpdiff.config import Config, ConfigError, build_config
from bumpdiff.data import lattice_from_config
from bumpdiff.experiments.base import Experiment, Log, train_to_end
from bumpdiff.experiments.design_power import (
    BLIND_LIMIT,
    first_difference,
    lattice_blindness,
    log_ratios,
)
from bumpdiff.experiments.imbalanced_stats import (
    coupling_stats,
    coupling_verdict,
    excess_answer,
    learning_excess,
    step_to_reach,
)
from bumpdiff.report import pages
from bumpdiff.store.records import CouplingSummary, CouplingVariant
from bumpdiff.store.runfolder import RunFolder, write_json

STATS = ("x_step50", "y_step50", "x_step90", "y_step90", "ratio50", "ratio90", "curve_corr")


def variant_name(dx: float, dy: float, seed: int) -> str:
    return f"dx{dx:g}-dy{dy:g}-s{seed}"


def reference_name(axis: str, spacing: float, seed: int) -> str:
    """A 1D reference: only ``axis`` varies, with ``spacing``; e.g. "x0.1-s0"."""
    return f"{axis}{spacing:g}-s{seed}"


def variant_config(cfg: Config, dx: float, dy: float, seed: int) -> Config:
    """The experiment's config with one dataset variant and seed (a plain training run)."""
    tree = cfg.model_dump(mode="json")
    tree.update(experiment="phases", seed=seed)
    tree["data"].update(dx=dx, dy=dy)
    return build_config(tree)


def reference_config(cfg: Config, axis: str, spacing: float, seed: int) -> Config:
    """Only ``axis`` varies (with ``spacing``, over its range); the other is fixed at the middle
    of its range: the model learns that axis alone."""
    tree = cfg.model_dump(mode="json")
    tree.update(experiment="phases", seed=seed)
    other = "y" if axis == "x" else "x"
    lo, hi = cfg.data.axis_range(other)
    tree["data"].update(
        {f"d{axis}": spacing, f"d{other}": 1.0, f"{other}_range": [(lo + hi) / 2] * 2}
    )
    # as many evaluation images as a 2D variant gets (sample.max_conditions × draws): a 1D
    # lattice has few conditions, and a share of 8 images is too coarse to time
    n = len(lattice_from_config(build_config(tree).data))
    per_condition = -(-cfg.sample.max_conditions // n) * cfg.sample.draws
    tree["sample"]["draws"] = max(cfg.sample.draws, min(per_condition, 1024))
    return build_config(tree)


def _members(cfg: Config, root: RunFolder):
    """(description, config, sub-run) for every variant and seed, then every 1D reference."""
    for seed in cfg.imbalanced.seeds:
        for dx, dy in cfg.imbalanced.variants if cfg.imbalanced.stage == "all" else []:
            sub = root.subrun(variant_name(dx, dy, seed))
            yield f"variant dx={dx:g} dy={dy:g} seed {seed}", variant_config(cfg, dx, dy, seed), sub
        for axis, spacing in _references(cfg):
            sub = root.subrun(reference_name(axis, spacing, seed))
            what = f"reference: {axis} alone, d{axis}={spacing:g}, seed {seed}"
            yield what, reference_config(cfg, axis, spacing, seed), sub


def _references(cfg: Config) -> list[tuple[str, float]]:
    """The distinct (axis, spacing) pairs of the variants, when references are on."""
    if not cfg.imbalanced.references:
        return []
    pairs = [("x", dx) for dx, _ in cfg.imbalanced.variants]
    pairs += [("y", dy) for _, dy in cfg.imbalanced.variants]
    return list(dict.fromkeys(pairs))


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    for what, member_cfg, sub in _members(cfg, root):
        log(f"{what} → {sub.root}")
        train_to_end(member_cfg, sub, log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    """Evaluate every sub-run's checkpoints not yet evaluated (with the settings the
    experiment's config gives them). The coupling is measured on what the models generate;
    nothing here reads a probe, so none is made."""
    for _, member_cfg, sub in _members(cfg, root):
        analyse_pending(sub, member_cfg, log, parts=("eval",))
        log(f"  analysed {sub.root.name}")


def curves(run: RunFolder, measure: str = "dominant") -> dict[str, np.ndarray]:
    """Per-axis learning curves of one sub-run: steps and x/y accuracy (``measure``: the
    dominant bump of images with one, or single-bump images only)."""
    evals = run.latest_by_step("eval")
    steps = [s for s in run.checkpoint_steps() if s in evals]
    tail = "_dominant" if measure == "dominant" else ""
    return {
        "steps": np.array(steps),
        "x_acc": np.array([_nan(getattr(evals[s], f"x_accuracy{tail}")) for s in steps]),
        "y_acc": np.array([_nan(getattr(evals[s], f"y_accuracy{tail}")) for s in steps]),
        "excess": np.array([_nan(evals[s].xy_excess_dominant) for s in steps]),
    }


def _nan(value) -> float:
    """A row written before a measure existed reads as NaN: that checkpoint does not count."""
    return float("nan") if value is None else float(value)


def blind_accuracies(cfg: Config, dx: float, dy: float) -> tuple[float, float]:
    """Per axis of the (dx, dy) lattice, the accuracy of a generator blind to that axis's
    condition at the study's tolerances (design_power.blind_accuracy)."""
    data = variant_config(cfg, dx, dy, 0).data
    return lattice_blindness(data, cfg.eval.tolerance, cfg.eval.tolerance_x)


def _distinct(cfg: Config) -> tuple[int, int]:
    pts = lattice_from_config(cfg.data)
    return len(np.unique(pts[:, 0])), len(np.unique(pts[:, 1]))


def _listed(values) -> tuple[float | None, list[float | None]]:
    """Mean over seeds (None if no seed has a value) and the per-seed list (None where NaN)."""
    vals = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    mean = float(np.nanmean(vals)) if np.isfinite(vals).any() else None
    return mean, [float(v) if np.isfinite(v) else None for v in vals]


def _geometric(values) -> float | None:
    vals = np.array([v for v in values if v is not None and v > 0], dtype=np.float64)
    return float(np.exp(np.log(vals).mean())) if vals.size else None


def _reference_steps(dx: float, dy: float, seed: int, curves_of) -> tuple[float, float]:
    """The steps at which x alone (spacing ``dx``) and y alone (``dy``) reach 50 % accuracy."""
    cx = curves_of(reference_name("x", dx, seed))
    cy = curves_of(reference_name("y", dy, seed))
    return step_to_reach(cx["steps"], cx["x_acc"], 0.5), step_to_reach(
        cy["steps"], cy["y_acc"], 0.5
    )


def _variant_row(cfg: Config, dx: float, dy: float, curves_of, read: dict | None = None) -> dict:
    """Means and per-seed lists of one variant's statistics, and its factorized reference (its
    own 1D references', or the per-seed ratios ``read`` from ``imbalanced.factorized_from``)."""
    per_seed = {k: [] for k in STATS}
    reference, excess = [], []
    for seed in cfg.imbalanced.seeds:
        c = curves_of(variant_name(dx, dy, seed))
        for k, v in coupling_stats(c["steps"], c["x_acc"], c["y_acc"]).items():
            per_seed[k].append(v)
        if "excess" in c:
            excess.append(learning_excess(c["x_acc"], c["y_acc"], c["excess"]))
        if cfg.imbalanced.references:
            x1, y1 = _reference_steps(dx, dy, seed, curves_of)
            reference.append(x1 / y1 if np.isfinite(x1) and np.isfinite(y1) and y1 > 0 else None)
    if read is not None:
        reference = read[(dx, dy)]
    n_x, n_y = _distinct(variant_config(cfg, dx, dy, 0))
    row = {"dx": dx, "dy": dy, "seeds": list(cfg.imbalanced.seeds), "n_x": n_x, "n_y": n_y}
    row["blind_x"], row["blind_y"] = blind_accuracies(cfg, dx, dy)
    for k in STATS:
        row[k], row[f"{k}_per_seed"] = _listed(per_seed[k])
    row["factorized_ratio50_per_seed"] = reference
    row["factorized_ratio50"] = _geometric(reference)
    row["measure"] = cfg.imbalanced.measure
    answer, mean, se = excess_answer(excess)
    row["joint_excess_per_seed"] = _listed(excess)[1]
    row.update(joint_excess=_listed([mean])[0], joint_excess_se=_listed([se])[0],
               joint_excess_answer=answer)  # fmt: skip
    return row


def summarise_variants(
    cfg: Config, curves_of, coupled_from: list | None = None, factorized: dict | None = None
) -> CouplingSummary:
    """coupling.json's content: one object per variant and a verdict. ``curves_of(name)`` gives
    a member's curves (``curves`` of its sub-run; synthetic ones in the tests); ``coupled_from``,
    per-seed ratios of balanced data measured by another study (``imbalanced.coupled_from``);
    ``factorized``, per (dx, dy) the per-seed 1D ratios another study's references measured
    (``imbalanced.factorized_from``)."""
    rows = [_variant_row(cfg, dx, dy, curves_of, factorized) for dx, dy in cfg.imbalanced.variants]
    balanced = None if coupled_from else next((r for r in rows if r["dx"] == r["dy"]), None)
    # Coupled: x and y learned together, as on balanced data (ratio 1 without a balanced variant)
    coupled = coupled_from or (balanced["ratio50_per_seed"] if balanced else [1.0])
    for row in rows:
        row["coupled_ratio50_per_seed"] = coupled
        row["verdict"], row["verdict_stats"] = coupling_verdict(
            row["ratio50_per_seed"], coupled, row["factorized_ratio50_per_seed"]
        )
        if max(row["blind_x"], row["blind_y"]) >= BLIND_LIMIT:  # a step that needs no condition
            row["verdict"] = "undetermined"
    if not cfg.imbalanced.references and factorized is None:
        verdict = "No factorized reference was trained (imbalanced.references: false)."
    else:
        verdict = " ".join(_sentence(row) for row in rows if row is not balanced)
    return CouplingSummary(variants=[CouplingVariant(**r) for r in rows], verdict=verdict,
                           eval_tolerance=cfg.eval.tolerance,
                           eval_tolerance_x=cfg.eval.tolerance_x)  # fmt: skip


def _sentence(row: dict) -> str:
    head = f"For dx = {row['dx']:g}, dy = {row['dy']:g} ({row['n_x']} × {row['n_y']} values)"
    if row["ratio50"] is None or row["factorized_ratio50"] is None:
        return f"{head} an axis did not reach 50 % accuracy in every run: **undetermined**."
    st = row["verdict_stats"]
    return (
        f"{head}, x reached 50 % accuracy at {row['ratio50']:.2f}× the step of y (seeds: "
        f"{_seeds(row['ratio50_per_seed'])}); coupled learning predicts "
        f"{np.exp(st['log_coupled']):.2f}× (the balanced data), factorized learning "
        f"{row['factorized_ratio50']:.2f}× (each axis alone, seeds: "
        f"{_seeds(row['factorized_ratio50_per_seed'])}); the curves correlate at r = "
        f"{_two(row['curve_corr'])}: **{row['verdict']}**{_blind(row)}.{_per_image(row)}"
    )


def _blind(row: dict) -> str:
    """Why the verdict cannot be read, where an axis is right without its condition."""
    axis, share = max((("x", row["blind_x"]), ("y", row["blind_y"])), key=lambda a: a[1])
    if share < BLIND_LIMIT:
        return ""
    return (
        f" (a generator blind to {axis}'s condition is right on {axis} in {share:.0%} of "
        f"images at this tolerance: {axis}'s step measures no conditional learning)"
    )


def _per_image(row: dict) -> str:
    """The per-image statistic's clause, where measured."""
    if row["joint_excess"] is None:
        return ""
    return (
        f" Per image, while both axes were learned, P(x and y right) − P(x right)·P(y right) = "
        f"{row['joint_excess']:+.3f} ± {row['joint_excess_se']:.3f} (seeds: "
        f"{_seeds(row['joint_excess_per_seed'])}): {row['joint_excess_answer']}."
    )


def _seeds(values) -> str:
    return ", ".join("n/a" if v is None else f"{v:.2f}" for v in values)


def _two(v) -> str:
    return "n/a" if v is None else f"{v:.2f}"


def _panels(cfg: Config, curves_of):
    """Per variant: title, steps and each curve stacked over the seeds that reached every step;
    the 1D references' x and y curves beside them (dashed in the figure; alone when only the
    references were trained)."""
    panels, seeds = [], cfg.imbalanced.seeds
    two_d = cfg.imbalanced.stage == "all"
    for dx, dy in cfg.imbalanced.variants:
        first = variant_name(dx, dy, seeds[0]) if two_d else reference_name("x", dx, seeds[0])
        steps = curves_of(first)["steps"]
        stacks = {}
        if two_d:
            runs = [curves_of(variant_name(dx, dy, s)) for s in seeds]
            stacks = {key: _stack(runs, key, steps) for key in ("x_acc", "y_acc")}
        if cfg.imbalanced.references:
            for axis, spacing in (("x", dx), ("y", dy)):
                refs = [curves_of(reference_name(axis, spacing, s)) for s in seeds]
                stacks[f"{axis}_ref"] = _stack(refs, f"{axis}_acc", steps)
        panels.append((f"dx = {dx:g}, dy = {dy:g}", steps, stacks))
    return panels


def _stack(runs, key: str, steps) -> np.ndarray:
    return np.array([r[key] for r in runs if len(r[key]) == len(steps)])


def report(cfg: Config, root: RunFolder) -> list[str]:
    """coupling.json, figures and report.html from the sub-runs; the headline lines."""
    members = {sub.root.name: sub for _, _, sub in _members(cfg, root)}
    read = {name: curves(sub, cfg.imbalanced.measure) for name, sub in members.items()}
    for name, c in read.items():
        if not len(c["steps"]):
            raise ConfigError(f"run: {members[name].root} has no analysed checkpoint; analyse it")
    curves_of = read.__getitem__  # each sub-run's metrics are read once
    if cfg.imbalanced.stage == "references":
        return _report_references(cfg, root, curves_of)
    summary = summarise_variants(cfg, curves_of, _coupled_from(cfg), factorized_from(cfg))
    root.write_coupling(summary)
    pages.imbalanced_page(root, cfg, summary, _panels(cfg, curves_of))
    return [summary.verdict.replace("**", ""), f"coupling: {root.coupling_path}"]


def _coupled_from(cfg: Config) -> list | None:
    """The balanced variant's per-seed ratios of the study ``imbalanced.coupled_from`` names (a
    coupling.json, under any name), read with this study's tolerances where it records them."""
    path = cfg.imbalanced.coupled_from
    if path is None:
        return None
    try:
        study = CouplingSummary.model_validate_json(Path(path).read_text())
    except (OSError, ValueError):
        raise ConfigError(f"imbalanced.coupled_from: no coupling.json at {path!r}") from None
    own = {"eval_tolerance": cfg.eval.tolerance, "eval_tolerance_x": cfg.eval.tolerance_x}
    recorded = study.eval_tolerance is not None
    differs = first_difference(study.model_dump(), own) if recorded else None
    if differs:  # only files that record their tolerances can be checked
        key, theirs, value = differs
        raise ConfigError(f"imbalanced.coupled_from: {path!r} was read with another {key} "
                          f"({theirs!r}, here {value!r})")  # fmt: skip
    balanced = [v for v in study.variants if v.dx == v.dy]
    if not balanced:
        raise ConfigError(f"imbalanced.coupled_from: {path!r} has no balanced variant (dx = dy)")
    return balanced[0].ratio50_per_seed


def factorized_from(cfg: Config) -> dict | None:
    """Per (dx, dy): the per-seed ratios x's 1D step over y's of the references.json that
    ``imbalanced.factorized_from`` names (None where a seed did not reach 50 %). Its data and
    tolerances must be this study's: references of other data predict another design."""
    path = cfg.imbalanced.factorized_from
    if path is None:
        return None
    try:
        refs = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        raise ConfigError(
            f"imbalanced.factorized_from: no readable references.json at {path!r}"
        ) from None
    own = {"data": cfg.data.model_dump(mode="json"), "eval_tolerance": cfg.eval.tolerance,
           "eval_tolerance_x": cfg.eval.tolerance_x, "measure": cfg.imbalanced.measure}  # fmt: skip
    differs = first_difference(refs, own)
    if differs:
        key, theirs, value = differs
        raise ConfigError(f"imbalanced.factorized_from: {path!r} has another {key} than this "
                          f"study ({theirs!r}, here {value!r})")  # fmt: skip
    read = {(float(r["dx"]), float(r["dy"])): [_ratio_or_none(x, y) for x, y in zip(
        r["x_step50_per_seed"], r["y_step50_per_seed"])] for r in refs["rows"]}  # fmt: skip
    missing = [v for v in map(tuple, cfg.imbalanced.variants) if v not in read]
    if missing:
        raise ConfigError(f"imbalanced.factorized_from: {path!r} has no references for (dx, dy) "
                          f"= {missing[0]}; it has {sorted(read)}")  # fmt: skip
    return read


def _ratio_or_none(x: float | None, y: float | None) -> float | None:
    return x / y if x is not None and y is not None and y > 0 else None


def reference_rows(cfg: Config, curves_of) -> list[dict]:
    """Per variant: each axis learned alone, its step to 50 % accuracy per seed and the log
    ratio x over y per seed (the factorized prediction a power analysis reads)."""
    rows = []
    for dx, dy in cfg.imbalanced.variants:
        x, y = zip(*(_reference_steps(dx, dy, s, curves_of) for s in cfg.imbalanced.seeds))
        logs = log_ratios(np.array(x), np.array(y))
        rows.append({
            "dx": dx, "dy": dy, "seeds": list(cfg.imbalanced.seeds),
            "x_step50_per_seed": _listed(x)[1], "y_step50_per_seed": _listed(y)[1],
            "log_ratio50_per_seed": [float(v) for v in logs],
            "reached": int(len(logs)),
        })  # fmt: skip
    return rows


def _report_references(cfg: Config, root: RunFolder, curves_of) -> list[str]:
    """references.json (the design's data settings and its reference rows) and report.html."""
    rows = reference_rows(cfg, curves_of)
    settings = {"data": cfg.data.model_dump(mode="json"), "eval_tolerance": cfg.eval.tolerance,
                "eval_tolerance_x": cfg.eval.tolerance_x}  # fmt: skip
    write_json(root.root / "references.json",
               {**settings, "measure": cfg.imbalanced.measure, "rows": rows})  # fmt: skip
    lines = [
        f"dx = {r['dx']:g}, dy = {r['dy']:g}: each axis alone, log(step x / step y) at 50 % per "
        f"seed: {', '.join(f'{v:.2f}' for v in r['log_ratio50_per_seed']) or 'none reached'}"
        for r in rows
    ]
    pages.imbalanced_page(root, cfg, None, _panels(cfg, curves_of), lines)
    return [*lines, f"references: {root.root / 'references.json'}"]


EXPERIMENT = Experiment("imbalanced", train_models, analyse, report)
