"""Sweep scaling (``bumpdiff bench --only sweep``): the harness, members run in turn."""

from bumpdiff.bench.sweep_scaling import measure_sweep_scaling

# members of a tiny network: the harness is what is tested, not the machine
TINY = ("train.steps=3", "train.checkpoints=1", "model.channels=[8,16]", "model.norm_groups=8",
        "diffusion.timesteps=50", "sample.steps=4", "probe.t=49", "probe.draws=2",
        "train.overlap=false")  # fmt: skip


def test_both_worker_counts_run_every_member_and_give_the_ratio():
    result = measure_sweep_scaling(2, use_ray=False, extra=TINY)
    assert result["members"] == 2 and "train.steps=3" in result["member_overrides"]
    assert result["speedup"] == result["seconds_1_worker"] / result["seconds_2_workers"]
    assert result["efficiency"] == result["speedup"] / 2
