"""Outcome fractions of several run folders side by side, per checkpoint, from the latest eval row
of each (e.g. one run evaluated with and without x̂₀ clipping, or re-scored at other prominences).

python results/compare.py OUT.json NAME=RUN [NAME=RUN ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from bumpdiff.store.runfolder import RunFolder


def compare(runs: dict[str, Path]) -> dict:
    evals = {name: RunFolder(path).latest_by_step("eval") for name, path in runs.items()}
    steps = sorted(set.intersection(*(set(rows) for rows in evals.values())))
    result = {"runs": {name: str(path) for name, path in runs.items()}, "steps": []}
    for step in steps:
        row = {"step": step}
        for name, rows in evals.items():
            ev = rows[step]
            row[name] = {**ev.fractions(), "raised": ev.frac_raised, "detector": ev.detector}
            row[name]["clip"] = ev.clip
            samples = RunFolder(runs[name]).samples_path(step)
            if samples.is_file():  # the range of the generated pixel values, data scale
                images = np.load(samples)["images"]
                row[name]["pixel_min"] = float(images.min())
                row[name]["pixel_max"] = float(images.max())
                spans = images.max(axis=(1, 2)) - images.min(axis=(1, 2))
                row[name]["median_span"] = float(np.median(spans))
        result["steps"].append(row)
    return result


if __name__ == "__main__":
    out = Path(sys.argv[1])
    pairs = dict(arg.split("=", 1) for arg in sys.argv[2:])
    out.write_text(json.dumps(compare({k: Path(v) for k, v in pairs.items()}), indent=2) + "\n")
    print(out)
