"""The sampler study end to end on a tiny run: rows per phase checkpoint, the choice, resume."""

import json

import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app

STUDY = {
    **TINY,
    "experiment": "samplers",
    "samplers": {"candidates": ["ddpm:10", "ddpm:10:bf16"], "images": 12, "phase_images": 9},
}


def test_tiny_sampler_study(tmp_path):
    cfg_path = tmp_path / "study.yaml"
    cfg_path.write_text(yaml.safe_dump(STUDY))
    out = tmp_path / "study"
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "model" / "phases.json").is_file()  # the study trained and analysed its model
    study = json.loads((out / "samplers.json").read_text())
    checkpoints = study["checkpoints"]
    assert "final" in checkpoints and checkpoints["final"] == 6
    labels = {(r["sampler"], r["steps"], r["precision"]) for r in study["rows"]}
    assert labels == {("ddpm", 50, "fp32"), ("ddpm", 10, "fp32"), ("ddpm", 10, "bf16")}
    assert len(study["rows"]) == 3 * len(checkpoints)
    for row in study["rows"]:
        assert row["images"] == (12 if row["checkpoint"] == "final" else 9)
        assert len(row["outcome_codes"]) == row["images"]
        assert abs(sum(row["fractions"].values()) - 1) < 1e-9
    ref = [c for c in study["choice"]["candidates"] if c["evidence"] == "reference"]
    assert [(c["sampler"], c["steps"]) for c in ref] == [("ddpm", 50)]
    html = (out / "report.html").read_text()
    assert "Cost against faithfulness" in html and "samplers.candidates" in html
    # resuming measures nothing again
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(out), "--resume"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "samplers.json").read_text())["rows"] == study["rows"]


def test_a_brownian_candidate_is_studied_beside_its_own_noise(tmp_path):
    """DDPM-10 on DDPM-T's path and DDPM-10 with its own noise, against DDPM-T: both rows, and
    the coupled one nearer the reference image by image (its paired error is smaller)."""
    tree = {**STUDY, "samplers": {**STUDY["samplers"], "images": 32, "phase_images": 32,
                                  "candidates": ["ddpm:10", "ddpm:10:fp32:brownian"]}}  # fmt: skip
    cfg_path = tmp_path / "study.yaml"
    cfg_path.write_text(yaml.safe_dump(tree))
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(tmp_path / "s")])
    assert res.exit_code == 0, res.output
    study = json.loads((tmp_path / "s" / "samplers.json").read_text())
    noises = {(r["steps"], r["noise"]) for r in study["rows"]}
    assert noises == {(50, "own"), (10, "own"), (10, "brownian")}
    html = (tmp_path / "s" / "report.html").read_text()
    assert "DDPM-10 brownian" in html


def test_chosen_checkpoints_can_replace_the_phase_picks(tmp_path):
    study = tmp_path / "study"
    tree = {**STUDY, "samplers": {**STUDY["samplers"], "candidates": ["ddpm:10"], "steps": [2]}}
    cfg_path = tmp_path / "s.yaml"
    cfg_path.write_text(yaml.safe_dump(tree))
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(study)])
    assert res.exit_code == 0, res.output
    assert json.loads((study / "samplers.json").read_text())["checkpoints"] == {
        "step 2": 2, "final": 6}  # fmt: skip
    bad = {**tree, "samplers": {**tree["samplers"], "steps": [5]}}
    cfg_path.write_text(yaml.safe_dump(bad))
    res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(tmp_path / "other")])
    assert res.exit_code == 2 and "samplers.steps: must be checkpoints" in res.output


def test_checkpoints_are_picked_by_what_the_model_generates():
    from bumpdiff.experiments.samplers import phase_checkpoints
    from bumpdiff.store.records import PhaseEntry, PhaseProbe

    def entry(step, dominant, phase="A"):
        f = {o: 0.1 for o in ("none", "multiple", "mislocated", "correct")} | {dominant: 0.7}
        probe = PhaseProbe(**{k: 0.5 for k in PhaseProbe.model_fields})
        return PhaseEntry(step=step, phase=phase, accuracy=f["correct"], fractions=f,
                          x_accuracy=0, y_accuracy=0, r2_x=0, r2_y=0, probe=probe,
                          sampler="ddpm-10")  # fmt: skip

    # the layer says A throughout the mislocated stage; the picks follow the images
    stages = [(0, "multiple"), (1, "multiple"), (5, "mislocated"), (9, "mislocated"),
              (20, "mislocated"), (40, "correct"), (60, "correct")]  # fmt: skip
    picks = phase_checkpoints([entry(s, d) for s, d in stages])
    assert picks == {"multiple": 1, "mislocated": 9, "correct": 40, "final": 60}


def test_the_study_samples_on_its_own_threads(tmp_path, monkeypatch):
    """A study of a source run samples on the study's train.threads, not the source's (TINY
    trains on 1)."""
    import torch

    import bumpdiff.experiments.samplers as samplers

    first = tmp_path / "first"
    tree = {**STUDY, "samplers": {**STUDY["samplers"], "candidates": ["ddpm:10"]}}
    cfg_path = tmp_path / "s.yaml"
    cfg_path.write_text(yaml.safe_dump(tree))
    assert CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(first)]).exit_code == 0
    seen = []
    real = samplers.sampled_row
    monkeypatch.setattr(
        samplers, "sampled_row", lambda *a: seen.append(torch.get_num_threads()) or real(*a)
    )
    previous = torch.get_num_threads()
    try:
        tree = {**tree, "train": {**tree["train"], "threads": 2},
                "samplers": {**tree["samplers"], "source": str(first / "model")}}  # fmt: skip
        cfg_path.write_text(yaml.safe_dump(tree))
        res = CliRunner().invoke(app, ["run", str(cfg_path), "--out", str(tmp_path / "second")])
        assert res.exit_code == 0, res.output
    finally:
        torch.set_num_threads(previous)
    assert seen and set(seen) == {2}
