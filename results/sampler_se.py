"""The paired standard errors of a sampler study, per candidate: how precisely each candidate's
outcome fractions are compared with DDPM-T's (lower = fewer images needed for the same answer).

python results/sampler_se.py results/samplers/coupled-noise.json results/samplers/se-summary.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bumpdiff.diffusion.sampling import name_of
from bumpdiff.experiments.samplers_stats import diff_and_se
from bumpdiff.scoring.outcomes import OUTCOMES
from bumpdiff.store.records import SamplerStudy


def summary(study: SamplerStudy) -> dict:
    t = max(r.steps for r in study.rows if r.sampler == "ddpm")
    ref = {
        r.checkpoint: r for r in study.rows if (r.steps, r.noise, r.precision) == (t, "own", "fp32")
    }
    out = {}
    for row in study.rows:
        if row.checkpoint not in ref or row is ref[row.checkpoint]:
            continue
        name = name_of(row.sampler, row.steps, row.precision, row.noise)
        entry = out.setdefault(name, {"se_points": [], "diff_points": []})
        for outcome in OUTCOMES:
            diff, se = diff_and_se(row, ref[row.checkpoint], outcome)
            entry["se_points"].append(100 * se)
            entry["diff_points"].append(100 * diff)
    for entry in out.values():
        entry["mean_se_points"] = float(np.mean(entry["se_points"]))
        entry["largest_abs_diff_points"] = float(np.max(np.abs(entry["diff_points"])))
    return out


if __name__ == "__main__":
    study = SamplerStudy.model_validate(json.loads(Path(sys.argv[1]).read_text()))
    result = {"study": sys.argv[1], "candidates": summary(study)}
    Path(sys.argv[2]).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v["mean_se_points"] for k, v in result["candidates"].items()}, indent=2))
