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
