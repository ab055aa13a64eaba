"""Every member's rows in one table, statistics across seeds, and each group's verdict with its
spread (``bumpdiff aggregate``). Pure functions of the run folders (pandas; Parquet on disk).

A group is a member without its seed (``base-data.sigma=0.7`` for ``base-data.sigma=0.7-s1``):
the seeds of one setting. Curves get the mean and a 95 % bootstrap band over seeds (BCa bootstrap
of the mean, resampling seeds; a single seed has no band).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import bootstrap

from bumpdiff.probe.correspondence import phase_summary
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.aggregate_trajectory import group_reading, reading_text

DOMINANT_ORDER = ("multiple", "mislocated", "correct")  # the paper's behaviour, in order


def member_rows(root: Path, status: dict[str, dict]) -> pd.DataFrame:
    """One row per (member, checkpoint) of every finished phases member."""
    rows = []
    for name, entry in sorted(status.items()):
        run = RunFolder(root / name)
        if entry.get("status") != "done" or not run.phases_path.is_file():
            continue
        seed = int(name.rsplit("-s", 1)[1])
        for e in run.read_phases():
            rows.append(
                {"member": name, "group": entry["group"], "seed": seed, "step": e.step,
                 "phase": e.phase, "layer_phase": e.layer_phase, "accuracy": e.accuracy,
                 **{f"frac_{o}": e.fractions[o] for o in OUTCOMES},
                 "behaviour_trustworthiness": e.behaviour.get("trustworthiness", np.nan),
                 "readout_at_condition": e.controls.get("readout_at_condition", np.nan)}
            )  # fmt: skip
    return pd.DataFrame(rows)


def bootstrap_band(values: np.ndarray, n_boot: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95 % BCa bootstrap interval of the mean of ``values`` over seeds (scipy.stats.bootstrap);
    (v, v) when every seed gives v; NaN with fewer than two values. With few seeds it is a bit
    narrow (its coverage is measured in tests/sweep/test_aggregate.py)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) < 2:
        return float("nan"), float("nan")
    if np.ptp(values) == 0:
        return float(values[0]), float(values[0])
    ci = bootstrap((values,), np.mean, n_resamples=n_boot, method="BCa", random_state=seed)
    return float(ci.confidence_interval.low), float(ci.confidence_interval.high)


def curves(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Per group and step: mean, 95 % band and number of seeds of each column."""
    out = []
    for (group, step), sel in rows.groupby(["group", "step"], sort=True):
        entry = {"group": group, "step": step, "seeds": len(sel)}
        for col in columns:
            lo, hi = bootstrap_band(sel[col].to_numpy())
            entry |= {f"{col}_mean": float(sel[col].mean()), f"{col}_lo": lo, f"{col}_hi": hi}
        out.append(entry)
    return pd.DataFrame(out)


def dominant(fractions: dict[str, float]) -> str:
    """The outcome with the largest share of a checkpoint's images."""
    return max(fractions, key=fractions.get)


def behaviour_in_order(fractions: list[dict[str, float]]) -> bool:
    """Whether the dominant outcome went multiple → mislocated → correct, each seen, never back
    (checkpoints dominated by "none" are skipped)."""
    return behaviour_path(fractions) == "in order"


def behaviour_path(fractions: list[dict[str, float]]) -> str:
    """How the dominant outcome went (checkpoints dominated by "none" skipped): "in order"
    (multiple → mislocated → correct), else why not: "went back", "skipped mislocated"
    (multiple → correct), "no correct by the end", or "no multiple stage"."""
    seq = [DOMINANT_ORDER.index(d) for d in map(dominant, fractions) if d in DOMINANT_ORDER]
    if any(a > b for a, b in zip(seq, seq[1:])):
        return "went back"
    if 2 in seq and 1 not in seq:
        return "skipped mislocated"
    if 2 not in seq:
        return "no correct by the end"
    return "in order" if 0 in seq else "no multiple stage"


def first_step(entries, test) -> int | None:
    """The first checkpoint's step for which ``test(entry)`` holds, None if none does."""
    return next((e.step for e in entries if test(e)), None)


def lead_or_lag(entries, phase: str = "C", stage: str = "correct") -> str:
    """Whether the layer's ``phase`` first comes before ("leads"), with ("coincides") or after
    ("lags") the first checkpoint whose dominant outcome is ``stage`` (the paper pairs B with
    one mislocated bump, C with the correct one); "n/a" if either never comes."""
    layer = first_step(entries, lambda e: e.phase == phase)
    seen = first_step(entries, lambda e: dominant(e.fractions) == stage)
    if layer is None or seen is None:
        return "n/a"
    return "leads" if layer < seen else "coincides" if layer == seen else "lags"


