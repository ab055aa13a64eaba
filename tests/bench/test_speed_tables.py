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
