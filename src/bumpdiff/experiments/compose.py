"""The `compose` experiment (follow-up paper, Fig. 4 and 10): can a model generate sums of
stripes (SOS) at (x, y) combinations it never saw?

Models, each trained for every seed and evaluated at its last checkpoint on SOS at every visible
lattice point (``evaluate_stripes``):
- ``sos-cross``: 2D SOS with the cross (x or y in ``compose.band``) held out;
- ``stripes``: 1D vertical and horizontal stripes only, over the full range;
- ``stripes-sos-cross``: stripes plus the SOS outside the cross;
- ``stripes-rim``: stripes plus only a rim of SOS (within ``compose.rim_width`` of an edge).
Accuracy is reported in each part of the cross (vertical, horizontal, intersection) and outside
it (in), and for the rim comparison on the rim and in the interior.

Run folder: ``config.yaml``, one sub-run per model and seed, ``compose.json``, ``figures/``,
``report.html``.
"""

from __future__ import annotations

import numpy as np

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
from bumpdiff.store.runfolder import RunFolder

STRIPES = ["vstripe", "hstripe"]
MODELS = {  # name → (kinds, held-out region)
    "sos-cross": (["sos"], "cross"),
    "stripes": (STRIPES, "none"),
    "stripes-sos-cross": ([*STRIPES, "sos"], "cross"),
    "stripes-rim": ([*STRIPES, "sos"], "rim"),
}
CROSS = ("in", "vertical", "horizontal", "intersection", ("vertical", "horizontal", "intersection"))
RIM = ("in", "interior")


def model_config(cfg: Config, name: str, seed: int) -> Config:
    kinds, holdout = MODELS[name]
    c = cfg.compose
    hold = {"kind": holdout, "band": list(c.band), "width": c.rim_width}
    return derived(cfg, seed, data={"kinds": kinds, "holdout": hold})


def _members(cfg: Config, root: RunFolder):
    for name in MODELS:
        for seed in cfg.compose.seeds:
            yield (
                f"{name}, seed {seed}",
                model_config(cfg, name, seed),
                root.subrun(f"{name}-s{seed}"),
            )


def train_models(cfg: Config, root: RunFolder, log: Log, progress: bool = True) -> None:
    train_all(_members(cfg, root), log, progress)


def analyse(cfg: Config, root: RunFolder, log: Log) -> None:
    evaluate_last(_members(cfg, root), log)


def _parts(cfg: Config, kind: str, conditions: np.ndarray) -> np.ndarray:
    """The cross's or the rim's parts of the conditions, whatever the model held out."""
    c = cfg.compose
    hold = {"kind": kind, "band": list(c.band), "width": c.rim_width}
    return regions(derived(cfg, 0, data={"kinds": ["sos"], "holdout": hold}).data, conditions)


def member_samples(cfg: Config, root: RunFolder) -> list[tuple[str, int, dict]]:
    """(model, seed, last checkpoint's samples) of every member, each file read once."""
    return [(sub.root.name.rsplit("-s", 1)[0], m_cfg.seed, last_samples(m_cfg, sub))
            for _, m_cfg, sub in _members(cfg, root)]  # fmt: skip


def model_rows(cfg: Config, samples: list[tuple[str, int, dict]]) -> dict[str, dict]:
    """Per model: each part's accuracy (cross parts, and rim parts) over the seeds."""
    per_model: dict[str, dict[str, list]] = {}
    for name, _, s in samples:
        cond, outcome = s["conditions"], s["outcome"]
        acc = accuracy_by(_parts(cfg, "cross", cond), outcome, CROSS)
        rim = accuracy_by(_parts(cfg, "rim", cond), outcome, RIM)
        acc.update({"rim": rim["in"], "interior": rim["interior"]})
        for key, value in acc.items():
            per_model.setdefault(name, {}).setdefault(key, []).append(value)
    return {name: {k: spread(v) for k, v in parts.items()} for name, parts in per_model.items()}


def _mean(rows: dict, model: str, part: str) -> float | None:
    return rows[model][part]["mean"]


def sentences(rows: dict, min_accuracy: float) -> tuple[list[str], dict[str, str]]:
    """One sentence per model and the rim claim; the answers by model."""
    held = "vertical+horizontal+intersection"
    answers, lines = {}, []
    for model in ("sos-cross", "stripes", "stripes-sos-cross"):
        acc = _mean(rows, model, held)
        answers[model] = answer(acc, min_accuracy)
        parts = ", ".join(f"{p} {pct(_mean(rows, model, p))}"
                          for p in ("in", "vertical", "horizontal", "intersection"))  # fmt: skip
        lines.append(
            f"{model}: SOS accuracy {parts}; on the held-out cross {pct(acc)} (seeds "
            f"{per_seed(rows[model][held])}) → composes: **{answers[model]}**."
        )
    with_rim, without = _mean(rows, "stripes-rim", "interior"), _mean(rows, "stripes", "interior")
    answers["rim"] = answer(with_rim, min_accuracy)
    overall = pct(_mean(rows, "stripes-rim", "all")), pct(_mean(rows, "stripes", "all"))
    lines.append(
        f"A rim of 2D examples: interior (out-of-distribution) accuracy {pct(with_rim)} with "
        f"it, {pct(without)} with stripes alone (overall {overall[0]} vs {overall[1]}, on the "
        f"rim {pct(_mean(rows, 'stripes-rim', 'rim'))}) → a few compositional examples "
        f"suffice: **{answers['rim']}**."
    )
    return lines, answers


def _gallery(cfg: Config, samples) -> list[tuple[str, dict, np.ndarray]]:
    """The first seed's samples of each model, with the cross's part of each condition."""
    return [(name, s, _parts(cfg, "cross", s["conditions"]))
            for name, seed, s in samples if seed == cfg.compose.seeds[0]]  # fmt: skip


def report(cfg: Config, root: RunFolder) -> list[str]:
    samples = member_samples(cfg, root)
    rows = model_rows(cfg, samples)
    lines, answers = sentences(rows, cfg.compose.min_accuracy)
    data = {"models": rows, "answers": answers, "sentences": lines}
    followup_pages.compose_page(root, cfg, data, _gallery(cfg, samples))
    return write_summary(root, "compose", data, lines)


EXPERIMENT = Experiment("compose", train_models, analyse, report)
