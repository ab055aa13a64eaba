"""Every figure bumpdiff draws (matplotlib, Agg): each function takes data, writes one PNG
atomically and returns its bytes, which the pages embed (report/pages.py)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from bumpdiff.store.runfolder import atomic_write_bytes  # noqa: E402

OUTCOME_COLORS = {
    "none": "#bbbbbb",
    "multiple": "#d62728",
    "mislocated": "#ff7f0e",
    "correct": "#2ca02c",
}
PHASE_COLORS = {
    "A": "#f4cccc",
    "B": "#fce5cd",
    "C": "#d9ead3",
    "relay": "#cfe2f3",  # ordered like the encoder, not used to place the bump
    "undetermined": "#eeeeee",
}
PHASE_LETTERS = {"relay": "R", "undetermined": "?"}  # one letter per checkpoint in the strip


def save_figure(fig: plt.Figure, path: Path) -> bytes:
    """Write ``fig`` as PNG (embedded in the pages) and as SVG beside it (for print and
    papers), each atomically; return the PNG's bytes."""
    buf, vector = io.BytesIO(), io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    fig.savefig(vector, format="svg", bbox_inches="tight")
    plt.close(fig)
    data = buf.getvalue()
    atomic_write_bytes(path, data)
    atomic_write_bytes(Path(path).with_suffix(".svg"), vector.getvalue())
    return data


def step_axis(ax: plt.Axes, steps: Sequence[int]) -> None:
    ax.set_xscale("symlog", linthresh=max(1, min(s for s in steps if s > 0) if any(steps) else 1))
    ax.set_xlabel("training step")


def shade_phases(ax: plt.Axes, steps: Sequence[int], phases: Sequence[str]) -> None:
    """Shade the background of each checkpoint interval by its phase (A red, B orange, C green,
    relay blue, undetermined grey)."""
    steps = list(steps)
    for i, (step, phase) in enumerate(zip(steps, phases)):
        lo = step if i == 0 else (steps[i - 1] + step) / 2
        hi = step if i == len(steps) - 1 else (step + steps[i + 1]) / 2
        ax.axvspan(lo, hi, color=PHASE_COLORS.get(phase, "white"), lw=0, zorder=0)


def phase_key(fig: plt.Figure, phases: Sequence[str]) -> None:
    """A key of the phase shading above the figure, for the phases that occur."""
    from matplotlib.patches import Patch

    seen = [p for p in PHASE_COLORS if p in set(phases)]
    handles = [Patch(color=PHASE_COLORS[p], label=f"phase {p}") for p in seen]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7,
                   bbox_to_anchor=(0.5, 1.0), frameon=False)  # fmt: skip


def _phase_strip(ax: plt.Axes, steps, phases) -> None:
    """A thin band above a plot: each checkpoint interval coloured and lettered by its phase."""
    shade_phases(ax, steps, phases)
    for step, phase in zip(steps, phases):
        ax.text(step, 0.5, PHASE_LETTERS.get(phase, phase), ha="center", va="center", fontsize=7)
    ax.set_yticks([])
    ax.set_ylabel("phase", rotation=0, ha="right", va="center", fontsize=8)
    ax.tick_params(labelbottom=False)


def outcomes_figure(
    steps, fractions, phases, path: Path, title: str = "", images: Sequence[int] | None = None
) -> bytes:
    """Stacked outcome fractions against step; a strip above gives the representation's phase;
    with ``images`` (per checkpoint), a 95 % binomial band around the accuracy."""
    show_phases = any(phases)
    fig, axes = plt.subplots(
        2 if show_phases else 1,
        1,
        figsize=(7.5, 3.9),
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": [1, 9]} if show_phases else None,
    )
    ax = axes[-1, 0]
    if show_phases:
        _phase_strip(axes[0, 0], steps, phases)
    stack = np.array([[f[name] for f in fractions] for name in OUTCOME_COLORS])
    ax.stackplot(
        steps,
        stack,
        labels=list(OUTCOME_COLORS),
        colors=list(OUTCOME_COLORS.values()),
        alpha=0.85,
        zorder=2,
    )
    ax.plot(steps, stack[3], "k.-", lw=1, zorder=3, label="accuracy")
    if images is not None:
        half = 1.96 * np.sqrt(stack[3] * (1 - stack[3]) / np.maximum(np.asarray(images), 1))
        ax.fill_between(steps, stack[3] - half, stack[3] + half, color="k", alpha=0.25, lw=0,
                        zorder=3, label="accuracy: 95 % band")  # fmt: skip
    step_axis(ax, steps)
    ax.set_ylim(0, 1)
    ax.set_ylabel("fraction of generated images")
    axes[0, 0].set_title(title or "Generation outcomes; strip: phase of the representation")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return save_figure(fig, path)


