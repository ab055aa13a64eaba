"""The benchmark harness runs on a tiny setting and writes valid JSON (no timing is asserted)."""

import json

import pytest
from typer.testing import CliRunner

from bumpdiff.bench import choose_sampler, sampler_table
from bumpdiff.cli import app, parse_sampler
from bumpdiff.config import ConfigError


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
        assert len(row["outcome_codes"]) == row["images"]

    # A sampler study alone on the same run: no training part, the asked images and samplers.
    study = tmp_path / "study.json"
    args = ["bench", "--quick", "--out", str(study), "--device", "cpu", "--only", "samplers"]
    args += ["--only", "bf16"]
    args += ["--run", str(tmp_path / "bench"), "--phase-images", "20", "--sampler", "ddpm:10"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    data = json.loads(study.read_text())
    assert "train" not in data and "probe" not in data
    assert {(r["sampler"], r["steps"]) for r in data["sampling"]} == {("ddpm", 20), ("ddpm", 10)}
    assert {r["images"] for r in data["sampling"] if r["checkpoint"] != "final"} == {20}
    assert data["sampler_choice"]["candidates"]
    bf16 = data["bf16"]
    assert bf16["fp32"]["images"] == bf16["bf16"]["images"] == 16
    for o, diff in bf16["fraction_diff"].items():
        assert diff == pytest.approx(bf16["bf16"]["fractions"][o] - bf16["fp32"]["fractions"][o])
    table = sampler_table(data).splitlines()
    assert table[0].startswith("| sampler | NFE") and len(table) == 2 + 2 + 2  # head, 2 rows, note
    assert any(line.startswith("| DDPM-20 |") and "reference" in line for line in table)


@pytest.mark.parametrize("text", ["euler", "ddim:0", "ddim:ten", "ddpm:-5"])
def test_bad_sampler_spec_is_a_one_line_error(text):
    with pytest.raises(ConfigError, match="--sampler"):
        parse_sampler(text)
    res = CliRunner().invoke(app, ["bench", "--out", "x.json", "--sampler", text])
    assert res.exit_code == 2 and "--sampler" in res.output


def test_sampler_spec_parses():
    assert parse_sampler("ddpm") == ("ddpm", None)
    assert parse_sampler("ddim:50") == ("ddim", 50)


def _row(ckpt, sampler, steps, acc, multiple):
    mis = 1 - acc - multiple
    return {
        "checkpoint": ckpt,
        "sampler": sampler,
        "steps": steps,
        "images": 512,
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


def _coded(ckpt, steps, codes):
    """A row from per-image outcome codes (index into OUTCOMES: 0 none … 3 correct)."""
    n = len(codes)
    fr = {
        o: codes.count(str(k)) / n
        for k, o in enumerate(("none", "multiple", "mislocated", "correct"))
    }
    return {
        "checkpoint": ckpt,
        "sampler": "ddpm",
        "steps": steps,
        "images": n,
        "accuracy": fr["correct"],
        "fractions": fr,
        "outcome_codes": codes,
    }


@pytest.mark.parametrize(
    "n, switched, evidence",
    [
        (1000, 5, "equivalent"),  # 0.5 points apart, paired SE 0.25: inside 3 points for sure
        (1000, 100, "different"),  # 10 points apart, SE 1: outside for sure
        (200, 4, "unresolved"),  # 2 points apart, SE 1.1: these images cannot tell
    ],
)
def test_sampler_evidence_uses_paired_standard_errors(n, switched, evidence):
    ref_b = "2" * (n // 2) + "1" * (n // 2)
    cand_b = "1" * switched + ref_b[switched:]  # mislocated → multiple on `switched` images
    rows = [
        _coded("final", 1000, "3" * n),
        _coded("B", 1000, ref_b),
        _coded("final", 50, "3" * n),
        _coded("B", 50, cand_b),
    ]
    choice = choose_sampler(rows)
    cand = next(c for c in choice["candidates"] if c["steps"] == 50)
    assert cand["evidence"] == evidence
    assert cand["passes"] == (switched / n <= 0.03)
    assert cand["worst_fraction_diff"] == pytest.approx(switched / n)
    ref = next(c for c in choice["candidates"] if c["steps"] == 1000)
    assert ref["evidence"] == "reference"


def test_unknown_bench_part_is_a_one_line_error(tmp_path):
    out = tmp_path / "x.json"
    res = CliRunner().invoke(app, ["bench", "--out", str(out), "--only", "frobnicate"])
    assert res.exit_code == 2 and "--only" in res.output and "samplers" in res.output
    assert not out.exists()


def test_a_study_cut_short_neither_passes_nor_breaks_the_table():
    rows = [_coded("final", 1000, "3" * 100), _coded("B", 1000, "2" * 100)]
    rows.append(_coded("B", 50, "2" * 100))  # identical on B, but never run on the trained model
    choice = choose_sampler(rows)
    cand = next(c for c in choice["candidates"] if c["steps"] == 50)
    assert not cand["passes"] and choice["chosen"]["steps"] == 1000
    for row in rows:
        row["seconds_per_image"] = 1.0
    table = sampler_table({"sampling": rows})
    assert "| DDPM-50 | 50 | 1 | not measured |" in table
