"""Faster steps side by side: each variant's outputs against fp32's, bf16 only where native."""

import json

import pytest
import torch
from typer.testing import CliRunner

from bumpdiff.bench import speedups
from bumpdiff.cli import app
from tests.conftest import tiny_config


def _measure(names):
    cfg = tiny_config("train.batch_size=8")
    return speedups.measure_speedups(cfg, torch.device("cpu"), 1, 1, 2, names)


def test_channels_last_keeps_the_outputs_within_its_tolerance_and_is_timed():
    result = _measure(("fp32", "channels_last"))
    rows = result["variants"]
    assert list(rows) == ["fp32", "channels_last"]  # fp32 first: the reference
    assert rows["fp32"]["rms_diff_over_std"] == 0.0
    cl = rows["channels_last"]
    assert cl["within_tolerance"] and cl["rms_diff_over_std"] <= cl["tolerance"]
    for row in rows.values():
        assert len(row["train_times"]) == 2 and min(row["train_times"]) > 0
        assert len(row["sampling_times"]) == 2 and min(row["sampling_times"]) > 0


def test_bf16_is_left_out_with_its_reason_on_a_cpu_without_bf16_units(monkeypatch):
    monkeypatch.setattr(speedups, "cpu_bf16_units", lambda: [])
    result = _measure(("fp32", "bf16"))
    assert list(result["variants"]) == ["fp32"]
    assert "no bf16 units" in result["skipped"]["bf16"]


def test_bf16_where_native_is_measured_and_moves_the_outputs_by_its_rounding(monkeypatch):
    monkeypatch.setattr(speedups, "cpu_bf16_units", lambda: ["amx_bf16"])
    row = _measure(("bf16",))["variants"]["bf16"]  # fp32 joins as the reference
    # bf16's 8-bit mantissa moves ε̂ measurably, yet within its stated tolerance
    assert 1e-4 < row["rms_diff_over_std"] <= row["tolerance"]


def test_the_quick_bench_writes_the_speedups_part(tmp_path):
    out = tmp_path / "s.json"
    args = ["bench", "--quick", "--only", "speedups", "--out", str(out), "--device", "cpu"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    part = json.loads(out.read_text())["speedups"]
    assert "compile" not in part["variants"]  # quick: the harness, no minutes of compiling
    assert "fp32" in part["variants"] and "channels_last" in part["variants"]


@pytest.mark.parametrize("name", ["compile", "compile+channels_last"])
def test_compiled_variants_are_prepared_by_torch_compile(name):
    model = speedups._prepare(name, torch.nn.Conv2d(1, 1, 3))
    assert hasattr(model, "_orig_mod")  # torch.compile's wrapper, compiled on first call
