"""The benchmark harness runs on a tiny setting and writes valid JSON (no timing is asserted)."""

import json

from typer.testing import CliRunner

from bumpdiff.bench import choose_sampler
from bumpdiff.cli import app


def test_quick_bench_writes_the_documented_json(tmp_path):
    out = tmp_path / "bench.json"
    res = CliRunner().invoke(app, ["bench", "--quick", "--out", str(out), "--device", "cpu"])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    for key in ["images_per_s", "reference_images_per_s", "ratio", "mfu"]:
        assert data["train"][key] > 0
    assert data["evaluate"]["images_per_s"] > 0
    assert {"seconds", "capture_seconds", "umap_seconds"} <= set(data["probe"])
    assert {"cores", "cpu", "torch", "device"} <= set(data["machine"])
    assert "phases_demo" not in data  # absent with --quick
    names = {(r["sampler"], r["steps"]) for r in data["sampling"]}
    assert ("ddpm", 20) in names and ("ddim", 10) in names
    for row in data["sampling"]:
        assert {"sampler", "steps", "nfe", "seconds_per_image", "accuracy"} <= set(row)
        assert abs(sum(row["fractions"].values()) - 1) < 1e-9


def _row(ckpt, sampler, steps, acc, multiple):
    mis = 1 - acc - multiple
    return {
        "checkpoint": ckpt,
        "sampler": sampler,
        "steps": steps,
        "accuracy": acc,
        "fractions": {"none": 0.0, "multiple": multiple, "mislocated": mis, "correct": acc},
    }


def test_sampler_choice_checks_fractions_on_early_checkpoints_not_only_accuracy():
    rows = [
        _row("final", "ddpm", 1000, 0.97, 0.0),
        _row("B", "ddpm", 1000, 0.1, 0.1),
        # DDIM-10 matches on the trained model but turns mislocated bumps into multiple ones
        _row("final", "ddim", 10, 0.97, 0.0),
        _row("B", "ddim", 10, 0.1, 0.6),
        _row("final", "ddpm", 50, 0.965, 0.0),
        _row("B", "ddpm", 50, 0.11, 0.11),
        _row("final", "dpmpp", 20, 0.90, 0.0),
        _row("B", "dpmpp", 20, 0.1, 0.1),
    ]
    choice = choose_sampler(rows)
    assert (choice["chosen"]["sampler"], choice["chosen"]["steps"]) == ("ddpm", 50)
    failing = {(c["sampler"], c["steps"]) for c in choice["candidates"] if not c["passes"]}
    assert failing == {("ddim", 10), ("dpmpp", 20)}
