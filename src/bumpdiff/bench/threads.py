"""Threads with another job on the machine (``bumpdiff bench --only threads``): quick-preset
training steps per second with 2 threads and with ``train.threads: 0`` (the free cores), alone and
while a second training (2 threads) runs beside it. Nothing is asserted; the bench writes it into
its JSON under ``threads``.
"""

from __future__ import annotations

import subprocess
import sys
import time

import torch

from bumpdiff.bench.machine import machine_info
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


def measure_threads(seconds: float = 8.0) -> dict:
    """Steps per second with 2 threads and with the free cores, alone and beside a second
    2-thread training started in a subprocess (killed at the end); ``seconds`` per measurement."""
    result = {"machine": machine_info(torch.device("cpu")), "alone": [], "beside_a_job": []}
    for threads in (2, 0):
        result["alone"].append(steps_per_second(threads, seconds))
    job = subprocess.Popen([sys.executable, "-c", COMPETITOR])
    try:
        time.sleep(min(5.0, seconds))  # the other training is under way
        result["free_cores_seen"] = free_cores()
        for threads in (2, 0):
            result["beside_a_job"].append(steps_per_second(threads, seconds))
    finally:
        job.kill()
        job.wait()
    two, auto = (r["steps_per_s"] for r in result["beside_a_job"])
    result["beside_a_job_auto_over_2"] = auto / two
    return result
