"""The imbalanced experiment's members across seeds (``bumpdiff aggregate``): per setting and
(dx, dy) dataset, when x reaches 50 % and 90 % accuracy relative to y (the per-seed ratios of
the steps, their mean ± standard deviation over the seeds that reached both) and how many seeds
got each coupling verdict. Pure functions of the members' coupling.json (records.CouplingSummary).

A sweep over the imbalanced preset runs each member with one seed (``sweep.spec.SEED_LISTS``),
so a member's per-variant verdict is one seed's.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from bumpdiff.store.runfolder import RunFolder

PER_SEED = ("ratio50", "ratio90", "x_step50", "y_step50", "x_step90", "y_step90", "curve_corr")


def coupling_rows(root: Path, status: dict[str, dict]) -> pd.DataFrame:
    """One row per (member, dataset variant, training seed) of every finished imbalanced member."""
    rows = []
    for name, entry in sorted(status.items()):
        summary = RunFolder(root / name).read_coupling() if entry.get("status") == "done" else None
        if summary is None:  # not finished (its coupling.json may be stale or half written)
            continue
        for v in summary.variants:
            for i, seed in enumerate(v.seeds):
                rows.append(
                    {"member": name, "group": entry["group"], "dx": float(v.dx),
                     "dy": float(v.dy), "seed": seed, "verdict": v.verdict,
                     **{k: getattr(v, f"{k}_per_seed")[i] for k in PER_SEED}}
                )  # fmt: skip
    frame = pd.DataFrame(rows)
    if len(frame):  # an axis that never reached a level is None: NaN in a float column
        frame[list(PER_SEED)] = frame[list(PER_SEED)].astype(float)
    return frame


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
        out.append({"group": group, "dx": dx, "dy": dy, "seeds": n, **stats,
                    "verdicts": counts, "text": text})  # fmt: skip
    return out


def aggregate_coupling(out: Path, rows: pd.DataFrame) -> list[str]:
    """coupling.parquet and coupling-verdicts.json in ``out``; returns the verdict lines."""
    rows.to_parquet(out / "coupling.parquet", index=False)
    found = coupling_verdicts(rows)
    (out / "coupling-verdicts.json").write_text(json.dumps(found, indent=1) + "\n")
    return [v["text"] for v in found]