def fractions_figure(steps, fractions, images: Sequence[int], path: Path) -> bytes:
    """Each outcome's fraction against step with its 95 % binomial band (normal
    approximation over the checkpoint's ``images``): how far apart two checkpoints must be."""
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    n = np.maximum(np.asarray(images, float), 1)
    for name, colour in OUTCOME_COLORS.items():
        p = np.array([f[name] for f in fractions])
        half = 1.96 * np.sqrt(p * (1 - p) / n)
        ax.plot(steps, p, ".-", color=colour, lw=1, label=name)
        ax.fill_between(steps, p - half, p + half, color=colour, alpha=0.2, lw=0)
    step_axis(ax, steps)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("fraction of generated images")
    ax.set_title("Each outcome with its 95 % band")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return save_figure(fig, path)


def loss_figure(steps, losses, path: Path) -> bytes:
    """The training loss (mean over each logging interval) against step."""
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    ax.plot(steps, losses, "-", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("loss (ε-prediction MSE)")
    ax.set_title("Training loss")
    return save_figure(fig, path)


def order_figure(steps, rows, phases, path: Path) -> bytes:
    """R²_x, R²_y, k-NN overlap, condition share and local dimension against step."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.4))
    for ax in (ax1, ax2):
        shade_phases(ax, steps, phases)
        step_axis(ax, steps)
    for key, label in [
        ("r2_x", "R²$_x$ (UMAP)"),
        ("r2_y", "R²$_y$ (UMAP)"),
        ("r2_x_pca", "R²$_x$ (top PCs)"),
        ("r2_y_pca", "R²$_y$ (top PCs)"),
        ("trustworthiness", "trustworthiness"),
        ("knn_overlap", "k-NN overlap"),
        ("condition_share", "condition share"),
    ]:
        ax1.plot(steps, [r[key] for r in rows], ".-", label=label)
    ax1.plot(steps, [r["knn_chance"] for r in rows], "k:", lw=1, label="k-NN chance")
    behaviour = [r.get("behaviour_trustworthiness", np.nan) for r in rows]
    ax1.plot(steps, behaviour, "k.--", label="generated positions: trustworthiness")
    ax1.set_ylim(-0.05, 1.05)
    ax1.set_ylabel("order (R², trustworthiness, share)")
    ax1.legend(fontsize=6, loc="upper left", bbox_to_anchor=(0.0, -0.22), ncol=2)
    ax1.set_title("Order of the representation")
    ax2.plot(
        steps,
        [r["dimension"] for r in rows],
        ".-",
        label="local PCA dimension (90 %; noisy means inflate it)",
    )
    ax2.plot(steps, [r["participation_ratio"] for r in rows], ".-", label="participation ratio")
    ax2.set_yscale("log")
    ax2.set_ylabel("dimension")
    ax2.legend(fontsize=6, loc="upper left", bbox_to_anchor=(0.0, -0.22))
    ax2.set_title("Dimension of the representation")
    phase_key(fig, phases)
    return save_figure(fig, path)


CONTROLS = [
    ("reliability", "reliability of the means (split half)"),
    ("encoder_trustworthiness", "encoder alone: trustworthiness"),
    ("encoder_cka", "layer ~ encoder (linear CKA)"),
    ("placement_trustworthiness", "placement probe: μ-means trustworthiness"),
    ("placement_share_mu", "placement probe: μ share"),
    ("readout_at_condition", "x̂₀ readout: bump moved to μ"),
    ("readout_at_input", "x̂₀ readout: bump stays at ν"),
    ("readout_at_condition_t250", "x̂₀ readout at t = 250: bump moved to μ"),
    ("readout_at_condition_t750", "x̂₀ readout at t = 750: bump moved to μ"),
]


def controls_figure(steps, controls, phases, path: Path) -> bytes:
    """The probe's controls against step (``controls``: one dict per checkpoint); a line is drawn
    for each control the checkpoints carry."""
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    shade_phases(ax, steps, phases)
    step_axis(ax, steps)
    for key, label in CONTROLS:
        values = [c.get(key, np.nan) for c in controls]
        if np.isfinite(values).any():
            ax.plot(steps, values, ".-", label=label)
    ax.set_ylim(-0.05, 1.05)
    ax.set_ylabel("order or share")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title("Controls: what the encoder alone gives, and what the network does with it")
    phase_key(fig, phases)
    return save_figure(fig, path)


def umap_figure(snapshots, path: Path) -> bytes:
    """UMAP (first two of three axes) per snapshot, coloured by mu_x (top) and mu_y (bottom).

    ``snapshots``: list of (title, conditions (m, 2), embedding (m, 3)).
    """
    n = len(snapshots)
    fig, axes = plt.subplots(2, n, figsize=(2.6 * n, 5.0), squeeze=False)
    for j, (title, cond, emb) in enumerate(snapshots):
        for i, (axis, name) in enumerate(((0, "μx"), (1, "μy"))):
            ax = axes[i, j]
            sc = ax.scatter(emb[:, 0], emb[:, 1], c=cond[:, axis], cmap="viridis", s=14)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(title, fontsize=8)
            if j == n - 1:
                fig.colorbar(sc, ax=ax, label=name, shrink=0.8)
    fig.suptitle("UMAP of the probed layer, coloured by μx (top) and μy (bottom)", fontsize=9)
    return save_figure(fig, path)


def image_grid_figure(images, titles, path: Path, cols: int = 8, title: str = "") -> bytes:
    """A plain grid of images with titles (``bumpdiff sample``, the condition strip)."""
    rows = -(-len(images) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, 1.4 * rows), squeeze=False)
    if title:
        fig.suptitle(title, fontsize=8)
    for k, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if k < len(images):
            ax.imshow(images[k], cmap="gray", vmin=0, vmax=1)
            ax.set_title(titles[k], fontsize=6)
    return save_figure(fig, path)


def gallery_figure(rows, path: Path) -> bytes:
    """Generated images with what the detector found: a red + on every detected bump, a green
    circle on the target. ``rows``: list of (title, images (k, N, N), targets (k, 2),
    bump positions (k, m, 2) NaN-padded[, a caption per image])."""
    cols = max((len(row[1]) for row in rows), default=1)
    fig, axes = plt.subplots(
        len(rows), cols, figsize=(1.25 * cols, 1.45 * len(rows)), squeeze=False
    )
    for i, (title, imgs, targets, positions, *captions) in enumerate(rows):
        for j in range(cols):
            ax = axes[i, j]
            ax.axis("off")
            if j >= len(imgs):
                continue
            ax.imshow(imgs[j], cmap="gray", vmin=0, vmax=1)
            ax.scatter(*targets[j], s=60, facecolors="none", edgecolors="lime", linewidths=1)
            ax.scatter(positions[j, :, 0], positions[j, :, 1], marker="+", c="red", s=40)
            if captions:
                ax.set_title(captions[0][j], fontsize=5.5, pad=2)
        axes[i, 0].text(
            -0.15, 0.5, title, transform=axes[i, 0].transAxes, ha="right", va="center", fontsize=7
        )
    title = "Random generations per checkpoint and outcome: + detected bump, ○ target; caption: "
    fig.suptitle(title + "outcome and the dominant bump's distance from the target", fontsize=8)
    return save_figure(fig, path)


def axis_curves_figure(panels, path: Path) -> bytes:
    """Per-axis accuracy against step, one panel per dataset variant: x and y, mean over seeds
    with a min–max band; dashed, each axis learned alone (the 1D references), where given.

    ``panels``: list of (title, steps (k,), {"x_acc", "y_acc"[, "x_ref", "y_ref"]}: (seeds, k)
    arrays).
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(4 * len(panels), 3.4), squeeze=False)
    for ax, (title, steps, curves) in zip(axes[0], panels):
        for name, color in (("x", "tab:blue"), ("y", "tab:red")):
            stack = curves.get(f"{name}_acc")  # absent when only the references were trained
            if stack is not None and stack.size:
                ax.plot(steps, stack.mean(axis=0), color=color, label=f"{name} accuracy")
                ax.fill_between(
                    steps, stack.min(axis=0), stack.max(axis=0), color=color, alpha=0.2, lw=0
                )
            ref = curves.get(f"{name}_ref")
            if ref is not None and ref.size:  # the axis learned alone
                ax.plot(steps, ref.mean(axis=0), "--", color=color, label=f"{name} alone (1D)")
        step_axis(ax, steps)
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=7)
        ax.set_title(title)
    fig.suptitle("Per-axis accuracy: mean over seeds, band = min–max", fontsize=9)
    return save_figure(fig, path)


