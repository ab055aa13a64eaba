"""Sweep scaling on this machine: the same 8 small phases members (quick preset, shortened) run
on a local Ray instance with 1 and with 2 workers (1 core each). Writes JSON; nothing asserted.

python benchmarks/sweep_scaling.py benchmarks/cpu-2core-sweep.json
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

from bumpdiff.bench.suite import machine_info
from bumpdiff.config import config_to_yaml, load_config
from bumpdiff.sweep.runner import run_sweep
from bumpdiff.sweep.spec import load_sweep

SMALL = [
    "train.steps=60",
    "train.checkpoints=3",
    "sample.max_conditions=16",
    "probe.max_conditions=16",
    "probe.draws=4",
    "probe.placement_t=null",
    "probe.placement_more_t=[]",
]


def measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = load_config("configs/quick.yaml", SMALL)
        (tmp / "small.yaml").write_text(config_to_yaml(base))
        sweep = {"base": "small.yaml", "seeds": list(range(8)), "cpus": 1, "retries": 0}
        (tmp / "scale.yaml").write_text(yaml.safe_dump(sweep))
        spec, base_path, members = load_sweep(tmp / "scale.yaml")
        seconds = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            status = run_sweep(spec, base_path, members, tmp / f"w{workers}", print, None, workers)
            seconds[workers] = time.perf_counter() - t0
            assert all(e["status"] == "done" for e in status.values()), status
    return {
        "members": len(members),
        "member_overrides": SMALL,
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speedup": seconds[1] / seconds[2],
        "efficiency": seconds[1] / (2 * seconds[2]),
        "machine": machine_info(torch.device("cpu")),
        "command": "python benchmarks/sweep_scaling.py benchmarks/cpu-2core-sweep.json",
    }


if __name__ == "__main__":
    result = measure()
    Path(sys.argv[1]).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))