def stage_onsets(entries) -> dict[str, int | None]:
    """The first checkpoint step at which each stage of the behaviour (multiple, mislocated,
    correct) is the dominant outcome; None for a stage never seen."""
    return {
        stage: first_step(entries, lambda e, s=stage: dominant(e.fractions) == s)
        for stage in DOMINANT_ORDER
    }


def order_by_stage(entries) -> dict[str, list[float]]:
    """The generated positions' order (behaviour trustworthiness) at each checkpoint, listed
    under the stage whose outcome dominates it (multiple, mislocated, correct)."""
    out: dict[str, list[float]] = {stage: [] for stage in DOMINANT_ORDER}
    for e in entries:
        stage, value = dominant(e.fractions), e.behaviour.get("trustworthiness")
        if stage in out and value is not None and np.isfinite(value):
            out[stage].append(float(value))
    return out


def order_null(run: RunFolder) -> dict[str, float]:
    """Median and 95th percentile of the order of positions unrelated to the conditions, on
    the member's evaluation grid (probe.behaviour.behaviour_order_null)."""
    from bumpdiff.analysis.pipeline import eval_conditions
    from bumpdiff.probe.behaviour import behaviour_order_null

    cfg = run.read_config()
    null = behaviour_order_null(eval_conditions(cfg), cfg.probe.knn)
    return {"median": float(np.median(null)), "p95": float(np.quantile(null, 0.95))}


def _stage_medians(orders: list[dict[str, list[float]]]) -> dict[str, float | None]:
    """Per stage: the median order over every seed's checkpoints it dominates (None if none)."""
    pooled = {stage: [v for o in orders for v in o[stage]] for stage in DOMINANT_ORDER}
    return {k: float(np.median(v)) if v else None for k, v in pooled.items()}


def _median_onsets(onsets: list[dict]) -> dict[str, float | None]:
    out = {}
    for stage in DOMINANT_ORDER:
        seen = [o[stage] for o in onsets if o[stage] is not None]
        out[stage] = float(np.median(seen)) if seen else None
    return out


def moved_settings(rows: pd.DataFrame, baseline: str, threshold: float) -> dict[str, dict]:
    """Per group other than ``baseline``: the largest difference of a mean outcome fraction
    (over seeds) from the baseline's at the same checkpoint, where and of which outcome, and
    whether it exceeds ``threshold`` (such a factor moves the behaviour: it gets more seeds)."""
    columns = [f"frac_{o}" for o in OUTCOMES]
    means = rows.groupby(["group", "step"])[columns].mean()
    if baseline not in means.index.get_level_values(0):
        return {}
    base = means.loc[baseline]
    out = {}
    for group in sorted(set(means.index.get_level_values(0)) - {baseline}):
        diff = (means.loc[group] - base).abs().dropna(how="all")
        if diff.empty:
            out[group] = {"move": None, "step": None, "outcome": None, "more": False}
            continue
        step, column = diff.stack().idxmax()
        move = float(diff.loc[step, column])
        out[group] = {"move": move, "step": int(step), "outcome": column.removeprefix("frac_"),
                      "more": move > threshold}  # fmt: skip
    return out


def _counts(timing: list[str]) -> str:
    return ", ".join(f"{k} in {timing.count(k)}" for k in dict.fromkeys(sorted(timing)))


