"""The imbalanced experiment's members across seeds (``bumpdiff aggregate``): per setting and
(dx, dy) dataset, when x reaches 50 % and 90 % accuracy relative to y (the per-seed ratios of
the steps, their mean ± standard deviation over the seeds that reached both) and how many seeds
got each coupling verdict. Pure functions of the members' coupling.json (records.CouplingSummary).

A sweep over the imbalanced preset runs each member with one seed (``sweep.spec.SEED_LISTS``),
so a member's per-variant verdict is one seed's; the verdict that counts is pooled over the
seeds (``pooled_verdict``): a design's decisive run is such a sweep.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from bumpdiff.experiments.design_power import BLIND_LIMIT, DECISIVE_SE, finite_or_none
from bumpdiff.experiments.imbalanced import blind_accuracies
from bumpdiff.experiments.imbalanced_stats import coupling_verdict, excess_answer
from bumpdiff.store.runfolder import RunFolder

PER_SEED = ("ratio50", "ratio90", "x_step50", "y_step50", "x_step90", "y_step90", "curve_corr")


def coupling_rows(root: Path, status: dict[str, dict]) -> pd.DataFrame:
    """One row per (member, dataset variant, training seed) of every finished imbalanced member."""
    rows = []
    for name, entry in sorted(status.items()):
        summary = RunFolder(root / name).read_coupling() if entry.get("status") == "done" else None
        if summary is None:  # not finished (its coupling.json may be stale or half written)
            continue
        cfg = RunFolder(root / name).read_config()
        for v in summary.variants:
            blind_x, blind_y = blind_accuracies(cfg, float(v.dx), float(v.dy))
            for i, seed in enumerate(v.seeds):
                rows.append(
                    {"member": name, "group": entry["group"], "dx": float(v.dx),
                     "dy": float(v.dy), "seed": seed, "verdict": v.verdict,
                     **{k: getattr(v, f"{k}_per_seed")[i] for k in PER_SEED},
                     "joint_excess": _at(v.joint_excess_per_seed, i),
                     "coupled": _floats(v.coupled_ratio50_per_seed),
                     "factorized": _floats(v.factorized_ratio50_per_seed),
                     "blind_x": blind_x, "blind_y": blind_y}
                )  # fmt: skip
    frame = pd.DataFrame(rows)
    if len(frame):  # an axis that never reached a level is None: NaN in a float column
        frame[[*PER_SEED, "joint_excess"]] = frame[[*PER_SEED, "joint_excess"]].astype(float)
    return frame


def _at(values: list, i: int) -> float | None:
    """The i-th seed's value of a per-seed list written before the list existed (empty): None."""
    return values[i] if i < len(values) else None


def _floats(values: list) -> list[float]:
    """A prediction's per-seed ratios as floats (NaN for a seed that never reached 50 %)."""
    return [float("nan") if v is None else float(v) for v in values]


def _pooled_prediction(lists) -> list[float]:
    """One prediction over the members: their per-seed lists, each distinct list once. Read from
    one file (``imbalanced.coupled_from``/``factorized_from``), every member holds the same list
    and it counts once; trained in each member, each member's own seeds are added."""
    distinct = dict.fromkeys(tuple(v) for v in lists)
    return [v for values in distinct for v in values]


def pooled_verdict(sel: pd.DataFrame) -> dict:
    """The coupling verdict over every seed of one setting and dataset (the members' seeds are
    the 2D measurement, the predictions pooled), with its power: the predictions' separation in
    standard errors of the comparison; and the per-image excess over the same seeds."""
    coupled = _pooled_prediction(sel["coupled"])
    factorized = _pooled_prediction(sel["factorized"])
    verdict, stats = coupling_verdict(list(sel["ratio50"]), coupled, factorized)
    blind = float(max(sel["blind_x"].max(), sel["blind_y"].max()))
    verdict = "undetermined" if blind >= BLIND_LIMIT else verdict  # a step needing no condition
    excess, excess_mean, excess_se = excess_answer(list(sel["joint_excess"]))
    power = stats["separation"] / stats["se_measured"] if stats.get("se_measured") else None
    measured = [float(r) for r in sel["ratio50"]]
    return {"verdict": verdict, **stats, "separation_in_se": power,
            "measured_per_seed": [r if np.isfinite(r) else None for r in measured],
            "measured_seeds": int(np.isfinite(measured).sum()),
            "coupled_seeds": len(coupled), "factorized_seeds": len(factorized),
            **{f"{k}_log_se": _log_se(v) for k, v in (("measured", measured),
                                                      ("coupled", coupled),
                                                      ("factorized", factorized))},
            "joint_excess": excess_mean, "joint_excess_se": excess_se,
            "joint_excess_answer": excess, "condition_blind": blind}  # fmt: skip


