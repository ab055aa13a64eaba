"""The `interpolate` experiment (follow-up paper, Fig. 11): a vertical lesion of width w through
the centre of the 2D bump lattice is held out; can the model place bumps inside it?

One model per width and seed, evaluated and probed at its last checkpoint; accuracy inside the
lesion (held out) and outside it, and the UMAP of the probe layer's per-condition means with the
lesion marked.

Run folder: ``config.yaml``, one sub-run per width and seed (``w3.5-s0/`` …),
``interpolate.json``, ``figures/``, ``report.html``.
"""

from __future__ import annotations

from bumpdiff.config import Config
from bumpdiff.data import regions
from bumpdiff.experiments.base import Experiment, Log
from bumpdiff.experiments.members import (
    accuracy_by,
    answer,
    derived,
    evaluate_last,
    last_samples,
    pct,
    per_seed,
    spread,
    train_all,
    write_summary,
)
from bumpdiff.report import followup_pages
from bumpdiff.store.analysis_files import read_recorded
from bumpdiff.store.runfolder import RunFolder


def width_config(cfg: Config, width: float, seed: int) -> Config:
    return derived(cfg, seed, data={"kinds": ["bump"], "holdout": {"kind": "lesion",
                                                                    "width": width}})  # fmt: skip


def _members(cfg: Config, root: RunFolder):
    for width in cfg.interpolate.widths:
        for seed in cfg.interpolate.seeds:
            sub = root.subrun(f"w{width:g}-s{seed}")
            yield f"lesion {width:g} px, seed {seed}", width_config(cfg, width, seed), sub


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    train_all(_members(cfg, root), log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    evaluate_last(_members(cfg, root), log, probe=True)


def width_rows(cfg: Config, root: RunFolder) -> list[dict]:
    """Per width: accuracy outside and inside the lesion over the seeds, and the first seed's
    UMAP of the probe layer (conditions, embedding, which are held out)."""
    rows: dict[float, dict] = {}
    for _, member_cfg, sub in _members(cfg, root):
        width = member_cfg.data.holdout.width
        s = last_samples(member_cfg, sub)
        acc = accuracy_by(regions(member_cfg.data, s["conditions"]), s["outcome"], ["in", "lesion"])
        row = rows.setdefault(width, {"width": width, "in": [], "lesion": [], "umap": None})
        row["in"].append(acc["in"])
        row["lesion"].append(acc["lesion"])
        if row["umap"] is None:
            probe = read_recorded(sub, "probe", member_cfg.train.steps)
            held = regions(member_cfg.data, probe["conditions"]) == "lesion"
            row["umap"] = {
                "conditions": probe["conditions"].tolist(),
                "embedding": probe["umap"].tolist(),
                "held_out": held.tolist(),
                "phase": str(probe["phase"]),  # the layer's phase: is the UMAP worth reading?
            }
    return [{**r, "in": spread(r["in"]), "lesion": spread(r["lesion"])} for r in rows.values()]


def sentences(rows: list[dict], min_accuracy: float) -> tuple[list[str], dict[str, str]]:
    """Per width whether the model interpolates (held-out accuracy ≥ ``min_accuracy``)."""
    answers, parts = {}, []
    for r in rows:
        acc = r["lesion"]["mean"]
        says = answers[f"{r['width']:g}"] = answer(acc, min_accuracy)
        parts.append(f"w = {r['width']:g} px: {pct(acc)} inside (seeds {per_seed(r['lesion'])}), "
                     f"{pct(r['in']['mean'])} outside → **{says}**")  # fmt: skip
    line = "Does the model interpolate into a held-out lesion? " + "; ".join(parts) + "."
    return [line], answers


def report(cfg: Config, root: RunFolder) -> list[str]:
    rows = width_rows(cfg, root)
    lines, answers = sentences(rows, cfg.interpolate.min_accuracy)
    data = {"widths": rows, "answers": answers, "sentences": lines}
    followup_pages.interpolate_page(root, cfg, data)
    return write_summary(root, "interpolate", data, lines)


EXPERIMENT = Experiment("interpolate", train_models, analyse, report)
