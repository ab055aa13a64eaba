"""The trajectory probe across seeds (``bumpdiff aggregate``): is the seed paper's phase B a
learned representation of where the bump is generated, or that place leaking through the input?

Per member, the checkpoints of its mislocated stage (a mislocated bump the dominant outcome) are
read: a member shows a **learned** B when the layer, read along its generations, is ordered by the
generated place beyond every control (trajectory phase B) at one of them at least; the
**input leaking through** when every one is A (no order beyond the controls, whatever order the
layer has against p being the input's); otherwise it is undetermined. A member whose layer is
ordered by the condition there (C) is counted apart. A group answers when most of its members
with a mislocated stage agree.
"""

from __future__ import annotations

import numpy as np

from bumpdiff.probe.trajectory_metrics import step_value
from bumpdiff.store.runfolder import RunFolder

ANSWERS = {
    "learned": "a learned representation of the generated position",
    "leak": "the generated bump leaking through the input",
    "condition": "a representation of the condition",
    "undetermined": "not decided",
}


def _best(entry, key: str) -> tuple[float, float]:
    """The largest learned part (point) over the captured t, and its bootstrap low."""
    points = np.array([step_value(s, key) for s in entry.trajectory])
    if not np.isfinite(points).any():
        return float("nan"), float("nan")
    j = int(np.nanargmax(points))
    return float(points[j]), step_value(entry.trajectory[j], f"{key}_low")


def member_reading(entries) -> dict:
    """One member's mislocated stage read by the trajectory probe (module docstring)."""
    stage = [e for e in entries
             if e.trajectory and max(e.fractions, key=e.fractions.get) == "mislocated"]  # fmt: skip
    phases = [e.trajectory_phase for e in stage]
    best = [_best(e, "learned_generated") for e in stage]
    j = int(np.nanargmax([b[0] for b in best])) if stage and np.isfinite(best).any() else None
    last = [step_value(e.trajectory[-1], "order_generated_pixels") for e in stage]
    if not stage:
        reading = None
    elif "B" in phases:
        reading = "learned"
    elif "C" in phases:
        reading = "condition"
    elif set(phases) == {"A"}:
        reading = "leak"
    else:
        reading = "undetermined"
    return {
        "stage_steps": [e.step for e in stage],
        "stage_phases": phases,
        "reading": reading,
        "best_learned_generated": best[j][0] if j is not None else None,
        "best_learned_generated_low": best[j][1] if j is not None else None,
        "best_step": stage[j].step if j is not None else None,
        "pixels_order_generated_last_t": float(np.nanmedian(last)) if stage else None,
    }


def answer_of(readings: list[str]) -> tuple[dict[str, int], str]:
    """The count of each reading and the answer most members give, if more than half do."""
    counts = {k: readings.count(k) for k in ANSWERS}
    top = max(counts, key=counts.get)
    return counts, top if counts[top] > len(readings) / 2 else "undetermined"


def group_reading(root, members: list[str]) -> dict | None:
    """The trajectory reading of a group's members and the group's answer; None when no member
    carries the trajectory probe."""
    runs = [RunFolder(root / name) for name in members]
    entries = [run.read_phases() for run in runs]
    if not any(e.trajectory for es in entries for e in es):
        return None
    threshold = runs[0].read_config().trajectory.min_learned
    readings = {name: member_reading(es) for name, es in zip(members, entries)}
    staged = [r["reading"] for r in readings.values() if r["reading"] is not None]
    counts, answer = answer_of(staged)
    lows = [r["best_learned_generated_low"] for r in readings.values()
            if r["best_learned_generated_low"] is not None]  # fmt: skip
    points = [r["best_learned_generated"] for r in readings.values()
              if r["best_learned_generated"] is not None]  # fmt: skip
    return {
        "min_learned": threshold,
        "members": readings,
        "with_mislocated_stage": len(staged),
        "counts": counts,
        "answer": answer,
        "median_best_learned_generated": float(np.median(points)) if points else None,
        "median_best_learned_generated_low": float(np.median(lows)) if lows else None,
    }


def reading_text(group: str, found: dict, seeds: int) -> str:
    """The group's answer in one sentence, with its counts and numbers."""
    c, n = found["counts"], found["with_mislocated_stage"]
    median = found["median_best_learned_generated"]
    low = found["median_best_learned_generated_low"]
    numbers = "" if median is None else (
        f"; the largest learned order against the generated place there, median over seeds "
        f"{median:.3f} (bootstrap low {low:.3f})"
    )  # fmt: skip
    return (
        f"{group}: {n} of {seeds} seeds have a mislocated stage; read along each generation, "
        f"the layer is ordered there by where the bump is generated beyond every control "
        f"(trajectory phase B) in {c['learned']}/{n}, by the condition (C) in {c['condition']}/"
        f"{n}, by nothing beyond the controls (A: any order by the generated place is the "
        f"input's) in {c['leak']}/{n}, undetermined in {c['undetermined']}/{n} (threshold "
        f"{found['min_learned']:g}){numbers}. Answer: {ANSWERS[found['answer']]}."
    )
