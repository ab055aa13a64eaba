"""Figures of the mechanisms analysis (``bumpdiff dynamics``, analysis/dynamics.py): the snapping
index over training beside its controls, the r² of the network's ε̂ against each analytic
baseline, and the concept-space paths of the generated positions."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bumpdiff.report.figures import phase_key, plt, save_figure, shade_phases, step_axis
from bumpdiff.store.summaries import DynamicsSummary


def snapping_figure(summary: DynamicsSummary, phases: list[str] | None, path: Path) -> bytes:
    """Mean snapping index ± 2 SE per checkpoint (left; the ideal denoiser and bumps rendered at
    the conditions as dashed controls, 0.5 dotted) and the share of one-bump images (right)."""
    steps = [s.step for s in summary.steps]
    mean = np.array([s.snapping.mean for s in summary.steps])
    se = np.array([s.snapping.se for s in summary.steps])
    fig, (ax, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for axis in (ax, right):
        if phases:
            shade_phases(axis, steps, phases)
        step_axis(axis, steps)
    ax.errorbar(steps, mean, yerr=2 * np.nan_to_num(se), fmt="k.-", label="network")
    controls = {b.label: b.snapping.mean for b in summary.baselines}
    controls["rendered at the condition"] = summary.rendered.mean
    for k, (label, value) in enumerate(controls.items()):
        ax.axhline(value, ls="--", lw=1, color=f"C{k}", label=label)
    ax.axhline(0.5, ls=":", color="grey")
    ax.set(ylim=(-0.05, 1.05), ylabel="snapping index (0 condition, 1 training point)")
    ax.legend(fontsize=7, loc="center right")
    right.plot(steps, [s.snapping.one_bump for s in summary.steps], "k.-", label="one bump")
    right.plot(steps, [s.snapping.multiple for s in summary.steps], "C3.-", label="several")
    right.set(ylim=(-0.05, 1.05), ylabel="share of off-lattice images")
    right.legend(fontsize=7)
    if phases:
        phase_key(fig, phases)
    fig.suptitle("Between the lattice points: snapping to training positions over training")
    return save_figure(fig, path)


def fit_figure(summary: DynamicsSummary, phases: list[str] | None, path: Path) -> bytes:
    """r² of ε̂ (network against each baseline) per checkpoint, mean over ``mechanisms.fit_t``
    (left), and each baseline's r² minus the ideal denoiser's (right: where the curves on the
    left lie on top of each other, which fits better)."""
    steps = [s.step for s in summary.steps]
    labels = list(summary.steps[0].fit_mean) if summary.steps else []
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6), gridspec_kw={"wspace": 0.32})
    for ax in (left, right):
        if phases:
            shade_phases(ax, steps, phases)
        step_axis(ax, steps)
    for k, label in enumerate(labels):
        values = np.array([s.fit_mean[label] for s in summary.steps])
        ideal = np.array([s.fit_mean.get("ideal", np.nan) for s in summary.steps])
        left.plot(steps, values, ".-", color=f"C{k}", label=label)
        right.plot(steps, values - ideal, ".-", color=f"C{k}", label=label)
    left.axhline(0, ls=":", color="grey")
    right.axhline(0, ls=":", color="grey")
    left.set(ylim=(-0.3, 1.02), ylabel="r² of the network's ε̂ against the baseline's",
             title="mean over t")  # fmt: skip
    positive = [s.step for s in summary.steps if s.best is not None]
    if positive:
        right.set_xlim(left=positive[0])  # where some baseline fits at all
    right.set(ylabel="r² minus the ideal denoiser's", title="which fits better")
    left.legend(fontsize=7)
    if phases:
        phase_key(fig, phases)
    return save_figure(fig, path)


def paths_figure(summary: DynamicsSummary, training: np.ndarray, path: Path) -> bytes:
    """Concept-space paths: the mean generated position at each target over training (light to
    dark), the target as a star, the training positions as grey dots."""
    fig, ax = plt.subplots(figsize=(4.6, 4.6))
    ax.scatter(training[:, 0], training[:, 1], s=8, color="0.7", label="training positions")
    paths = np.array([s.paths for s in summary.steps], float)  # (steps, targets, 2)
    shades = np.linspace(0.25, 1, len(summary.steps))
    for k, target in enumerate(summary.targets):
        colour = plt.get_cmap("tab10")(k)
        ax.plot(paths[:, k, 0], paths[:, k, 1], "-", color=colour, lw=1, alpha=0.6)
        ax.scatter(paths[:, k, 0], paths[:, k, 1], s=14, color=colour, alpha=shades)
        ax.scatter(*target, marker="*", s=160, color=colour, edgecolor="k", zorder=5)
    ax.set(xlabel="x (pixels)", ylabel="y (pixels)", aspect="equal")
    ax.invert_yaxis()  # image rows: y grows downwards, as in the images
    first, last = summary.steps[0].step, summary.steps[-1].step
    ax.set_title(f"generated position over training\n(step {first} light → {last} dark)")
    return save_figure(fig, path)
