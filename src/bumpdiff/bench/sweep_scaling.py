"""Sweep scaling on this machine (``bumpdiff bench --only sweep``): the same 8 small phases members
(quick preset, shortened) run on a local Ray instance with 1 and with 2 workers (1 core each).
Nothing is asserted; the bench writes it into its JSON under ``sweep``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch
import yaml

from bumpdiff.bench.machine import machine_info
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
    "trajectory.t=[]",  # speed of the sweep machinery, not of the trajectory probe
]


def measure_sweep_scaling(
    members: int = 8, use_ray: bool | None = None, extra: tuple[str, ...] = ()
) -> dict:
    """Seconds for ``members`` small members with 1 and with 2 workers, their ratio and the
    parallel efficiency; ``use_ray`` False runs the members in turn (the harness alone);
    ``extra``: overrides of every member after SMALL's."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = load_config("configs/quick.yaml", [*SMALL, *extra])
        (tmp / "small.yaml").write_text(config_to_yaml(base))
        sweep = {"base": "small.yaml", "seeds": list(range(members)), "cpus": 1, "retries": 0}
        (tmp / "scale.yaml").write_text(yaml.safe_dump(sweep))
        spec, base_path, todo = load_sweep(tmp / "scale.yaml")
        seconds = {}
        for workers in (1, 2):
            t0 = time.perf_counter()
            status = run_sweep(
                spec, base_path, todo, tmp / f"w{workers}", lambda _m: None, None, workers, use_ray
            )
            seconds[workers] = time.perf_counter() - t0
            failed = sorted(n for n, e in status.items() if e["status"] != "done")
            if failed:
                raise RuntimeError(f"sweep scaling: members {failed} did not finish")
    return {
        "members": len(todo),
        "member_overrides": [*SMALL, *extra],
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speedup": seconds[1] / seconds[2],
        "efficiency": seconds[1] / (2 * seconds[2]),
        "machine": machine_info(torch.device("cpu")),
        "command": "bumpdiff bench --only sweep --out benchmarks/cpu-2core-sweep.json",
    }