def _log_se(ratios) -> float:
    """The standard error of the mean log ratio over the seeds that have one (NaN below 2)."""
    logs = np.log([r for r in ratios if np.isfinite(r) and r > 0])
    return float(logs.std(ddof=1) / np.sqrt(len(logs))) if len(logs) > 1 else float("nan")


def _pooled_text(p: dict) -> str:
    if not np.isfinite(p["log_measured"]):
        return "pooled over the seeds: undetermined (a prediction or the measurement is missing)"
    e = np.exp
    power = "n/a" if p["separation_in_se"] is None else f"{p['separation_in_se']:.1f}"
    seeds = ", ".join("n/a" if r is None else f"{r:.2f}" for r in p["measured_per_seed"])
    return (
        f"pooled over {p['measured_seeds']} seeds: x at {e(p['log_measured']):.2f}× y's step "
        f"(log s.e. {p['measured_log_se']:.2f}; seeds: {seeds}); coupled learning predicts "
        f"{e(p['log_coupled']):.2f}× (log s.e. {p['coupled_log_se']:.2f}, "
        f"{p['coupled_seeds']} seeds of balanced data), factorized "
        f"{e(p['log_factorized']):.2f}× (log s.e. {p['factorized_log_se']:.2f}, "
        f"{p['factorized_seeds']} seeds of each axis alone); the predictions lie {power} standard "
        f"errors of the comparison apart{_short_clause(p)}: **{p['verdict']}**{_blind_clause(p)}; "
        f"per image: {p['joint_excess_answer']}"
    )


def _short_clause(p: dict) -> str:
    """Where the seeds fall short of a decisive design's separation, what would reach it: more
    2D seeds, or (when the predictions' own standard errors already allow no more) more seeds
    of the predictions."""
    if p["separation_in_se"] is None or p["separation_in_se"] >= DECISIVE_SE:
        return ""
    cap = p["separation"] / p["se_separation"] if p.get("se_separation") else np.inf
    more = "more 2D seeds" if cap > DECISIVE_SE else "more seeds of the predictions"
    return f" (short of the {DECISIVE_SE:g} a decisive design needs: {more})"


def _blind_clause(p: dict) -> str:
    if p["condition_blind"] < BLIND_LIMIT:
        return ""
    return (f" (an axis is right in {p['condition_blind']:.0%} of images without its condition "
            "at this tolerance: its step measures no conditional learning)")  # fmt: skip


def spread(values) -> tuple[float | None, float | None, int]:
    """Mean, sample standard deviation (None with fewer than two) and count of the finite
    values; (None, None, 0) when there are none."""
    vals = np.asarray(values, dtype=float)
    vals = vals[np.isfinite(vals)]
    if not len(vals):
        return None, None, 0
    sd = float(vals.std(ddof=1)) if len(vals) > 1 else None
    return float(vals.mean()), sd, len(vals)


def _reach(values, level: int, n: int) -> str:
    mean, sd, k = spread(values)
    if mean is None:
        return f"x or y never reached {level} % in any of {n} seeds"
    pm = "" if sd is None else f" ± {sd:.2f}"
    return f"x reaches {level} % at {mean:.2f}{pm} of y's step ({k}/{n} seeds reached both)"


def coupling_verdicts(rows: pd.DataFrame) -> list[dict]:
    """Per group and dataset: the step ratios' spread over seeds and the verdicts' tally."""
    out = []
    for (group, dx, dy), sel in rows.groupby(["group", "dx", "dy"], sort=True):
        n = len(sel)
        tally = sel["verdict"].value_counts().sort_index()
        verdicts = ", ".join(f"{verdict} in {count}" for verdict, count in tally.items())
        text = (
            f"{group}, dx = {dx:g}, dy = {dy:g}: {_reach(sel['ratio90'], 90, n)}; "
            f"{_reach(sel['ratio50'], 50, n)}; coupling verdict, each seed alone: {verdicts} of {n}"
        )
        stats = {f"{k}_{s}": v for k in ("ratio50", "ratio90")
                 for s, v in zip(("mean", "sd", "seeds"), spread(sel[k]))}  # fmt: skip
        counts = {str(k): int(v) for k, v in tally.items()}
        pooled = pooled_verdict(sel)
        out.append({"group": group, "dx": dx, "dy": dy, "seeds": n, **stats,
                    "verdicts": counts, "pooled": {k: finite_or_none(v) for k, v in pooled.items()},
                    "text": f"{text}; {_pooled_text(pooled)}"})  # fmt: skip
    return out


def aggregate_coupling(out: Path, rows: pd.DataFrame) -> list[str]:
    """coupling.parquet and coupling-verdicts.json in ``out``; returns the verdict lines."""
    rows.to_parquet(out / "coupling.parquet", index=False)
    found = coupling_verdicts(rows)
    (out / "coupling-verdicts.json").write_text(json.dumps(found, indent=1) + "\n")
    return [v["text"] for v in found]
