"""Can a sweep of a few seeds tell its counts from a reference sweep's? (``bumpdiff evidence
seeds-power``), e.g. the 32 × 32 phases study's 3 seeds against the quick study's 5.

A sweep's verdicts count seeds (sweep/aggregate.py): those whose behaviour goes multiple →
mislocated → correct (``behaviour_in_order``) and those where the layer's phases match the
behaviour as the paper says (``paper_agrees``). Each count the other sweep could give (0 … n
seeds) is set against the reference's k of m by Fisher's exact test (two-sided,
scipy.stats.fisher_exact); a count the design can call different from the reference's is one
with p below ``alpha``: the family's 0.05 divided by the number of counts compared (Bonferroni),
so that calling either count a change is wrong at most 5 % of the time when neither changed.
Before the run (a number of seeds instead of the other sweep's file) this is the design's
power: which outcomes would be a change, and whether any could be; after it, the observed counts
with their p and the answer per count.

After the run a further count is set beside them, outside the family (``exploratory``: each at
0.05 alone, and printed as chosen after the run, since it was not part of the design): the
seeds whose mislocated stage the trajectory probe reads as a learned B, of those that have a
mislocated stage (sweep/aggregate_trajectory.py), where both sweeps read their generations.
"""

from __future__ import annotations

import json
from pathlib import Path

from scipy.stats import fisher_exact

from bumpdiff.config import ConfigError
from bumpdiff.report.tables import SEED_COUNTS, seeds_power_lines
from bumpdiff.sweep.stage_steps import read_group

USAGE = "seeds-power OUT.json REFERENCE/verdicts.json[:GROUP] SEEDS|OTHER/verdicts.json[:GROUP]"
ALPHA = 0.05


def outcomes(k_ref: int, n_ref: int, n: int, alpha: float = ALPHA) -> dict:
    """Per count 0 … ``n`` of the other sweep: Fisher's two-sided p against ``k_ref`` of
    ``n_ref``, and the counts with p < ``alpha`` (``different``: none means the design cannot
    tell any outcome from the reference's)."""
    rows = []
    for k in range(n + 1):
        p = float(fisher_exact([[k, n - k], [k_ref, n_ref - k_ref]]).pvalue)
        rows.append({"count": k, "p": p, "different": p < alpha})
    return {"reference": [k_ref, n_ref], "seeds": n, "alpha": alpha, "outcomes": rows,
            "different": [r["count"] for r in rows if r["different"]]}  # fmt: skip


def trajectory_count(group: dict) -> tuple[int, int] | None:
    """(seeds read as learned B, seeds with a mislocated stage) of a group's trajectory
    reading; None where the sweep did not read its generations or no seed has that stage."""
    reading = group.get("trajectory")
    if not reading or not reading.get("with_mislocated_stage"):
        return None
    return reading["counts"]["learned"], reading["with_mislocated_stage"]


def exploratory(ref: dict, other: dict) -> dict:
    """The counts compared after the run, outside the family (module docstring): each at
    ``ALPHA`` alone, with the other sweep's observed count; empty where either lacks it."""
    ref_count, other_count = trajectory_count(ref), trajectory_count(other)
    if ref_count is None or other_count is None:
        return {}
    row = outcomes(*ref_count, other_count[1], ALPHA)
    return {"trajectory_learned": {**row, "observed": other_count[0]}}


def seeds_power_main(argv: list[str]) -> int:
    """``bumpdiff evidence`` + ``USAGE``: write the design's (or the comparison's) outcomes per
    count, print one line per count."""
    if len(argv) != 3:
        raise ConfigError(f"evidence: usage: {USAGE}")
    _, ref = read_group(argv[1], needs="behaviour_in_order")
    other = None
    if argv[2].isdigit():
        seeds = int(argv[2])
        if seeds < 1:
            raise ConfigError(f"evidence: SEEDS must be at least 1, got {seeds}")
    else:
        other = read_group(argv[2], needs="behaviour_in_order")[1]
        seeds = other["seeds"]
    rows, alpha = {}, ALPHA / len(SEED_COUNTS)  # Bonferroni over the counts compared
    for field in SEED_COUNTS:  # the counts of a sweep's verdicts compared
        rows[field] = outcomes(ref[field], ref["seeds"], seeds, alpha)
        if other is not None:
            rows[field]["observed"] = other[field]
    out = {"command": "bumpdiff evidence seeds-power " + " ".join(argv), "reference": argv[1],
           "other": argv[2], "family_alpha": ALPHA, "counts": rows}  # fmt: skip
    if other is not None:
        out["exploratory"] = exploratory(ref, other)
    Path(argv[0]).write_text(json.dumps(out, indent=1) + "\n")
    print(seeds_power_lines(out).replace("**", ""))
    return 0
