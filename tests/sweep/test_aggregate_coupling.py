"""The imbalanced members' aggregate on synthetic coupling.json files with known per-seed
ratios: the spread over seeds, seeds that never reached a level, and the verdicts' tally."""

import json
from pathlib import Path

import numpy as np
import pytest

from bumpdiff.config import load_config
from bumpdiff.store.records import CouplingSummary, CouplingVariant
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.aggregate import aggregate_sweep
from bumpdiff.sweep.spec import Member
from bumpdiff.sweep.status import record_status

ROOT = Path(__file__).parents[2]


def _variant(dx, dy, seed, ratio90, ratio50, verdict):
    stats = {"x_step50": 100.0, "y_step50": 100.0, "x_step90": None, "y_step90": 300.0,
             "ratio50": ratio50, "ratio90": ratio90, "curve_corr": 0.9}  # fmt: skip
    return CouplingVariant(
        dx=dx, dy=dy, seeds=[seed], n_x=8, n_y=8, **stats,
        **{f"{k}_per_seed": [v] for k, v in stats.items()}, verdict=verdict,
    )  # fmt: skip


def _member(root, group, seed, variants, status="done", *overrides):
    """A finished imbalanced member: its config (the imbalanced preset: 8 values per axis, 1 px
    apart, read to 1 px) and its coupling.json."""
    member = Member(f"{group}-s{seed}", (f"seed={seed}",))
    run = RunFolder(root / member.name)
    run.root.mkdir(parents=True)
    run.write_config(load_config(ROOT / "configs" / "imbalanced.yaml", list(overrides)))
    run.write_coupling(CouplingSummary(variants=variants, verdict="…"))
    record_status(root, _member.status, member, {"status": status})


@pytest.fixture()
def sweep(tmp_path):
    """Setting "a": x reaches 90 % at 0.8, 1.0, 1.2 of y's step in three seeds (mean 1.0,
    SD 0.2) and 50 % at 0.5 each; setting "b": one seed never reaches 90 %, one failed member."""
    _member.status = {}
    for seed, r90, verdict in ((0, 0.8, "coupled"), (1, 1.0, "coupled"), (2, 1.2, "factorized")):
        _member(tmp_path, "a", seed, [_variant(0.1, 1.0, seed, r90, 0.5, verdict)])
    _member(tmp_path, "b", 0, [_variant(0.1, 1.0, 0, None, 0.7, "undetermined")])
    _member(tmp_path, "b", 1, [_variant(0.1, 1.0, 1, 2.0, 0.9, "coupled")])
    _member(tmp_path, "b", 2, [], status="failed")
    return tmp_path


def test_the_spread_over_seeds_and_the_tally_are_given_per_setting(sweep):
    lines = aggregate_sweep(sweep)
    written = json.loads((sweep / "aggregate/coupling-verdicts.json").read_text())
    found = {v["group"]: v for v in written}
    a, b = found["a"], found["b"]
    assert a["ratio90_mean"] == pytest.approx(1.0) and a["ratio90_sd"] == pytest.approx(0.2)
    assert a["ratio50_mean"] == pytest.approx(0.5) and a["ratio50_sd"] == pytest.approx(0.0)
    assert a["verdicts"] == {"coupled": 2, "factorized": 1}
    assert "x reaches 90 % at 1.00 ± 0.20 of y's step (3/3 seeds reached both)" in a["text"]
    # one seed of b never reached 90 %: counted out, not averaged as a number; no SD of one
    assert b["ratio90_mean"] == pytest.approx(2.0) and b["ratio90_sd"] is None
    assert "x reaches 90 % at 2.00 of y's step (1/2 seeds reached both)" in b["text"]
    assert b["ratio50_mean"] == pytest.approx(0.8)
    assert "not aggregated (failed): b-s2" in lines


def test_a_level_no_seed_reached_is_said_not_averaged(tmp_path):
    _member.status = {}
    _member(tmp_path, "c", 0, [_variant(1.0, 0.1, 0, None, None, "undetermined")])
    (line,) = [t for t in aggregate_sweep(tmp_path) if t.startswith("c,")]
    assert "never reached 90 % in any of 1 seeds" in line
    assert "each seed alone: undetermined in 1 of 1" in line


def test_rows_keep_every_seed_and_variant(sweep):
    import pandas as pd

    aggregate_sweep(sweep)
    rows = pd.read_parquet(sweep / "aggregate/coupling.parquet")
    assert len(rows) == 5 and set(rows["group"]) == {"a", "b"}
    assert rows["ratio90"].isna().sum() == 1 and rows["x_step90"].isna().all()


