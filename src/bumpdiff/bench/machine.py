"""The machine a measurement ran on, recorded beside every benchmark: cores, threads, the CPU's
model and its bf16 units, torch, the device. CPUs differ between machines of one kind (some Xeons
have AMX and AVX-512 bf16 units, some EPYCs none), so timings are compared only side by side on
one machine and read with the machine they came from."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import torch

BF16_FLAGS = ("amx_bf16", "avx512_bf16")  # /proc/cpuinfo flags of CPUs that compute bf16 natively


def cpu_flags(cpuinfo: str) -> tuple[str, set[str]]:
    """(model name, flags) of the first processor in a /proc/cpuinfo text."""
    model, flags = "", set()
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and not model:
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            flags = set(value.split())
    return model, flags


def machine_info(device: torch.device) -> dict:
    """What ran a measurement: cores, torch threads, CPU model, its bf16 units (``bf16_units``:
    the flags of BF16_FLAGS it has), torch's CPU capability, versions, the device (and GPU)."""
    try:
        model, flags = cpu_flags(Path("/proc/cpuinfo").read_text())
    except OSError:
        model, flags = "", set()
    info = {
        "cores": os.cpu_count(),
        "threads": torch.get_num_threads(),
        "cpu": model or platform.processor() or "",
        "bf16_units": sorted(flags & set(BF16_FLAGS)),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch": torch.__version__,
        "device": str(device),
        "python": platform.python_version(),
    }
    if device.type == "cuda":
        info["gpu"] = torch.cuda.get_device_name(device)
    return info
