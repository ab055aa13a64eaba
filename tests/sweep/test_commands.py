"""``bumpdiff sweep`` and ``bumpdiff aggregate`` end to end on a tiny sweep, and their errors."""

import json

import pandas as pd
import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_sweep_then_aggregate_writes_tables_bands_and_verdicts(tmp_path):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    sweep = tmp_path / "lr.yaml"
    sweep.write_text(yaml.safe_dump({"base": "tiny.yaml", "seeds": [0, 1],
                                     "grid": {"train.lr": [0.001, 0.002]}}))  # fmt: skip
    out = tmp_path / "runs" / "lr"
    res = invoke("sweep", sweep, "--out", out, "--no-ray")
    assert res.exit_code == 0, res.output
    assert "4 done, 0 failed" in res.output
    res = invoke("aggregate", out)
    assert res.exit_code == 0, res.output
    rows = pd.read_parquet(out / "aggregate" / "rows.parquet")
    assert sorted(rows["member"].unique()) == sorted(json.loads((out / "sweep.json").read_text()))
    assert set(rows["group"]) == {"base-train.lr=0.001", "base-train.lr=0.002"}
    bands = pd.read_parquet(out / "aggregate" / "curves.parquet")
    assert (bands["seeds"] == 2).all()
    assert ((bands["accuracy_lo"] <= bands["accuracy_mean"] + 1e-12)
            | bands["accuracy_lo"].isna()).all()  # fmt: skip
    verdicts = json.loads((out / "aggregate" / "verdicts.json").read_text())
    assert [v["seeds"] for v in verdicts] == [2, 2]
    assert "correspondence in" in res.output and "/2 seeds" in res.output
    assert (out / "aggregate" / "curves.png").is_file()
    assert (out / "aggregate" / "stages.png").is_file()


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    res = invoke("sweep", tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "sweep: file not found" in res.output
    res = invoke("aggregate", tmp_path)
    assert res.exit_code == 2 and "has no sweep.json" in res.output
    assert "Traceback" not in res.output


def test_a_setting_that_moves_the_outcomes_gets_more_seeds(tmp_path):
    """A detector so strict that every image is "none" moves that fraction by far more than
    0.15: only that setting is run again with the extra seed. (Unclipped DPM-Solver++ gives the
    tiny untrained model's images bumps the base detector sees; clipped, most show none.)"""
    tiny = {**TINY, "sample": {**TINY["sample"], "clip": False}}
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(tiny))
    sweep = tmp_path / "screen.yaml"
    sweep.write_text(yaml.safe_dump({
        "base": "tiny.yaml", "seeds": [0],
        "variants": [{"name": "base"}, {"name": "strict", "set": ["eval.prominence=0.99"]}],
        "more_seeds": {"baseline": "base", "threshold": 0.15, "seeds": [1]},
    }))  # fmt: skip
    out = tmp_path / "runs" / "screen"
    res = invoke("sweep", sweep, "--out", out, "--no-ray")
    assert res.exit_code == 0, res.output
    moved = json.loads((out / "more-seeds.json").read_text())
    assert moved["strict"]["more"] and moved["strict"]["move"] > 0.15
    assert sorted(json.loads((out / "sweep.json").read_text())) == ["base-s0", "strict-s0",
                                                                    "strict-s1"]  # fmt: skip
    assert "strict moves" in res.output and "seeds [1] added" in res.output


def test_an_imbalanced_sweep_runs_one_seed_per_member_and_aggregates_the_ratios(tmp_path):
    tree = {**TINY, "experiment": "imbalanced", "imbalanced": {"variants": [[1.0, 2.0]]}}
    (tmp_path / "imb.yaml").write_text(yaml.safe_dump(tree))
    sweep = tmp_path / "s.yaml"
    sweep.write_text(yaml.safe_dump({"base": "imb.yaml", "seeds": [0, 1]}))
    out = tmp_path / "runs" / "imb"
    res = invoke("sweep", sweep, "--out", out, "--no-ray")
    assert res.exit_code == 0, res.output
    for seed in (0, 1):  # each member trained its own seed, not the preset's list
        coupling = json.loads((out / f"base-s{seed}" / "coupling.json").read_text())
        assert coupling["variants"][0]["seeds"] == [seed]
        assert (out / f"base-s{seed}" / f"dx1-dy2-s{seed}").is_dir()
    res = invoke("aggregate", out)
    assert res.exit_code == 0, res.output
    (found,) = json.loads((out / "aggregate" / "coupling-verdicts.json").read_text())
    assert found["group"] == "base" and found["seeds"] == 2
    assert sum(found["verdicts"].values()) == 2
    # six training steps reach no level: the line says so instead of averaging nothing
    assert "base, dx = 1, dy = 2: x or y never reached 90 % in any of 2 seeds" in res.output
