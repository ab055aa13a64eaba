"""Where this process computes: the device (``train.device``) and its CPU threads
(``train.threads``), shared by training, sampling and the probes so two jobs on one machine do not
oversubscribe it."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bumpdiff.config import ConfigError


def free_cores(samples: int = 5) -> int:
    """Cores not busy with other work: the cores this process may use minus the other runnable
    processes (Linux ``procs_running``, the median of a few readings 20 ms apart; the 1-minute
    load average elsewhere), at least 1."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        readings = []
        for _ in range(samples):
            for line in Path("/proc/stat").read_text().splitlines():
                if line.startswith("procs_running"):
                    readings.append(int(line.split()[1]) - 1)  # minus this process
            time.sleep(0.02)
        busy = float(np.median(readings))
    except (OSError, ValueError):
        busy = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cores or 1, round((cores or 1) - busy)))


_FREE_CORES: list[int] = []  # decided once per process (the first call), then kept


def resolve_threads(threads: int) -> int:
    """``train.threads``, or with 0 the free cores (``free_cores``, looked at once per process)."""
    if not threads:
        if not _FREE_CORES:
            _FREE_CORES.append(free_cores())
        threads = _FREE_CORES[0]
    return threads


def set_threads(threads: int) -> int:
    """This process's CPU threads, ``resolve_threads(threads)``, so two jobs on one machine do not
    oversubscribe it: torch's, and those of the BLAS and OpenMP pools numpy, scipy and
    scikit-learn compute with (threadpoolctl), which otherwise take every core: in an overlapped
    demo the analysis process's PCA and regressions would run on the training's core too.
    (numba's, for UMAP, follow torch's: probe/umap_cache.py.) Returns the number set."""
    threads = resolve_threads(threads)
    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)  # kept for the process, not only inside a `with`
    return threads


def resolve_device(name: str) -> torch.device:
    """``train.device`` as a torch device: "auto" is CUDA when torch sees it, else the CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("train.device: 'cuda' asked for but torch sees no CUDA device")
    return torch.device(name)


BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # CPU flags of native bf16 arithmetic (x86)


def cpu_bf16_units(cpuinfo: str | None = None) -> list[str]:
    """The bf16 units this CPU reports (``BF16_FLAGS`` among /proc/cpuinfo's flags); empty
    where it has none, or where /proc/cpuinfo cannot be read (then bf16 would be emulated, or
    its presence is unknown: either way not used unasked)."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    flags = {f for line in cpuinfo.splitlines() if line.startswith("flags") for f in line.split()}
    return [f for f in BF16_FLAGS if f in flags]


def resolve_precision(cfg, device: torch.device, log=lambda _msg: None, cpuinfo=None):
    """``cfg`` with ``train.cpu_precision`` decided for this machine: "bf16" refused (ConfigError)
    on a CPU without bf16 units, "auto" resolved to "bf16" where it has them and to "fp32" (said
    in one line) where not; on CUDA the CPU switch is unused and left as written."""
    want = cfg.train.cpu_precision
    if device.type != "cpu" or want == "fp32":
        return cfg
    units = cpu_bf16_units(cpuinfo)
    if want == "bf16" and not units:
        raise ConfigError(
            "train.cpu_precision: 'bf16' needs a CPU with bf16 units (amx_bf16 or avx512_bf16 "
            "in /proc/cpuinfo) and this one has none; use 'auto' (fp32 here) or 'fp32'"
        )
    if want == "auto":
        want = "bf16" if units else "fp32"
        found = ", ".join(units) or "no bf16 units on this CPU"
        log(f"train.cpu_precision: auto → {want} ({found})")
    train = cfg.train.model_copy(update={"cpu_precision": want})
    return cfg.model_copy(update={"train": train})