def sampler_cost_figure(labels, seconds, worst, path: Path) -> bytes:
    """Each candidate's seconds per image against its worst outcome-fraction difference from
    DDPM-T (points), the cost–faithfulness trade-off of the sampler study."""
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.scatter(seconds, worst, color="tab:blue")
    for label, x, y in zip(labels, seconds, worst):
        ax.annotate(label, (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("seconds per image")
    ax.set_ylabel("worst outcome-fraction difference (points)")
    ax.set_title("Samplers against DDPM-T")
    return save_figure(fig, path)


def sweep_curves_figure(table, path: Path) -> bytes:
    """Accuracy and the share of mislocated bumps against step, one line per sweep group (mean
    over seeds) with its 95 % bootstrap band (``sweep/aggregate.curves``)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), squeeze=False)
    for ax, col, label in zip(axes[0], ("accuracy", "frac_mislocated"), ("accuracy", "mislocated")):
        for group, sel in table.groupby("group", sort=True):
            line = ax.plot(sel["step"], sel[f"{col}_mean"], ".-", label=group)[0]
            ax.fill_between(sel["step"], sel[f"{col}_lo"], sel[f"{col}_hi"],
                            color=line.get_color(), alpha=0.2, lw=0)  # fmt: skip
        step_axis(ax, list(table["step"]))
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(label)
    axes[0, 1].legend(fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle("Sweep: mean over seeds, band = 95 % bootstrap of the mean", fontsize=9)
    return save_figure(fig, path)


def sweep_stages_figure(table, path: Path) -> bytes:
    """One panel per sweep group: the shares of multiple, mislocated and correct bumps against
    step (mean over seeds, 95 % bootstrap band), so each setting's order of the stages is seen."""
    groups = sorted(table["group"].unique())
    cols = min(3, len(groups))
    rows = -(-len(groups) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 0.4 + 2.6 * rows), squeeze=False,
                             sharex=True, sharey=True, layout="constrained")  # fmt: skip
    for ax, group in zip(axes.flat, groups):
        sel = table[table["group"] == group]
        for outcome in ("multiple", "mislocated", "correct"):
            col, color = f"frac_{outcome}", OUTCOME_COLORS[outcome]
            ax.plot(sel["step"], sel[f"{col}_mean"], ".-", color=color, label=outcome, ms=3)
            ax.fill_between(sel["step"], sel[f"{col}_lo"], sel[f"{col}_hi"], color=color,
                            alpha=0.2, lw=0)  # fmt: skip
        step_axis(ax, list(table["step"]))
        ax.set_ylim(-0.05, 1.05)
        ax.set_title(f"{group} ({int(sel['seeds'].max())} seeds)", fontsize=8)
    for ax in list(axes.flat)[len(groups) :]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=6)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of images")
    fig.suptitle("Share of each outcome per setting: mean over seeds, band = 95 % bootstrap",
                 fontsize=9)  # fmt: skip
    return save_figure(fig, path)
