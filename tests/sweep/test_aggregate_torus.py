"""The torus members' aggregate on synthetic torus.json files: a terminal representation that
is a Clifford torus in every seed, beside random controls, is named factorized over the seeds;
one no nearer its torus than its control is not; a member without the controls is named."""

import json

import numpy as np

from bumpdiff.probe.geometry import clifford_torus, factorization_stats
from bumpdiff.store.runfolder import RunFolder
from bumpdiff.sweep.aggregate import aggregate_sweep
from bumpdiff.sweep.spec import Member
from bumpdiff.sweep.status import record_status

N = 8


def _stats(grid):
    return factorization_stats(grid, periodic=True)


def _verdict(stats):
    return {"verdict": "n/a", "distance": {"factorized": 0.0, "coupled": 0.0},
            "ideal": {"factorized": stats, "coupled": stats}, "stats": stats}  # fmt: skip


def _terminal(rng, trained_grid, nulls=True):
    rand = [_stats(rng.normal(size=(N, N, 16))) for _ in range(3)]
    model = _stats(trained_grid + rng.normal(0, 0.01, trained_grid.shape))
    change = {**_verdict(model), "halves": ["n/a", "n/a"], "answer": "n/a"}
    end = {"reliability": 0.99, "model": _verdict(model), "halves": ["n/a", "n/a"],
           "encoder": _verdict(rand[0]), "permuted": _verdict(rand[0]),
           "untrained": _verdict(rand[1]), "learned_change": change, "long_lived": [1, 0],
           "diagrams": [[], []], "answer": "n/a"}  # fmt: skip
    if nulls:
        end["nulls"] = {"lattice": [N, N], "shuffled": rand[2], "shuffled_change": rand[0]}
    return end


def _member(root, status, name, end):
    member = Member(name, ("seed=0",))
    RunFolder(root / name).root.mkdir(parents=True)
    summary = {"checkpoints": [], "terminal": end, "sentences": [], "snapshots": []}
    RunFolder(root / name).write_summary("torus", summary)
    record_status(root, status, member, {"status": "done"})


def test_the_seeds_name_a_torus_beyond_its_controls_and_skip_members_without_them(tmp_path):
    rng, status = np.random.default_rng(0), {}
    for seed in range(4):
        _member(tmp_path, status, f"torus-s{seed}", _terminal(rng, clifford_torus(N, N)))
    _member(tmp_path, status, "old-s0", _terminal(rng, clifford_torus(N, N), nulls=False))
    lines = aggregate_sweep(tmp_path)
    (found,) = json.loads((tmp_path / "aggregate/torus-verdicts.json").read_text())
    assert found["group"] == "torus" and found["seeds"] == 4
    means = found["representations"]["means"]
    assert means["verdict"]["answer"] == "factorized"
    assert means["alignment"]["answer"] == "aligned"
    assert set(found["representations"]) == {"means", "learned change"}  # no input response
    assert any(line.startswith("torus, means over 4 seeds: **factorized**") for line in lines)
    assert "torus members without the shuffled control (analyse again): old-s0" in lines
    from bumpdiff.report.tables import torus_over_seeds  # README's lines: the file's texts

    printed = torus_over_seeds([found]).splitlines()
    assert printed == [f"- {line}" for line in lines if line.startswith("torus, ")]


def test_a_representation_no_nearer_than_its_control_stays_undetermined(tmp_path):
    rng, status = np.random.default_rng(1), {}
    for seed in range(3):
        end = _terminal(rng, clifford_torus(N, N))
        end["untrained"] = _verdict(end["model"]["stats"])  # the untrained network: the same
        _member(tmp_path, status, f"enc-s{seed}", end)
    aggregate_sweep(tmp_path)
    (found,) = json.loads((tmp_path / "aggregate/torus-verdicts.json").read_text())
    verdict = found["representations"]["means"]["verdict"]
    assert verdict["closer"] == "factorized" and verdict["answer"] == "undetermined"
    assert not verdict["controls"]["untrained"]["beyond"]
