"""Pages and figures of the follow-up paper's studies (percolation, the periodic canvas's
geometry): data in, one PNG per figure (report/figures.save_figure) and report.html out."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

from bumpdiff.config import Config
from bumpdiff.report.figures import image_grid_figure, save_figure
from bumpdiff.report.pages import render
from bumpdiff.store.runfolder import RunFolder

_STYLES = ["-", "--", ":", "-."]


def _or_nan(value) -> float:
    return np.nan if value is None else value


def _page(run: RunFolder, cfg: Config, sentences, **context) -> None:
    """report.html of a follow-up study: its computed sentences (emphasis dropped) first."""
    render(run, cfg, sentences=[s.replace("**", "") for s in sentences], **context)


def percolation_figure(summary: dict, path) -> bytes:
    """Left: simulated largest-cluster mass ratio against λ (band: 10th-90th percentile of the
    random subsets); middle: the share of subsets that span the lattice (λ_c where it is ½); a
    colour per σ, a line style per threshold. Right: terminal accuracy against λ (each seed a
    dot, the mean a line) with each σ's λ_c as vertical lines and, where the summary has them,
    each σ's accuracy onset as a shaded span (its bootstrap interval)."""
    fig, (left, mid, right) = plt.subplots(1, 3, figsize=(15, 4))
    sigmas = sorted({s["sigma"] for s in summary["simulation"]})
    colour = {s: plt.cm.viridis(i / max(1, len(sigmas) - 1)) for i, s in enumerate(sigmas)}
    thresholds = sorted({s["threshold"] for s in summary["simulation"]})
    for sim in summary["simulation"]:
        style = _STYLES[thresholds.index(sim["threshold"]) % len(_STYLES)]
        c = colour[sim["sigma"]]
        label = f"σ = {sim['sigma']:g}, overlap > {sim['threshold']:g}"
        left.plot(sim["fractions"], sim["mean"], style, color=c, label=label)
        left.fill_between(sim["fractions"], sim["p10"], sim["p90"], color=c, alpha=0.15)
        mid.plot(sim["fractions"], sim["spanning"], style, color=c, label=label)
        if sim["critical"] is not None:
            right.axvline(sim["critical"], linestyle=style, color=c, alpha=0.7)
    left.set(xlabel="kept fraction λ", ylabel="largest cluster / all sites",
             title="percolation (simulated)")  # fmt: skip
    mid.axhline(0.5, color="k", linewidth=0.5)
    mid.set(xlabel="kept fraction λ", ylabel="share of subsets spanning the lattice",
            title="λ_c: half of them span")  # fmt: skip
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
    for width in (summary.get("result") or {}).get("widths", []):
        onset = width.get("interval") or {}
        if onset.get("lo") is not None and onset.get("hi") is not None:
            right.axvspan(onset["lo"], onset["hi"], color=colour[width["sigma"]], alpha=0.15)
    right.set(xlabel="kept fraction λ", ylabel="accuracy (whole lattice)", ylim=(-0.02, 1.02),
              xlim=(0, 1), title="trained models; lines: λ_c; shaded: onset interval")  # fmt: skip
    right.legend(fontsize=7)
    return save_figure(fig, path)


def percolation_page(run: RunFolder, cfg: Config, summary: dict) -> None:
    rows = []
    for t in summary["trained"]:
        rows.append([t["sigma"], t["fraction"], len(t["overall"]), float(np.mean(t["overall"])),
                     _mean(t["trained"]), _mean(t["heldout"])])  # fmt: skip
    sims = [[s["sigma"], s["threshold"], s["radius"], s["critical"]] for s in summary["simulation"]]
    png = percolation_figure(summary, run.figure_path("percolation"))
    _page(
        run,
        cfg,
        summary["result"]["sentences"],
        trained_rows=rows,
        simulated_rows=sims,
        figures={"percolation": png},
    )


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return float(np.mean(vals)) if vals else None


