"""Re-classifying saved samples: every rule on the same images, rows replaced, nothing sampled."""

import json

import numpy as np

from bumpdiff.analysis.pipeline import analyse_pending
from bumpdiff.analysis.rescore import rescore_run
from bumpdiff.training.loop import train


def test_rescoring_saved_samples_under_every_rule(tmp_path, tiny):
    old = tiny.model_copy(update={"eval": tiny.eval.model_copy(update={"rule": "threshold"})})
    run = train(old, tmp_path / "run", progress=False)
    run.write_config(tiny)  # the same run, now classified by prominence
    analyse_pending(run, old)
    images = {k: np.load(run.samples_path(k))["images"] for k in run.sample_steps()}
    result = rescore_run(run, tiny, run.sample_steps())
    assert [s.step for s in result.steps] == [0, 2, 3, 6]
    for step in result.steps:
        assert set(step.fractions) == {"prominence", "median+0.5", "absolute 0.5"}
        for fractions in step.fractions.values():
            assert abs(sum(fractions.values()) - 1) < 1e-9
        for table in step.confusion.values():
            assert np.array(table).sum() == step.images  # every image once
        # the median rule's row of the table is the median rule's own fractions
        counts = np.array(step.confusion["median+0.5"]).sum(axis=0) / step.images
        assert np.allclose(counts, [step.fractions["median+0.5"][o] for o in result.outcomes])
    assert json.loads(run.rescore_path.read_text())["rules"]["median+0.5"]
    for k, before in images.items():  # the images themselves are untouched
        assert np.array_equal(np.load(run.samples_path(k))["images"], before)
    latest = run.latest_by_step("eval")
    assert {r.detector.split()[0] for r in latest.values()} == {"prominence"}
    assert analyse_pending(run, tiny) == []  # rescored rows count: nothing is sampled again
