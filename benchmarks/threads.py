"""Threads with another job on the machine: quick-preset training steps per second with 2 threads
(the presets' old setting) and with ``train.threads: 0`` (the free cores), alone and while a
second training (2 threads) runs beside it. Writes JSON; nothing is asserted.

python benchmarks/threads.py benchmarks/cpu-2core-threads.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import torch

from bumpdiff.bench.suite import machine_info
from bumpdiff.config import load_config
from bumpdiff.devices import free_cores
from bumpdiff.diffusion.network import init_model
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.training.loop import train_step, training_data

COMPETITOR = """
import torch
from bumpdiff.config import load_config
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.diffusion.network import init_model
from bumpdiff.training.loop import train_step, training_data
torch.set_num_threads(2)
cfg = load_config("configs/quick.yaml")
x, c = training_data(cfg, torch.device("cpu"))
model = init_model(cfg)
opt = torch.optim.AdamW(model.parameters())
gen = torch.Generator().manual_seed(0)
abar = alphas_cumprod(cfg.diffusion)
while True:
    train_step(model, opt, x, c, abar, gen, 64)
"""


def steps_per_second(threads: int, seconds: float = 8.0) -> dict:
    """Train the quick preset for about ``seconds`` with ``threads`` (0 = free cores)."""
    cfg = load_config("configs/quick.yaml")
    used = threads or free_cores()  # looked at now (set_threads decides once per process)
    torch.set_num_threads(used)
    x, c = training_data(cfg, torch.device("cpu"))
    model = init_model(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.train.lr)
    gen = torch.Generator().manual_seed(0)
    abar = alphas_cumprod(cfg.diffusion)
    train_step(model, opt, x, c, abar, gen, cfg.train.batch_size)  # warm-up
    steps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        train_step(model, opt, x, c, abar, gen, cfg.train.batch_size)
        steps += 1
    return {"threads_setting": threads, "threads_used": used, "steps_per_s": steps / seconds}


def main(out: Path) -> dict:
    result = {"machine": machine_info(torch.device("cpu")), "alone": [], "beside_a_job": []}
    for threads in (2, 0):
        result["alone"].append(steps_per_second(threads))
    job = subprocess.Popen([sys.executable, "-c", COMPETITOR])
    try:
        time.sleep(5)  # the other training is under way
        result["free_cores_seen"] = free_cores()
        for threads in (2, 0):
            result["beside_a_job"].append(steps_per_second(threads))
    finally:
        job.kill()
    two, auto = (r["steps_per_s"] for r in result["beside_a_job"])
    result["beside_a_job_auto_over_2"] = auto / two
    out.write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), indent=2))
