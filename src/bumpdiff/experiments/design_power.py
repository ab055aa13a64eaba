"""Power analysis of a coupling design, before its 2D runs (issue: "coupled or factorized,
decided"); pure functions.

A design predicts the 2D run's log step ratio (x's step to 50 % accuracy over y's) twice: coupled
learning predicts the balanced data's ratio, factorized learning the ratio of the two axes
learned alone (the 1D references). The 2D run measures that log ratio once per seed with a
seed-to-seed standard deviation ``sd``. With n seeds the two predictions are told apart when
they differ by at least ``z`` standard errors of the comparison:

    |Δ| ≥ z · sqrt(sd² / n + se_predictions²),  so  n = ceil(sd² / ((Δ / z)² − se_predictions²)),

and no number of 2D seeds suffices when the predictions' own uncertainty already reaches Δ / z
(then the references need more seeds first).
"""

from __future__ import annotations

import math

import numpy as np

from bumpdiff.config import DataConfig
from bumpdiff.data import lattice_from_config

DECISIVE_SE = 3.0  # predictions this many standard errors apart: a design that can decide


def seeds_needed(
    delta: float, sd: float, se_predictions: float = 0.0, z: float = DECISIVE_SE
) -> int | None:
    """The fewest 2D seeds for predictions ``delta`` apart (log ratio) to differ by ``z``
    standard errors; None when no number does (module docstring)."""
    room = (abs(delta) / z) ** 2 - se_predictions**2
    if not room > 0:  # no room, or a prediction not measured (NaN)
        return None
    return max(2, math.ceil(sd**2 / room - 1e-9))  # two seeds at least: an SD needs them


BLIND_LIMIT = 0.5  # the accuracy level the steps are read at (step to 50 %)


def blind_accuracy(values, tolerance: float) -> float:
    """The per-axis accuracy of a generator blind to that axis's condition: the largest share
    of the axis's lattice values that one position lies within ``tolerance`` of (the best single
    place to put every bump). An axis whose blind accuracy reaches the level its step is read at
    (50 %) is "learned" without using its condition, so its step measures nothing conditional:
    three values 1 px apart read at 1 px are all within 1 px of the middle one (100 %)."""
    v = np.sort(np.unique(np.round(np.asarray(values, float), 9)))
    # the best window [v_i, v_i + 2·tolerance] starts at a value; its centre is the position
    covered = np.searchsorted(v, v + 2 * tolerance + 1e-9, side="right") - np.arange(len(v))
    return float(covered.max() / len(v))


def log_ratios(x_steps: np.ndarray, y_steps: np.ndarray) -> np.ndarray:
    """Per seed: log(step x reaches the level / step y does), seeds with both."""
    x, y = np.asarray(x_steps, float), np.asarray(y_steps, float)
    ok = np.isfinite(x) & np.isfinite(y) & (x > 0) & (y > 0)
    return np.log(x[ok] / y[ok])


