"""The machine beside every benchmark: the CPU's model and its bf16 units read from cpuinfo."""

import torch

from bumpdiff.bench.machine import cpu_flags, machine_info

XEON = """processor\t: 0
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse avx2 avx512f avx512_bf16 amx_bf16 amx_tile
processor\t: 1
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu sse avx2
"""
EPYC = "processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx2 fma\n"


def test_the_first_processors_model_and_flags_are_read():
    model, flags = cpu_flags(XEON)
    assert model.startswith("Intel(R) Xeon(R) Platinum") and {"amx_bf16", "avx512_bf16"} <= flags
    assert cpu_flags(EPYC) == ("AMD EPYC", {"fpu", "sse", "avx2", "fma"})
    assert cpu_flags("") == ("", set())


def test_machine_info_records_what_the_comparisons_need():
    info = machine_info(torch.device("cpu"))
    assert info["cores"] >= 1 and info["threads"] == torch.get_num_threads()
    assert set(info["bf16_units"]) <= {"amx_bf16", "avx512_bf16"}
    assert info["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
