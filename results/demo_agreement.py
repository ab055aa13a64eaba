"""Does a faster way of running the demo show what the plain one shows? Two analysed phases runs
(e.g. sequential and train.overlap) compared checkpoint by checkpoint: the phase named, and
every outcome fraction's difference against its standard error (two independent binomial
samples of the runs' evaluation images).

python results/demo_agreement.py OUT.json BASE_RUN OTHER_RUN
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.runfolder import RunFolder

Z = 1.96


def agreement(base: RunFolder, other: RunFolder) -> dict:
    """Per shared checkpoint: both phases, each fraction's difference (other − base) and SE;
    totals of agreeing phases and of fractions within ``Z`` standard errors."""
    a, b = base.read_phases(), other.read_phases()
    by_step = {e.step: e for e in b}
    rows = []
    for ea in a:
        eb = by_step.get(ea.step)
        if eb is None:
            continue
        n_a = base.latest_by_step("eval")[ea.step].n
        n_b = other.latest_by_step("eval")[ea.step].n
        fractions = {}
        for o in OUTCOMES:
            p, q = ea.fractions[o], eb.fractions[o]
            # one pseudo-image of each outcome keeps the error from reading 0 at 0 % vs 0 %
            se = float(np.sqrt((p * (1 - p) + 1 / n_a) / n_a + (q * (1 - q) + 1 / n_b) / n_b))
            fractions[o] = {"base": p, "other": q, "diff": q - p, "se": se}
        rows.append({"step": ea.step, "phase": [ea.phase, eb.phase], "fractions": fractions})
    within = [abs(f["diff"]) <= Z * f["se"] for r in rows for f in r["fractions"].values()]
    return {
        "base": str(base.root),
        "other": str(other.root),
        "checkpoints": len(rows),
        "same_phase": sum(r["phase"][0] == r["phase"][1] for r in rows),
        "fractions": len(within),
        "fractions_within_z_se": int(sum(within)),
        "z": Z,
        "largest_diff": max(
            (abs(f["diff"]) for r in rows for f in r["fractions"].values()), default=0.0
        ),
        "rows": rows,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    result = agreement(RunFolder(Path(argv[1])), RunFolder(Path(argv[2])))
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"same phase at {result['same_phase']}/{result['checkpoints']} checkpoints; "
        f"{result['fractions_within_z_se']}/{result['fractions']} outcome fractions within "
        f"{Z} SE (largest difference {100 * result['largest_diff']:.1f} points)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