def torus_curves_figure(data: dict, path) -> bytes:
    """Accuracy and effective dimension against step; the terminal PCA spectrum; the three
    factorization statistics of the model beside the ideal tori, the encoder and the control."""
    rows, end = data["checkpoints"], data["terminal"]
    fig, (a, b, c) = plt.subplots(1, 3, figsize=(14, 3.6))
    fig.subplots_adjust(wspace=0.5)  # room for the twin axis's label
    steps = [max(r["step"], 1) for r in rows]
    a.plot(steps, [r["accuracy"] for r in rows], "o-", color="#2ca02c", label="accuracy")
    a.set(xscale="log", xlabel="step (0 drawn at 1)", ylabel="accuracy", ylim=(-0.02, 1.02))
    twin = a.twinx()
    twin.plot(steps, [r["effective_dimension"] for r in rows], "s--", color="#1f77b4")
    twin.set_ylabel("effective dimension (participation ratio)", color="#1f77b4")
    spectrum = rows[-1]["spectrum"]
    b.bar(np.arange(1, len(spectrum) + 1), spectrum, color="#1f77b4")
    b.set(xlabel="principal component", ylabel="explained variance ratio",
          title=f"step {rows[-1]['step']}: top {rows[-1]['top']} explain "
                f"{rows[-1]['top_share']:.0%}")  # fmt: skip
    groups = {
        "coupled torus": end["model"]["ideal"]["coupled"],
        "model": end["model"]["stats"],
        "factorized torus": end["model"]["ideal"]["factorized"],
        "encoder alone": end["encoder"]["stats"],
        **({"untrained": end["untrained"]["stats"]} if "untrained" in end else {}),
        "permuted (control)": end["permuted"]["stats"],
    }
    names = ("x_on_y", "x_on_x", "y_on_y")
    width = 0.8 / len(groups)
    for i, (label, stats) in enumerate(groups.items()):
        c.bar(np.arange(3) + i * width, [stats[n] for n in names], width, label=label)
    c.set_xticks(np.arange(3) + 0.4 - width / 2, ["x-on-y |cos|", "x-on-x cos", "y-on-y cos"])
    c.axhline(0, color="k", linewidth=0.5)
    c.legend(fontsize=7)
    return save_figure(fig, path)


def torus_views_figure(data: dict, path) -> bytes:
    """PCA views of the means at the snapshot checkpoints (PC1-2 coloured by μx, PC3-4 by μy)
    and the terminal persistence diagram (H₀, H₁)."""
    snaps = data["snapshots"]
    fig, axes = plt.subplots(2, len(snaps) + 1, figsize=(3.2 * (len(snaps) + 1), 6.2))
    for j, snap in enumerate(snaps):
        pcs, cond = np.array(snap["pcs"]), np.array(snap["conditions"])
        for i, (axis, pair) in enumerate(((0, (0, 1)), (1, (2, 3)))):
            ax = axes[i, j]
            if pcs.shape[1] > pair[1]:
                ax.scatter(pcs[:, pair[0]], pcs[:, pair[1]], c=cond[:, axis], cmap="hsv", s=14)
            label = f"PC{pair[1] + 1} (colour: μ{'xy'[axis]})"
            ax.set(title=f"step {snap['step']}", xticks=[], yticks=[],
                   xlabel=f"PC{pair[0] + 1}", ylabel=label)  # fmt: skip
    ax = axes[0, -1]
    for dim, dgm in enumerate(data["terminal"]["diagrams"]):
        dgm = np.array(dgm).reshape(-1, 2)
        ax.scatter(dgm[:, 0], dgm[:, 1], s=12, label=f"H{dim}")
    top = max([d for dg in data["terminal"]["diagrams"] for _, d in dg] or [1.0])
    ax.plot([0, top], [0, top], "k--", linewidth=0.5)
    ax.set(xlabel="birth", ylabel="death", title="persistence (last step)")
    ax.legend(fontsize=7)
    axes[1, -1].axis("off")
    return save_figure(fig, path)


def torus_page(run: RunFolder, cfg: Config, data: dict) -> None:
    rows = [[r["step"], r["accuracy"], r["reliability"], r["effective_dimension"], r["top_share"],
             r["x_on_y"], r["x_on_x"], r["y_on_y"]] for r in data["checkpoints"]]  # fmt: skip
    _page(
        run,
        cfg,
        data["sentences"],
        rows=rows,
        figures={
            "curves": torus_curves_figure(data, run.figure_path("torus-curves")),
            "views": torus_views_figure(data, run.figure_path("torus-views")),
        },
    )


def _bars(ax, rows: dict, models: list[str], parts: list[str], title: str) -> None:
    """Mean accuracy per model and part, the seeds' range as error bars."""
    width = 0.8 / len(models)
    for i, model in enumerate(models):
        stats = [rows[model][p] for p in parts]
        mean = [s["mean"] if s["mean"] is not None else np.nan for s in stats]
        low = [m - s["min"] if s["min"] is not None else 0 for m, s in zip(mean, stats)]
        high = [s["max"] - m if s["max"] is not None else 0 for m, s in zip(mean, stats)]
        ax.bar(np.arange(len(parts)) + i * width, mean, width, yerr=[low, high], capsize=2,
               label=model)  # fmt: skip
    ax.set_xticks(np.arange(len(parts)) + 0.4 - width / 2, parts)
    ax.set(ylim=(0, 1.05), ylabel="SOS accuracy (bars: seeds' range)", title=title)
    ax.legend(fontsize=7)


