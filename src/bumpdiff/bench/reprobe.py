"""Does a run's probe reproduce on this machine? (In bench/, beside the machine facts it
records.) Each named checkpoint is probed again here (``analysis.probing.probe_model``, in this
process) and every number of the new row is set beside the run's recorded one
(``metrics.jsonl``), the seconds left out.

``bumpdiff evidence reprobe OUT.json RUN STEP [STEP ...]`` writes, per step, the fields compared,
those that differ (recorded, here, their difference) and the largest difference, with the
machine it ran on (``bench.machine.machine_info``): a run made elsewhere whose probe reads
differently here points at the machine when the same run reprobed where it was made agrees.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

from bumpdiff.analysis.pipeline import load_checkpoint_model
from bumpdiff.analysis.probing import probe_model
from bumpdiff.bench.machine import machine_info
from bumpdiff.config import ConfigError
from bumpdiff.store.runfolder import RunFolder

USAGE = "reprobe OUT.json RUN STEP [STEP ...]"


def compare_rows(recorded: dict, here: dict) -> dict:
    """Every finite-or-not number both rows hold (the ``*_seconds`` timings left out): how many
    were compared, those that differ with both values, and the largest absolute difference."""
    keys = [k for k, v in recorded.items() if isinstance(v, (int, float))
            and not isinstance(v, bool) and not k.endswith("_seconds")
            and isinstance(here.get(k), (int, float))]  # fmt: skip
    differ = {}
    for k in keys:
        a, b = float(recorded[k]), float(here[k])
        if a != b and not (math.isnan(a) and math.isnan(b)):
            differ[k] = {"recorded": a, "here": b, "diff": b - a}
    finite = [abs(d["diff"]) for d in differ.values() if math.isfinite(d["diff"])]
    return {"compared": len(keys), "differ": differ, "largest_diff": max(finite, default=0.0),
            "same_phase": recorded.get("phase") == here.get("phase")}  # fmt: skip


def reprobe(run_dir: Path, steps: list[int]) -> dict:
    """Each step's recorded probe row against the same checkpoint probed here."""
    run = RunFolder(run_dir)
    cfg = run.read_config()
    recorded = run.latest_by_step("probe")
    missing = [s for s in steps if s not in recorded]
    if missing:
        raise ConfigError(f"STEP: {missing[0]} has no probe row in {run_dir} "
                          f"(probed: {', '.join(map(str, sorted(recorded)))})")  # fmt: skip
    rows, device = [], torch.device("cpu")
    for step in steps:
        model = load_checkpoint_model(run, cfg, step)
        device = next(model.parameters()).device  # where it probed (the run's train.device)
        row, _ = probe_model(model, cfg, step)
        rows.append({"step": step, **compare_rows(recorded[step].model_dump(), row.model_dump())})
    return {"run": str(run_dir), "machine": machine_info(device), "steps": rows,
            "reproduced": all(not r["differ"] and r["same_phase"] for r in rows)}  # fmt: skip


def reprobe_main(argv: list[str]) -> int:
    """``bumpdiff evidence reprobe OUT.json RUN STEP [STEP ...]``."""
    if len(argv) < 3:
        raise ConfigError(f"evidence: usage: {USAGE}")
    if not all(s.isdigit() for s in argv[2:]):
        raise ConfigError(f"STEP: expected checkpoint steps (whole numbers), got {argv[2:]}")
    metrics = RunFolder(Path(argv[1])).metrics_path
    if not metrics.is_file():
        raise ConfigError(f"RUN: {argv[1]} is not a run folder (no {metrics.name})")
    result = {"command": "bumpdiff evidence reprobe " + " ".join(argv),
              **reprobe(Path(argv[1]), [int(s) for s in argv[2:]])}  # fmt: skip
    Path(argv[0]).write_text(json.dumps(result, indent=1) + "\n")
    print(f"reproduced: {result['reproduced']} "
          f"({sum(len(r['differ']) for r in result['steps'])} numbers differ)")  # fmt: skip
    return 0