def verdicts(root: Path, rows: pd.DataFrame) -> list[dict]:
    """Per group: in how many seeds the paper's phase ↔ outcome correspondence held, and in how
    many the behaviour went multiple → mislocated → correct."""
    out = []
    for group, sel in rows.groupby("group", sort=True):
        members = sorted(sel["member"].unique())
        agree = behaviour = 0
        timing, b_timing, onsets, orders, paths = [], [], [], [], []
        for name in members:
            entries = RunFolder(root / name).read_phases()
            orders.append(order_by_stage(entries))
            agree += bool(phase_summary(entries)[1])
            paths.append(behaviour_path([e.fractions for e in entries]))
            behaviour += paths[-1] == "in order"
            timing.append(lead_or_lag(entries))
            b_timing.append(lead_or_lag(entries, "B", "mislocated"))
            onsets.append(stage_onsets(entries))
        n = len(members)
        median, order = _median_onsets(onsets), _stage_medians(orders)
        null = order_null(RunFolder(root / members[0]))  # the seeds share the grid
        stages = ", ".join(f"{k} {'never' if v is None else f'{v:g}'}" for k, v in median.items())
        ordered = ", ".join(f"{k} {'n/a' if v is None else f'{v:.2f}'}" for k, v in order.items())
        text = (
            f"{group}: the paper's phase ↔ outcome correspondence in {agree}/{n} seeds; "
            f"behaviour multiple → mislocated → correct in {behaviour}/{n}; the layer's B, "
            f"against the first checkpoint where a mislocated bump dominates: {_counts(b_timing)}; "
            f"its C, against the first where the correct bump dominates: {_counts(timing)}; "
            f"dominant from step (median over seeds): {stages}; order of the generated "
            f"positions while each dominates (median trustworthiness): {ordered} (positions "
            f"unrelated to the conditions: {null['median']:.2f}, 95 % below {null['p95']:.2f})"
        )
        trajectory = group_reading(root, members)
        if trajectory is not None:
            trajectory["text"] = reading_text(group, trajectory, n)
        out.append(
            {"group": group, "seeds": n, "paper_agrees": agree, "behaviour_in_order": behaviour,
             "layer_c_timing": timing, "layer_b_timing": b_timing, "onsets": onsets,
             "median_onsets": median, "order_by_stage": order, "order_null": null,
             "behaviour_paths": paths, "text": text,
             **({"trajectory": trajectory} if trajectory else {})}
        )  # fmt: skip
    return out


def _left_out(status: dict[str, dict]) -> dict[str, list[str]]:
    """The members not aggregated, by why: "failed", or "not finished" (pending or running)."""
    out: dict[str, list[str]] = {}
    for name, entry in sorted(status.items()):
        if entry.get("status") != "done":
            why = "failed" if entry.get("status") == "failed" else "not finished"
            out.setdefault(why, []).append(name)
    return out


def _aggregate_phases(root: Path, out: Path, rows: pd.DataFrame) -> list[str]:
    """rows.parquet, curves.parquet, verdicts.json, curves.png and stages.png of the phases
    members; returns their verdict lines."""
    import json

    from bumpdiff.report.figures import sweep_curves_figure, sweep_stages_figure

    rows.to_parquet(out / "rows.parquet", index=False)
    columns = ["accuracy", *(f"frac_{o}" for o in OUTCOMES), "behaviour_trustworthiness"]
    table = curves(rows, columns)
    table.to_parquet(out / "curves.parquet", index=False)
    found = verdicts(root, rows)
    (out / "verdicts.json").write_text(json.dumps(found, indent=1) + "\n")
    sweep_curves_figure(table, out / "curves.png")
    sweep_stages_figure(table, out / "stages.png")
    return [
        line for v in found for line in (v["text"], v.get("trajectory", {}).get("text")) if line
    ]


def aggregate_sweep(root: Path) -> list[str]:
    """``aggregate/`` in the sweep folder: for phases members rows.parquet (every member's
    checkpoints), curves.parquet (mean and band per group and step), verdicts.json, curves.png
    and stages.png (each group's outcome shares); for imbalanced members coupling.parquet and
    coupling-verdicts.json (aggregate_coupling); for torus members torus-verdicts.json
    (aggregate_torus); returns the verdict lines."""
    from bumpdiff.sweep.aggregate_coupling import aggregate_coupling, coupling_rows
    from bumpdiff.sweep.aggregate_torus import aggregate_torus, torus_members
    from bumpdiff.sweep.status import read_status

    status = read_status(root)
    rows, coupling = member_rows(root, status), coupling_rows(root, status)
    torus, without = torus_members(root, status)
    if rows.empty and coupling.empty and not (torus or without):
        return [f"{root}: no finished phases, imbalanced or torus member to aggregate"]
    out = root / "aggregate"
    out.mkdir(exist_ok=True)
    lines = [] if rows.empty else _aggregate_phases(root, out, rows)
    lines += [] if coupling.empty else aggregate_coupling(out, coupling)
    lines += aggregate_torus(out, torus, without) if torus or without else []
    for why, names in _left_out(status).items():
        lines.append(f"not aggregated ({why}): {', '.join(names)}")
    return [*lines, f"aggregate: {out}"]
