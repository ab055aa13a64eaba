"""Figures of the trajectory probe (analysis/trajectory.py): the layer's order against the
condition μ and against the generated place p along the generation, beside its controls, over
training; and UMAP views of single checkpoints coloured by μx and by px side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bumpdiff.probe.trajectory_metrics import step_value
from bumpdiff.report.figures import phase_key, plt, save_figure, shade_phases, step_axis

LINES = (  # (key suffix, label, style)
    ("", "trained network", "k.-"),
    ("_untrained", "untrained network", "C0.--"),
    ("_shuffled", "shuffled weights", "C1.--"),
    ("_pixels", "pixels of x_t", "C2.--"),
)


def trajectory_order_figure(steps, trajectories, phases, path: Path) -> bytes:
    """Per captured t (columns): the order of the layer against μ (top) and against p (bottom)
    over training, trained network and controls; p re-assigned at random (null) dotted.
    ``trajectories``: per checkpoint, its list of captured steps (dicts); ``phases``: the
    trajectory phase per checkpoint (shading)."""
    ts = [s["t"] for s in trajectories[0]]
    fig, axes = plt.subplots(2, len(ts), figsize=(2.3 * len(ts), 4.8), squeeze=False, sharey=True)
    for j, t in enumerate(ts):
        for i, target in enumerate(("condition", "generated")):
            ax = axes[i, j]
            shade_phases(ax, steps, phases)
            step_axis(ax, steps)
            for suffix, label, style in LINES:
                values = [_at(tr, j, f"order_{target}{suffix}") for tr in trajectories]
                ax.plot(steps, values, style, ms=3, lw=1, label=label)
            if target == "generated":
                null = [_at(tr, j, "order_generated_null") for tr in trajectories]
                ax.plot(steps, null, "k:", lw=1, label="p re-assigned (null)")
            ax.set_ylim(0.4, 1.02)
            ax.set_title(f"t = {t:.0f}: against {'μ' if i == 0 else 'p'}", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.xaxis.label.set_size(7)
            if i == 0:
                ax.set_xlabel("")
    axes[0, 0].set_ylabel("trustworthiness vs μ")
    axes[1, 0].set_ylabel("trustworthiness vs p")
    handles, labels = axes[1, -1].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 0.05, 1, 0.94))
    fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=7, frameon=False)
    phase_key(fig, phases)
    title = "The layer read along each generation: ordered by the condition (top) or by where "
    fig.suptitle(title + "the bump is generated (bottom)? Shading: trajectory phase", fontsize=9)
    return save_figure(fig, path)


def _at(trajectory: list[dict], j: int, key: str) -> float:
    """The value of ``key`` at the j-th captured step (NaN where missing)."""
    return step_value(trajectory[j], key) if j < len(trajectory) else float("nan")


def trajectory_umap_figure(panels, path: Path) -> bytes:
    """One row per panel (title, embedding (n, 3), μ (n, 2), p (n, 2)): the first two UMAP axes
    coloured by μx (left) and by px (right; grey where no bump was generated)."""
    fig, axes = plt.subplots(len(panels), 2, figsize=(7.0, 3.0 * len(panels)), squeeze=False)
    for i, (title, emb, mu, p) in enumerate(panels):
        for j, (values, name) in enumerate(((mu[:, 0], "μx"), (p[:, 0], "px"))):
            ax = axes[i, j]
            ok = np.isfinite(values)
            ax.scatter(emb[~ok, 0], emb[~ok, 1], c="#cccccc", s=10)
            sc = ax.scatter(emb[ok, 0], emb[ok, 1], c=values[ok], cmap="viridis", s=14)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"coloured by {name}", fontsize=8)
            fig.colorbar(sc, ax=ax, shrink=0.8)
        axes[i, 0].set_ylabel(title, fontsize=8)
    fig.suptitle("UMAP of the layer along the generation, one point per sample", fontsize=9)
    return save_figure(fig, path)
