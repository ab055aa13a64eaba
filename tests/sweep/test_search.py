"""The 32 x 32 preset: it loads and trains, and its network search reads step costs, accuracy
curves and stages from run folders and picks the cheapest candidate that went through the stages
to the target (synthetic run folders with known answers)."""

import json
import subprocess
import sys

import pytest
from conftest import tiny_config

from bumpdiff.config import ConfigError, load_config
from bumpdiff.store.records import PhaseEntry, PhaseProbe, StartRow, TrainRow
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.search import choose, search, seconds_per_step

STAGES = {"multiple": "A", "mislocated": "B", "correct": "C"}


def test_the_scale32_preset_is_the_papers_canvas_and_trains_a_few_steps(tmp_path):
    from bumpdiff.training.loop import train

    cfg = load_config("configs/scale32.yaml")
    assert cfg.data == load_config("configs/paper.yaml").data  # the papers' canvas and lattice
    assert cfg.model.conditioning == "concat"
    few = {"steps": 3, "batch_size": 4, "checkpoints": 1, "threads": 1, "overlap": False}
    short = cfg.model_copy(update={"train": cfg.train.model_copy(update=few)})
    run = train(short, tmp_path / "run", progress=False)
    assert run.checkpoint_path(3).is_file()
    losses = [r.loss for r in run.read_metrics("train")]
    assert losses and all(loss == loss and loss > 0 for loss in losses)  # finite, not NaN


def test_seconds_per_step_ignores_the_gap_a_resume_or_a_checkpoint_leaves():
    # 0.5 s per step, with one row after a long pause (a checkpoint's evaluation, a resume)
    seconds = [5.0, 10.0, 15.0, 95.0, 100.0, 105.0]
    rows = [TrainRow(step=10 * (i + 1), loss=0.1, seconds=s) for i, s in enumerate(seconds)]
    assert seconds_per_step(rows) == pytest.approx(0.5)
    assert seconds_per_step(rows[:1]) is None


def _member(rate, reached, path="in order"):
    return {"seconds_per_step": rate, "first_step_at_target": reached, "behaviour_path": path}


@pytest.mark.parametrize(
    ("members", "chosen"),
    [
        ({"small": _member(0.2, 900), "big": _member(0.8, 400)}, "small"),
        # the cheaper one never reached the target, or reached it without a mislocated stage
        ({"small": _member(0.2, None), "big": _member(0.8, 400)}, "big"),
        ({"small": _member(0.2, 300, "skipped mislocated"), "big": _member(0.8, 400)}, "big"),
        ({"small": _member(0.2, None), "big": _member(0.8, None)}, None),
    ],
)  # fmt: skip
def test_the_search_chooses_the_cheapest_that_went_through_the_stages(members, chosen):
    assert choose(members) == chosen


def _write_member(folder, rate: float, path: list[tuple[int, str, float]]) -> None:
    """A finished candidate: config, a start row, training rows at ``rate`` s/step and a phases
    entry per (step, dominant outcome, accuracy)."""
    run = RunFolder(folder)
    run.write_config(tiny_config())
    run.log(StartRow(step=0, n_images=8, parameters=1234, device="cpu", schedule=[0, 10]))
    for step in range(100, 1100, 100):
        run.log(TrainRow(step=step, loss=0.1, seconds=step * rate))
    probe = PhaseProbe(**{k: 0.5 for k in PhaseProbe.model_fields})
    entries = []
    for step, dominant, accuracy in path:
        fractions = {o: 0.0 for o in ("none", "multiple", "mislocated", "correct")}
        fractions[dominant] = 1.0 - accuracy if dominant != "correct" else accuracy
        fractions["correct"] = accuracy
        entries.append(PhaseEntry(step=step, phase=STAGES[dominant], accuracy=accuracy,
                                  fractions=fractions, x_accuracy=0.5, y_accuracy=0.5, r2_x=0.5,
                                  r2_y=0.5, probe=probe, sampler="ddpm-200"))  # fmt: skip
    run.write_phases(entries)


def test_the_search_reads_each_candidate_from_its_run_folder(tmp_path):
    fast = [(0, "multiple", 0.0), (500, "mislocated", 0.3), (1000, "correct", 0.85)]
    _write_member(tmp_path / "fast-s0", 0.25, fast)
    _write_member(tmp_path / "slow-s0", 1.0,
                  [(0, "multiple", 0.0), (300, "mislocated", 0.2), (600, "correct", 0.92),
                   (1000, "correct", 0.97)])  # fmt: skip
    result = search(tmp_path, target=0.9)
    fast, slow = result["members"]["fast-s0"], result["members"]["slow-s0"]
    assert fast["first_step_at_target"] is None and fast["final_accuracy"] == 0.85
    assert slow["first_step_at_target"] == 600
    assert slow["training_seconds_to_target"] == pytest.approx(600.0)
    assert slow["stage_onsets"] == {"multiple": 0, "mislocated": 300, "correct": 600}
    assert slow["parameters"] == 1234 and slow["behaviour_path"] == "in order"
    assert result["chosen"] == "slow-s0"
    # at a lower target the cheaper one is chosen
    assert search(tmp_path, target=0.8)["chosen"] == "fast-s0"
    from bumpdiff.report.tables import scale_search  # the README's lines of a search

    fast_line, slow_line, chosen = scale_search(result).splitlines()
    assert "85% correct at the last checkpoint (90% not reached)" in fast_line
    assert "(90% first at step 600, after 10 min of training); behaviour in order" in slow_line
    assert chosen == "- chosen: slow-s0."


def test_the_search_lists_members_not_analysed_and_refuses_a_bad_target(tmp_path):
    RunFolder(tmp_path / "half-s0").write_config(tiny_config())
    with pytest.raises(ConfigError, match="no analysed run folder"):
        search(tmp_path)
    _write_member(tmp_path / "done-s0", 0.25, [(0, "multiple", 0.0), (500, "correct", 0.95)])
    result = search(tmp_path)
    assert list(result["members"]) == ["done-s0"] and result["unfinished"] == ["half-s0"]
    out = subprocess.run(
        [sys.executable, "-m", "bumpdiff", "evidence", "scale-search", str(tmp_path / "o.json"),
         str(tmp_path), "1.5"], capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "TARGET 1.5 is not in (0, 1]" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "o.json").exists()


def test_the_preset_network_is_the_committed_searchs_choice_or_says_it_is_not_chosen():
    """results/scale32/: the preset's network is the candidate chosen by the search or by the
    two-core tries (two-cores-30min.json); while none is chosen, it is one of the candidates
    searched and the preset's header says so."""
    from pathlib import Path

    results = [json.loads(Path(f"results/scale32/{name}").read_text())
               for name in ("search.json", "two-cores-30min.json")]  # fmt: skip

    def set_fields(model: dict) -> dict:  # a field added since (None) is its old network
        return {k: v for k, v in model.items() if v is not None}

    preset = set_fields(load_config("configs/scale32.yaml").model.model_dump())
    chosen = [set_fields(r["members"][r["chosen"]]["model"]) for r in results if r["chosen"]]
    if chosen:
        assert preset in chosen
    else:
        candidates = [set_fields(m["model"]) for r in results for m in r["members"].values()]
        assert preset in candidates
        assert "not chosen yet" in Path("configs/scale32.yaml").read_text()
