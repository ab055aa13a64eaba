"""The speed benchmark runs on a tiny setting and writes valid JSON (no timing is asserted)."""

import json

from typer.testing import CliRunner

from bumpdiff.cli import app


def test_quick_bench_writes_the_documented_json(tmp_path):
    out = tmp_path / "bench.json"
    res = CliRunner().invoke(app, ["bench", "--quick", "--out", str(out), "--device", "cpu"])
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    for key in ["images_per_s", "reference_images_per_s", "ratio", "mfu"]:
        assert data["train"][key] > 0
    assert data["evaluate"]["images_per_s"] > 0
    profile = data["train_profile"]
    assert abs(sum(profile["share_by_kind"].values()) - 1) < 1e-6
    assert {"convolution", "optimizer"} <= set(profile["share_by_kind"])  # a UNet's AdamW step
    assert 0 <= profile["outside_operators_share"] < 1
    sampling = data["sampling_profile"]  # a sampling step: the network's forward, no optimizer
    assert abs(sum(sampling["share_by_kind"].values()) - 1) < 1e-6
    assert "convolution" in sampling["share_by_kind"]
    assert "optimizer" not in sampling["share_by_kind"]
    assert sampling["calls"] == 3 and sampling["seconds_per_call"] > 0
    assert {"seconds", "capture_seconds", "umap_seconds"} <= set(data["probe"])
    assert {"cores", "cpu", "torch", "device"} <= set(data["machine"])
    assert {(r["sampler"], r["steps"]) for r in data["sampling"]} == {("ddpm", 20), ("ddim", 10)}
    for row in data["sampling"]:
        assert row["seconds_per_image"] > 0 and row["nfe"] == row["steps"]
        assert "accuracy" not in row  # speed only: faithfulness is the samplers experiment's
    assert data["experiment"] == "phases" and data["experiment_seconds"]["seconds"] > 0
    assert (tmp_path / "bench" / "phases.json").is_file()


def test_bench_parts_and_samplers_are_checked(tmp_path):
    out = tmp_path / "x.json"
    res = CliRunner().invoke(app, ["bench", "--out", str(out), "--only", "frobnicate"])
    assert res.exit_code == 2 and "--only" in res.output and "samplers" in res.output
    for text in ["euler", "ddim:0", "ddim:ten"]:
        res = CliRunner().invoke(app, ["bench", "--out", str(out), "--sampler", text])
        assert res.exit_code == 2 and "--sampler" in res.output and text in res.output
    assert not out.exists()
    res = CliRunner().invoke(
        app, ["bench", "--quick", "--out", str(out), "--only", "samplers", "--sampler", "ddpm:3"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["parts"] == ["samplers"] and "train" not in data
    assert [(r["sampler"], r["steps"]) for r in data["sampling"]] == [("ddpm", 3)]


def test_an_existing_end_to_end_folder_stops_the_bench_before_any_timing(tmp_path):
    out = tmp_path / "b.json"
    (tmp_path / "b").mkdir()  # where --quick runs the experiment end to end
    res = CliRunner().invoke(app, ["bench", "--quick", "--out", str(out)])
    assert res.exit_code == 2 and "already exists" in res.output
    assert "training throughput" not in res.output and not out.exists()
