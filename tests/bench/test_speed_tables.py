"""The speed and sampler tables (``bumpdiff tables speed|sweep-scaling|samplers|verdicts``)."""

import json
from pathlib import Path

import pytest

from bumpdiff.bench.speed_tables import KINDS

ROOT = Path(__file__).parents[2]
FILES = {
    "speed": "benchmarks/cpu-2core-speed.json",
    "sweep-scaling": "benchmarks/cpu-2core-sweep.json",
    "samplers": "results/samplers/coupled-study.json",
    "verdicts": "results/samplers/coupled-pooled.json",
    "scale": "benchmarks/cpu-2core-profile-paper.json",
}


def test_every_kind_has_a_committed_file_here():
    assert set(FILES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(FILES))
def test_each_kind_prints_text_from_its_file(kind):
    assert KINDS[kind](json.loads((ROOT / FILES[kind]).read_text())).strip()


def test_the_sampler_table_reads_old_bench_files_too():
    old = json.loads((ROOT / "benchmarks" / "cpu-2core-samplers512.json").read_text())
    table = KINDS["samplers"](old)
    assert "DDPM-1000" in table and "DDPM-250" in table


def test_the_scale_rows_name_each_variant_its_speed_ups_and_whether_within_tolerance():
    row = {
        "warmup_seconds": 3.0,
        "rms_diff_over_std": 2e-6,
        "tolerance": 1e-4,
        "within_tolerance": True,
        "seconds_per_train_step": 2.0,
        "seconds_per_sampling_call": 1.0,
        "train_speedup": 1.2,
        "sampling_speedup": 0.9,
    }
    fp32 = {k: v for k, v in row.items() if "tolerance" not in k}  # the reference has none
    part = {"train_batch": 32, "variants": {"fp32": {**fp32, "rms_diff_over_std": 0.0},
            "channels_last": row, "compile": {**row, "within_tolerance": False}},
            "skipped": {"bf16": "no bf16 units"}}  # fmt: skip
    lines = KINDS["scale"]({"machine": {"cpu": "X", "threads": 2}, "speedups": part}).splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "| fp32",
        "| channels_last",
        "| compile",
        "| bf16 | not measured: no bf16 units |",
    ]
    assert "×1.20 of fp32's speed" in lines[1] and ", within its tolerance" in lines[1]
    assert "NOT within" in lines[2] and "tolerance" not in lines[0]
