"""The answers of the mechanisms analysis (``bumpdiff dynamics``), from numbers alone; pure.

**Between the lattice points.** Each checkpoint's snapping index (0: the bump at its off-lattice
condition, 1: on a training position) is read against one half: "snaps" when its mean is above
0.5 by ``z`` standard errors, "follows" when below by as much, "between" otherwise, "too few"
when under ``min_one_bump`` of the images have one bump. The order of the decided labels over
training is the answer: memorizes throughout, generalizes throughout, memorizes then
generalizes, generalizes then memorizes, or undetermined. It counts only when the run's own
controls reach both ends: the ideal denoiser of the training set must snap and bumps rendered at
the conditions must follow; else the instrument could not have said so, and the answer is
undetermined.

**Is phase A a local denoiser's mosaic?** At each phase-A checkpoint, the images the network
generated and those its best-fitting patch denoiser generated from the same seeds are compared
pairwise on "several bumps": "yes" when the 95 % interval of the paired difference lies inside
±``tolerance``, "no" when outside, "undetermined" otherwise. A checkpoint whose ε̂ fits no
baseline (best r² ≤ 0) is no denoiser of its training set: "no" there, for that reason. Over
phase A the answer is yes (no) when most of its checkpoints say so and none says the other.
"""

from __future__ import annotations

import numpy as np

ORDERS = {
    ("snaps", "snaps"): "memorizes throughout",
    ("follows", "follows"): "generalizes throughout",
    ("snaps", "follows"): "memorizes first, then generalizes",
    ("follows", "snaps"): "generalizes first, then memorizes",
}


def snapping_label(mean: float, se: float, one_bump: float, min_one_bump: float, z: float) -> str:
    """One checkpoint's label (module docstring)."""
    if not one_bump >= min_one_bump or not np.isfinite(mean):
        return "too few"
    if not np.isfinite(se):
        return "between"
    if mean - z * se > 0.5:
        return "snaps"
    if mean + z * se < 0.5:
        return "follows"
    return "between"


def snapping_answer(rows: list[dict], controls: dict[str, dict], min_one_bump=0.25, z=2.0):
    """``rows``: per checkpoint {"step", "mean", "se", "one_bump"}; ``controls``: the ideal
    denoiser's and the rendered bumps' Snapping records. Returns (labels per step, answer,
    reason)."""
    labels = {r["step"]: snapping_label(r["mean"], r["se"], r["one_bump"], min_one_bump, z)
              for r in rows}  # fmt: skip
    ideal = controls.get("ideal", {})
    rendered = controls.get("rendered", {})
    ideal_label = snapping_label(ideal.get("mean", np.nan), ideal.get("se", 0.0),
                                 ideal.get("one_bump", 0.0), min_one_bump, z)  # fmt: skip
    rendered_label = snapping_label(rendered.get("mean", np.nan), rendered.get("se", 0.0),
                                    rendered.get("one_bump", 0.0), min_one_bump, z)  # fmt: skip
    if ideal_label != "snaps" or rendered_label != "follows":
        why = (f"the controls do not reach both ends (ideal denoiser: {ideal_label}, bumps "
               f"rendered at the conditions: {rendered_label})")  # fmt: skip
        return labels, "undetermined", why
    decided = [lab for lab in labels.values() if lab in ("snaps", "follows")]
    if not decided:
        return labels, "undetermined", "no checkpoint is decided either way"
    answer = ORDERS.get((decided[0], decided[-1]), "undetermined")
    if answer == "memorizes throughout" and "follows" in decided:
        answer = "undetermined"  # snaps, follows, snaps: no one order
    if answer == "generalizes throughout" and "snaps" in decided:
        answer = "undetermined"
    return labels, answer, f"{len(decided)} of {len(labels)} checkpoints decided"


def paired_difference(a: np.ndarray, b: np.ndarray, z: float = 1.96) -> dict[str, float]:
    """Mean of b − a over paired 0/1 outcomes, its standard error and interval."""
    d = np.asarray(b, float) - np.asarray(a, float)
    se = float(d.std(ddof=1) / np.sqrt(len(d))) if len(d) > 1 else float("nan")
    mean = float(d.mean()) if len(d) else float("nan")
    return {"difference": mean, "se": se, "low": mean - z * se, "high": mean + z * se}


def mosaic_verdict(network: np.ndarray, baseline: np.ndarray, r2: float, tolerance: float):
    """One phase-A checkpoint: (answer, numbers) for "are the network's multiple bumps what its
    best-fitting baseline makes?" ``network``, ``baseline``: per image, several bumps (0/1)."""
    numbers = {"network": float(np.mean(network)), "baseline": float(np.mean(baseline)),
               "r2": r2, **paired_difference(network, baseline)}  # fmt: skip
    if not r2 > 0:
        return "no", numbers | {"why": "its ε̂ fits no baseline (best r² ≤ 0)"}
    low, high = numbers["low"], numbers["high"]
    if not np.isfinite(low):
        return "undetermined", numbers | {"why": "too few images"}
    if -tolerance <= low and high <= tolerance:
        return "yes", numbers | {"why": f"paired difference inside ±{tolerance:g}"}
    if high < -tolerance or low > tolerance:
        return "no", numbers | {"why": f"paired difference outside ±{tolerance:g}"}
    return "undetermined", numbers | {"why": f"interval crosses ±{tolerance:g}"}


def mosaic_answer(verdicts: list[str]) -> str:
    """Over the phase-A checkpoints: yes (or no) when most say so and none says the other,
    else undetermined; the counts go beside it in the sentence."""
    yes, no = verdicts.count("yes"), verdicts.count("no")
    if yes > len(verdicts) / 2 and not no:
        return "yes"
    if no > len(verdicts) / 2 and not yes:
        return "no"
    return "undetermined"


def best_fit_runs(steps: list[int], best: list[str | None], apart: list | None = None) -> str:
    """The best-fitting baseline over training as runs of checkpoints, e.g. "none (step 0),
    patch-3 (steps 1–158), ideal (steps 398–1000)": the effective receptive field's growth.
    ``apart``: per checkpoint, the runner-up where the best is not 2 standard errors above it
    ("patch-3 ≈ patch-5"), else None."""
    runs: list[list] = []
    for step, label, tie in zip(steps, best, apart or [None] * len(steps)):
        label = (label or "none") + (f" ≈ {tie}" if tie else "")
        if runs and runs[-1][0] == label:
            runs[-1][2] = step
        else:
            runs.append([label, step, step])
    return ", ".join(
        f"{label} (step {a})" if a == b else f"{label} (steps {a}–{b})" for label, a, b in runs
    )
