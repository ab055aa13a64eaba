"""The declared rows hold exactly what the code that fills them computes."""

import numpy as np
from clouds import GRID, sheet

from bumpdiff.probe.phase import representation_metrics
from bumpdiff.scoring.outcomes import classify, summarize
from bumpdiff.store.records import EvalRow, PhaseProbe, ProbeMetrics


def test_eval_row_declares_every_summary_field():
    images = np.zeros((2, 8, 8))
    images[0, 3, 4] = 1.0
    summary = summarize(classify(images, np.array([[4.0, 3.0], [2.0, 2.0]])))
    own = {"event", "step", "sampler", "sampler_steps", "seconds", "detector", "clip"}
    own.add("file_sha256")  # of the samples file the row describes
    own |= {f for f in EvalRow.model_fields if "trajectory" in f or f.startswith("decided_t")}
    behaviour = {f for f in EvalRow.model_fields if f.startswith("behaviour_")}
    assert set(EvalRow.model_fields) - own - behaviour == set(summary)


def test_probe_metrics_declare_every_measured_metric_and_phases_json_keeps_a_subset():
    from bumpdiff.config import ProbeConfig

    cond = np.repeat(GRID, 2, axis=0)
    acts = np.repeat(sheet(0), 2, axis=0)
    acts = acts + np.random.default_rng(0).normal(0, 0.1, acts.shape)
    metrics, *_ = representation_metrics(acts, cond, ProbeConfig(umap_neighbors=5, knn=5))
    assert set(ProbeMetrics.model_fields) == set(metrics)
    assert set(PhaseProbe.model_fields) <= set(metrics)