def _decisive_variant(seed, ratio50, coupled, factorized, excess):
    """One seed's 2D member of a design whose predictions were read from files: every member
    holds the same coupled and factorized per-seed lists."""
    v = _variant(1.0, 1.0, seed, 1.0, ratio50, "undetermined")
    return v.model_copy(update={"coupled_ratio50_per_seed": coupled,
                                "factorized_ratio50_per_seed": factorized,
                                "joint_excess_per_seed": [excess]})  # fmt: skip


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [((2.9, 3.1, 3.0, 2.95, 3.05), "factorized"), ((1.0, 1.05, 0.95, 1.02, 0.98), "coupled"),
     ((1.7, 1.8, 1.75, 1.72, 1.78), "undetermined")],
    ids=["at the factorized prediction", "at the coupled one", "halfway"],
)  # fmt: skip
def test_the_seeds_are_pooled_into_one_verdict_with_its_power(tmp_path, measured, verdict):
    """Coupled predicts 1× (balanced data, 3 seeds), factorized 3× (each axis alone, 3 seeds);
    five one-seed members measure the 2D ratio. The predictions read from one file count once."""
    _member.status = {}
    coupled, factorized = [1.0, 1.1, 0.9], [3.0, 3.3, 2.7]
    for seed, ratio in enumerate(measured):
        excess = 0.05 + 0.01 * seed  # every seed above 0: an excess
        _member(tmp_path, "band", seed, [_decisive_variant(seed, ratio, coupled, factorized,
                                                           excess)])  # fmt: skip
    lines = aggregate_sweep(tmp_path)
    (found,) = json.loads((tmp_path / "aggregate/coupling-verdicts.json").read_text())
    pooled = found["pooled"]
    assert pooled["verdict"] == verdict
    assert (pooled["measured_seeds"], pooled["coupled_seeds"], pooled["factorized_seeds"]) == (
        5, 3, 3)  # fmt: skip
    assert pooled["separation"] == pytest.approx(np.log(3.0), abs=0.01)
    assert pooled["separation_in_se"] > 3  # these predictions are far apart for their spread
    assert pooled["joint_excess_answer"] == "excess"
    line = next(line for line in lines if line.startswith("band,"))
    assert f"**{verdict}**" in line and "short of the 3" not in line


@pytest.mark.parametrize(
    ("predictions", "more"),
    [(([1.0, 1.1, 0.9], [1.8, 2.0, 1.6]), "more 2D seeds"),
     (([1.0, 1.5, 0.7], [1.8, 2.7, 1.2]), "more seeds of the predictions")],
    ids=["the 2D spread", "the predictions' spread"],
)  # fmt: skip
def test_seeds_short_of_a_decisive_separation_say_what_would_reach_it(tmp_path, predictions, more):
    """Predictions 2× apart; three 2D seeds spread widely fall short of 3 standard errors. With
    tight predictions more 2D seeds reach it; with spread ones only more of theirs can."""
    _member.status = {}
    coupled, factorized = predictions
    for seed, ratio in enumerate((1.4, 2.6, 1.9)):
        _member(tmp_path, "band", seed, [_decisive_variant(seed, ratio, coupled, factorized,
                                                           0.0)])  # fmt: skip
    line = next(line for line in aggregate_sweep(tmp_path) if line.startswith("band,"))
    pooled = json.loads((tmp_path / "aggregate/coupling-verdicts.json").read_text())[0]["pooled"]
    assert pooled["separation_in_se"] < 3
    assert f"(short of the 3 a decisive design needs: {more})" in line


def test_a_lattice_right_without_its_condition_leaves_the_pooled_verdict_undetermined(tmp_path):
    """y over three values 1 px apart, read to 1 px: a bump at the middle value is right on y
    for every condition, so y's step measures no conditional learning, whatever the seeds say."""
    _member.status = {}
    coupled, factorized = [1.0, 1.1, 0.9], [3.0, 3.3, 2.7]
    for seed, ratio in enumerate((2.9, 3.1, 3.0)):
        v = _decisive_variant(seed, ratio, coupled, factorized, 0.0)
        _member(tmp_path, "band", seed, [v], "done", "data.y_range=[4,6]")
    lines = aggregate_sweep(tmp_path)
    (found,) = json.loads((tmp_path / "aggregate/coupling-verdicts.json").read_text())
    assert found["pooled"]["verdict"] == "undetermined"
    assert found["pooled"]["condition_blind"] == 1.0
    assert "right in 100% of images without its condition" in lines[0]