def design_power(
    balanced: np.ndarray,
    references: np.ndarray,
    two_d_sd: float,
    z: float = DECISIVE_SE,
    max_seeds: int = 10,
) -> dict:
    """One design's power: ``balanced`` and ``references`` are per-seed log ratios (the coupled
    and the factorized prediction's measurements), ``two_d_sd`` the 2D measurement's per-seed
    standard deviation (from earlier runs). Returns both predictions with their standard errors,
    their difference, the seeds needed and whether that is within ``max_seeds``."""  # fmt: skip
    balanced, references = np.asarray(balanced, float), np.asarray(references, float)
    coupled, factorized = float(balanced.mean()), float(references.mean())
    se = [float(v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.inf
          for v in (balanced, references)]  # fmt: skip
    se_predictions = math.hypot(*se)
    need = seeds_needed(factorized - coupled, two_d_sd, se_predictions, z)
    return {
        "coupled": coupled, "coupled_se": se[0], "factorized": factorized,
        "factorized_se": se[1], "difference": factorized - coupled,
        "two_d_sd": two_d_sd, "seeds_needed": need,
        "decidable": need is not None and need <= max_seeds,
    }  # fmt: skip


def pooled_sd(groups: list[np.ndarray]) -> float:
    """The within-group standard deviation pooled over groups of per-seed values (each group
    one setting measured over seeds; groups of fewer than 2 seeds add nothing)."""
    groups = [np.asarray(g, float) for g in groups if len(g) > 1]
    dof = sum(len(g) - 1 for g in groups)
    if dof == 0:
        return math.nan
    return math.sqrt(sum(float(((g - g.mean()) ** 2).sum()) for g in groups) / dof)


def balanced_logs(study: dict) -> np.ndarray:
    """The per-seed log step ratios of a coupling.json's balanced variant (dx = dy)."""
    variant = next((v for v in study["variants"] if v["dx"] == v["dy"]), None)
    if variant is None:
        raise ValueError("coupling.json: no balanced variant (dx = dy) to predict coupling")
    return np.log([r for r in variant["ratio50_per_seed"] if r])


def first_difference(recorded: dict, own: dict, absent=None):
    """The first setting of ``own`` that ``recorded`` (a study file's settings) gives otherwise,
    as (key, recorded value or ``absent``, own value); None when they all agree."""
    for key, value in own.items():
        theirs = recorded.get(key, absent)
        if theirs != value:
            return key, theirs, value
    return None


def _check_read_alike(name: str, study: dict, refs: dict) -> None:
    """A design's own coupled prediction must be read with its references' tolerances."""
    own = {key: refs.get(key) for key in ("eval_tolerance", "eval_tolerance_x")}
    differs = first_difference(study, own, absent="unrecorded")
    if differs:
        key, theirs, ours = differs
        raise ValueError(f"{name}: its balanced study has {key} {theirs}, its references {ours}: "
                         "read them alike")  # fmt: skip


def choose_design(
    prior: dict,
    designs: dict[str, dict],
    z: float = DECISIVE_SE,
    max_seeds: int = 10,
    coupled: dict[str, dict] | None = None,
):
    """design.json's content. ``prior`` is a finished imbalanced study (coupling.json): its
    balanced variant's per-seed log ratios are the coupled prediction and the per-seed spread of
    all its variants the 2D measurement's SD. ``designs`` maps a name to its references.json
    (each axis learned alone, per seed); ``coupled`` a name to that design's own balanced study
    (a coupling.json read with the design's tolerances, e.g. x read finer), whose balanced
    variant replaces the prior's as its coupled prediction. Every design row gets
    ``design_power`` and each axis's blind accuracy (``design_blindness``); those that reach
    ``z`` standard errors within ``max_seeds``, with every reference seed at 50 % and both axes
    below ``BLIND_LIMIT`` without their condition, are chosen, fewest seeds first."""
    coupled = coupled or {}
    logs = [np.log([r for r in v["ratio50_per_seed"] if r]) for v in prior["variants"]]
    sd = pooled_sd(logs)
    rows = []
    for name, refs in designs.items():
        if name in coupled:
            _check_read_alike(name, coupled[name], refs)
        balanced = balanced_logs(coupled.get(name, prior))
        source = {"coupled_from": "own balanced study" if name in coupled else "prior study"}
        rows += [{**_design_row(name, refs, row, balanced, sd, z, max_seeds), **source}
                 for row in refs["rows"]]  # fmt: skip
    chosen = sorted((r for r in rows if r["decidable"]), key=lambda r: r["seeds_needed"])
    return {"z": z, "max_seeds": max_seeds, "two_d_sd": sd, "designs": rows,
            "chosen": [r["design"] for r in chosen]}  # fmt: skip


def _design_row(name, refs, row, balanced, sd, z, max_seeds) -> dict:
    """One reference row's power, blindness and whether the design can decide."""
    seeds, reached = len(row["seeds"]), row["reached"]
    if reached == 0:  # no seed reached 50 %: no factorized prediction at all
        power = {"seeds_needed": None, "decidable": False}
    else:
        power = design_power(balanced, row["log_ratio50_per_seed"], sd, z, max_seeds)
        power = {k: finite_or_none(v) for k, v in power.items()}
    complete = reached == seeds  # a seed that never reached 50 % needs longer training
    blind = design_blindness(refs, row["dx"], row["dy"])
    conditional = max(blind.values()) < BLIND_LIMIT
    return {"design": name, "dx": row["dx"], "dy": row["dy"], "data": refs["data"],
            "seeds": seeds, "reached": reached, **power, **blind, "conditional": conditional,
            "decidable": power["decidable"] and complete and conditional}  # fmt: skip


def lattice_blindness(data: DataConfig, tolerance: float, tolerance_x: float | None):
    """Per axis of the lattice ``data`` describes, read to ``tolerance`` (``tolerance_x`` along x
    where set), the accuracy of a generator blind to that axis's condition (``blind_accuracy``)."""
    pts = lattice_from_config(data)
    tol_x = tolerance if tolerance_x is None else tolerance_x
    return blind_accuracy(pts[:, 0], tol_x), blind_accuracy(pts[:, 1], tolerance)


def design_blindness(refs: dict, dx: float, dy: float) -> dict[str, float]:
    """``lattice_blindness`` of a design's 2D lattice, from its references.json (the data
    settings and tolerances it was read with)."""
    data = DataConfig(**{**refs["data"], "dx": dx, "dy": dy})
    blind = lattice_blindness(data, refs.get("eval_tolerance", 1.0), refs.get("eval_tolerance_x"))
    return dict(zip(("blind_x", "blind_y"), blind))


def finite_or_none(value):
    """NaN and infinity as None (JSON has neither)."""
    return None if isinstance(value, float) and not math.isfinite(value) else value
