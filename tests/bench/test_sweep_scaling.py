"""Sweep scaling (``bumpdiff bench --only sweep``): the harness, members run in turn."""

from bumpdiff.bench.sweep_scaling import measure_sweep_scaling


def test_both_worker_counts_run_every_member_and_give_the_ratio():
    result = measure_sweep_scaling(2, use_ray=False, extra=("train.steps=3", "train.checkpoints=1"))
    assert result["members"] == 2 and "train.steps=3" in result["member_overrides"]
    assert result["speedup"] == result["seconds_1_worker"] / result["seconds_2_workers"]
    assert result["efficiency"] == result["speedup"] / 2
