"""Threads beside another job (``bumpdiff bench --only threads``): the harness on a short run."""

from bumpdiff.bench.threads import measure_threads


def test_steps_per_second_alone_and_beside_a_job_with_their_ratio():
    result = measure_threads(seconds=0.3)
    assert [r["threads_setting"] for r in result["alone"]] == [2, 0]
    assert [r["threads_setting"] for r in result["beside_a_job"]] == [2, 0]
    assert all(r["steps_per_s"] > 0 for r in result["alone"] + result["beside_a_job"])
    two, auto = (r["steps_per_s"] for r in result["beside_a_job"])
    assert result["beside_a_job_auto_over_2"] == auto / two
    assert result["free_cores_seen"] >= 1