def compose_figure(data: dict, path) -> bytes:
    rows = data["models"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.8), width_ratios=[2, 1])
    _bars(left, rows, ["sos-cross", "stripes", "stripes-sos-cross"],
          ["in", "vertical", "horizontal", "intersection"], "the held-out cross")  # fmt: skip
    _bars(right, rows, ["stripes", "stripes-rim"], ["all", "rim", "interior"], "a rim of 2D SOS")
    return save_figure(fig, path)


def compose_page(run: RunFolder, cfg: Config, data: dict, gallery) -> None:
    """report.html with the accuracy bars and, per model, a generated image in each part."""
    parts = ("in", "vertical", "horizontal", "intersection")
    images, titles = [], []
    for name, samples, where in gallery:
        for part in parts:
            idx = np.flatnonzero(where == part)
            if len(idx):
                i = idx[len(idx) // 2]
                x, y = samples["conditions"][i]
                images.append(samples["images"][i])
                titles.append(f"{name}\n{part} ({x:g}, {y:g}): {samples['outcome'][i]}")
    keys = ["in", "vertical", "horizontal", "intersection", "vertical+horizontal+intersection",
            "rim", "interior", "all"]  # fmt: skip
    rows = [[m, *(r[k]["mean"] for k in keys)] for m, r in data["models"].items()]
    _page(
        run,
        cfg,
        data["sentences"],
        rows=rows,
        figures={
            "bars": compose_figure(data, run.figure_path("compose")),
            "gallery": image_grid_figure(images, titles, run.figure_path("compose-gallery"), 4),
        },
    )


def interpolate_figure(data: dict, path) -> bytes:
    """Left: accuracy inside and outside the lesion against its width (dots: seeds; band: their
    range). Right: the
    first seed's UMAP per width, coloured by μx, held-out conditions ringed in black."""
    rows = data["widths"]
    fig, axes = plt.subplots(1, len(rows) + 1, figsize=(3.6 * (len(rows) + 1), 3.4),
                             squeeze=False)  # fmt: skip
    ax = axes[0, 0]
    widths = [r["width"] for r in rows]
    for part, colour in (("lesion", "#d62728"), ("in", "#2ca02c")):
        ax.plot(widths, [r[part]["mean"] for r in rows], "o-", color=colour,
                label="inside the lesion" if part == "lesion" else "outside")  # fmt: skip
        low = [_or_nan(r[part]["min"]) for r in rows]
        high = [_or_nan(r[part]["max"]) for r in rows]
        ax.fill_between(widths, low, high, color=colour, alpha=0.15)
        for r in rows:
            vals = [v for v in r[part]["per_seed"] if v is not None]
            ax.scatter([r["width"]] * len(vals), vals, s=10, color=colour, alpha=0.5)
    ax.set(xlabel="lesion width (px)", ylabel="accuracy", ylim=(-0.02, 1.02))
    ax.legend(fontsize=7)
    for ax, r in zip(axes[0, 1:], rows):
        u = r["umap"]
        emb, cond, held = (
            np.array(u["embedding"]),
            np.array(u["conditions"]),
            np.array(u["held_out"]),
        )
        ax.scatter(emb[:, 0], emb[:, 1], c=cond[:, 0], cmap="viridis", s=16,
                   edgecolors=np.where(held, "k", "none"))  # fmt: skip
        phase = u.get("phase", "?")
        ax.set_title(f"w = {r['width']:g}: UMAP, colour μx\nlayer phase {phase}", fontsize=9)
        ax.set(xticks=[], yticks=[])
    return save_figure(fig, path)


def interpolate_page(run: RunFolder, cfg: Config, data: dict) -> None:
    rows = [[r["width"], r["in"]["mean"], r["lesion"]["mean"], r["lesion"]["min"],
             r["lesion"]["max"]] for r in data["widths"]]  # fmt: skip
    _page(
        run,
        cfg,
        data["sentences"],
        rows=rows,
        figures={"main": interpolate_figure(data, run.figure_path("interpolate"))},
    )


def efficiency_figure(data: dict, path) -> bytes:
    """Left: accuracy on 2D bumps against the kept fraction λ, a colour per N, solid without
    stripes, dashed with, the band the seeds' range (each dataset on its own canvases). Right:
    the images needed for the target accuracy against N (``_needed_panel``)."""
    rows = data["members"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    sizes = sorted({r["size"] for r in rows})
    colour = {n: plt.cm.plasma(i / max(1, len(sizes) - 1) * 0.8) for i, n in enumerate(sizes)}
    for dataset, style in (("bumps", "o-"), ("bumps+stripes", "s--")):
        for n in sizes:
            sel = sorted((r for r in rows if r["dataset"] == dataset and r["size"] == n),
                         key=lambda r: r["fraction"])  # fmt: skip
            if not sel:  # this dataset was not trained on this canvas
                continue
            lam = [r["fraction"] for r in sel]
            left.plot(lam, [np.mean(r["accuracy"]) for r in sel], style, color=colour[n],
                      label=f"{dataset}, N = {n}")  # fmt: skip
            low, high = [min(r["accuracy"]) for r in sel], [max(r["accuracy"]) for r in sel]
            left.fill_between(lam, low, high, color=colour[n], alpha=0.12)
    left.set(xlabel="kept fraction λ of the 2D lattice", ylabel="accuracy on 2D bumps",
             ylim=(-0.02, 1.02))  # fmt: skip
    left.legend(fontsize=6)
    _needed_panel(right, data["scaling"], sizes)
    fig.subplots_adjust(wspace=0.3)
    return save_figure(fig, path)


def _needed_panel(ax, scale: dict, sizes: list[int]) -> None:
    """Images needed for the target accuracy against N (log-log): interpolated sizes with their
    bootstrap interval where most replicates had one, an upper bound (reached already at the
    smallest size trained) as an open ▽, each dataset's power law over the canvases it was
    fitted on (its exponent and bootstrap standard error in the legend), and linear / quadratic
    references through the first interpolated point."""
    labelled = set()
    for (dataset, s), (marker, c) in zip(scale.items(), (("o", "C0"), ("s", "C2"))):
        spans = s.get("intervals") or [None] * len(s["canvas"])
        for n, v, span in zip(s["canvas"], s["needed"], spans):
            if v["bound"] == "none":  # never reached on this canvas: no value to draw
                continue
            if v["bound"] == "at_most":  # reached at the smallest size trained
                what = f"{dataset}: at most"
                ax.plot([n], [v["value"]], "v", mfc="none", color=c,
                        label=None if what in labelled else what)  # fmt: skip
                labelled.add(what)
            elif span and span["share"] > 0.5:
                # a percentile interval need not hold the point estimate: no negative arm
                err = [[max(0.0, v["value"] - span["lo"])], [max(0.0, span["hi"] - v["value"])]]
                ax.errorbar([n], [v["value"]], yerr=err, fmt=marker, color=c, capsize=3)
            else:
                ax.plot([n], [v["value"]], marker, color=c)
        fit, boot = s.get("fit"), s.get("bootstrap") or {}
        if fit:
            ns = np.array([p[0] for p in fit["points"]], float)
            se = f" ± {boot['se']:.2f}" if boot.get("se") is not None else ""
            ax.plot(ns, fit["prefactor"] * ns ** fit["exponent"], "-", color=c, alpha=0.7,
                    label=f"{dataset}: N^{fit['exponent']:.2f}{se}")  # fmt: skip
    first = [(n, v["value"]) for d in scale.values() for n, v in zip(d["canvas"], d["needed"])
             if v["bound"] == "exact"]  # fmt: skip
    if first:
        n0, v0 = first[0]
        ns = np.array(sizes, float)
        ax.plot(ns, v0 * ns / n0, "k:", label="linear")
        ax.plot(ns, v0 * (ns / n0) ** 2, "k-.", label="quadratic")
    ax.set(xlabel="canvas side N", ylabel="images for the target accuracy")
    if not ax.has_data():  # no size reached nor bounded (a run too short to say): axes only
        return
    ax.set(xscale="log", yscale="log")
    ax.set_xticks(sizes, [str(n) for n in sizes], minor=False)
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.legend(fontsize=7)


def efficiency_page(run: RunFolder, cfg: Config, data: dict) -> None:
    rows = [[r["dataset"], r["size"], r["fraction"], float(np.mean(r["images"])),
             float(np.mean(r["accuracy"])), min(r["accuracy"]), max(r["accuracy"])]
            for r in data["members"]]  # fmt: skip
    _page(
        run,
        cfg,
        data["sentences"],
        rows=rows,
        figures={"main": efficiency_figure(data, run.figure_path("efficiency"))},
    )
