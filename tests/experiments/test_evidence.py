"""Evidence tools (``bumpdiff evidence``): two analysed phases runs compared checkpoint by
checkpoint; sampler studies of disjoint images pooled into one file with the rule's choice (a bad
argument or overlapping seeds exit 2 and write nothing); runs compared side by side; the paired
standard errors of a study."""

import json
import shutil

import pytest
from conftest import tiny_config

import bumpdiff.experiments.evidence as evidence
from bumpdiff.experiments import run_experiment
from bumpdiff.store.records import SamplerRow, SamplerStudy
from bumpdiff.store.runfolder import RunFolder


def test_a_run_agrees_with_itself_and_a_changed_one_is_caught(tmp_path):
    run_experiment(tiny_config("sample.draws=4"), tmp_path / "a", False, print, progress=False)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    same = evidence.agreement(RunFolder(tmp_path / "a"), RunFolder(tmp_path / "b"))
    assert same["same_phase"] == same["checkpoints"] == 4
    assert same["fractions_within_z_se"] == same["fractions"] == 16
    phases = json.loads((tmp_path / "b" / "phases.json").read_text())
    first = phases[0]
    first["phase"] = "B" if first["phase"] != "B" else "C"
    moved = max(first["fractions"], key=first["fractions"].get)  # all its images move elsewhere
    other = next(o for o in first["fractions"] if o != moved)
    first["fractions"][other] += first["fractions"][moved]
    first["fractions"][moved] = 0.0
    (tmp_path / "b" / "phases.json").write_text(json.dumps(phases))
    changed = evidence.agreement(RunFolder(tmp_path / "a"), RunFolder(tmp_path / "b"))
    assert changed["same_phase"] == 3
    assert changed["fractions_within_z_se"] == 14 and changed["largest_diff"] == 1.0


def _row(ckpt, steps, codes):
    n = len(codes)
    outcomes = ("none", "multiple", "mislocated", "correct")
    fr = {o: codes.count(str(k)) / n for k, o in enumerate(outcomes)}
    return SamplerRow(checkpoint=ckpt, step=0, sampler="ddpm", steps=steps, nfe=steps, images=n,
                      seconds_per_image=1.0, accuracy=fr["correct"], fractions=fr,
                      outcome_codes=codes)  # fmt: skip


def _write(path, switched):
    ref = "2" * 100 + "1" * 100
    rows = [_row("final", 1000, "3" * 200), _row("B", 1000, ref), _row("final", 200, "3" * 200),
            _row("B", 200, "1" * switched + ref[switched:])]  # fmt: skip
    study = SamplerStudy(run="runs/quick", checkpoints={"B": 10, "final": 1000}, rows=rows)
    path.write_text(study.model_dump_json())
    return str(path)


def test_two_studies_pool_into_one_file_with_the_choice(tmp_path, capsys):
    a, b = _write(tmp_path / "a.json", 3), _write(tmp_path / "b.json", 3)
    out = tmp_path / "pooled.json"
    assert evidence.pool_main([str(out), f"{a}:777", f"{b}:977"]) == 0
    result = json.loads(out.read_text())
    assert result["pooled_from"] == [{"file": a, "seed": 777}, {"file": b, "seed": 977}]
    assert {r["images"] for r in result["rows"]} == {400}
    chosen = result["choice"]["chosen"]
    assert (chosen["steps"], chosen["evidence"]) == (200, "equivalent")
    assert "DDPM-200" in capsys.readouterr().out


def test_overlapping_seeds_or_a_bad_argument_exit_2_and_write_nothing(tmp_path, capsys):
    a, b = _write(tmp_path / "a.json", 3), _write(tmp_path / "b.json", 3)
    out = tmp_path / "pooled.json"
    assert evidence.pool_main([str(out), f"{a}:777", f"{b}:800"]) == 2
    assert "seeds overlap" in capsys.readouterr().err
    assert evidence.pool_main([str(out), f"{a}:777", b]) == 2
    assert "expected FILE.json:SEED" in capsys.readouterr().err
    assert evidence.pool_main([str(out), f"{a}:777", f"{tmp_path / 'nope.json'}:977"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "nope.json" in err and err.count("\n") == 1
    (tmp_path / "bad.json").write_text("{}")
    assert evidence.pool_main([str(out), f"{a}:777", f"{tmp_path / 'bad.json'}:977"]) == 2
    assert "not a samplers.json study" in capsys.readouterr().err
    assert not out.exists()


def test_the_paired_errors_of_a_study_are_zero_for_a_copy_and_count_the_images_that_move():
    ref = "2" * 100 + "1" * 100
    rows = [_row("B", 1000, ref), _row("B", 200, ref), _row("B", 100, "1" * 20 + ref[20:])]
    study = SamplerStudy(run="r", checkpoints={"B": 10}, rows=rows)
    summary = evidence.se_summary(study)
    same, moved = summary["DDPM-200"], summary["DDPM-100"]
    assert same["largest_abs_diff_points"] == 0.0
    # 20 of 200 images moved from mislocated to multiple: 10 points each
    assert moved["largest_abs_diff_points"] == pytest.approx(10.0)
    assert moved["mean_se_points"] > same["mean_se_points"] > 0  # the pseudo-pair keeps it > 0


def test_runs_compared_side_by_side_give_each_runs_fractions_and_pixel_range(tmp_path):
    run_experiment(tiny_config(), tmp_path / "a", False, print, progress=False)
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    out = tmp_path / "cmp.json"
    assert evidence.compare_main([str(out), f"one={tmp_path / 'a'}", f"two={tmp_path / 'b'}"]) == 0
    result = json.loads(out.read_text())
    assert [r["step"] for r in result["steps"]] == [0, 2, 3, 6]
    for row in result["steps"]:
        assert row["one"] == row["two"] and row["one"]["pixel_min"] <= row["one"]["pixel_max"]
    assert evidence.compare_main([str(out), "no-equals-sign"]) == 2


def test_rejudge_recounts_the_correspondence_per_checkpoint():
    import pandas as pd

    def rows_of(member, phases):  # phases: (step, phase, dominant outcome)
        rows = []
        for step, phase, dominant in phases:
            f = {o: 0.1 for o in ("none", "multiple", "mislocated", "correct")}
            f[dominant] = 0.7
            rows.append({"member": member, "group": "g", "step": step, "phase": phase,
                         **{f"frac_{o}": v for o, v in f.items()}})  # fmt: skip
        return rows

    # s0: A's mean is "multiple" but one A checkpoint is mostly mislocated; s1 agrees throughout
    s0 = [(0, "A", "multiple"), (1, "A", "multiple"), (2, "A", "mislocated"),
          (3, "B", "mislocated"), (4, "C", "correct")]  # fmt: skip
    s1 = [(0, "A", "multiple"), (3, "B", "mislocated"), (4, "C", "correct")]
    rows = pd.DataFrame(rows_of("g-s0", s0) + rows_of("g-s1", s1))
    text = "g: the paper's phase ↔ outcome correspondence in 2/2 seeds; more"
    verdicts = [{"group": "g", "seeds": 2, "paper_agrees": 2, "text": text}]
    found = evidence.rejudge(verdicts, rows)[0]
    assert found["paper_agrees"] == 1 and "correspondence in 1/2 seeds; more" in found["text"]
