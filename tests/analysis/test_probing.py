"""Probing a checkpoint: the row names a phase with its controls beside it, and the signature
that decides re-probing follows the probe's and the phase rule's settings."""

from conftest import tiny_config

from bumpdiff.analysis.probing import PLACEMENT_MORE, probe_model, probe_signature
from bumpdiff.diffusion.network import init_model


def test_a_probe_row_names_a_phase_and_carries_its_controls():
    cfg = tiny_config()
    row, arrays = probe_model(init_model(cfg).eval(), cfg, step=0)
    assert row.phase in ("A", "B", "C", "relay", "undetermined")
    assert row.layer_phase in ("A", "B", "C", "undetermined")
    assert {"encoder_trustworthiness", "readout_at_condition"} <= set(row.model_dump())
    for name in PLACEMENT_MORE:
        assert f"{name}_t10" in row.placement_more  # probe.placement_more_t = [10] in TINY
    assert arrays["umap"].shape[0] == arrays["conditions"].shape[0]


def test_the_signature_follows_the_probe_and_phase_settings():
    base = probe_signature(tiny_config())
    assert probe_signature(tiny_config("probe.draws=3")) != base
    assert probe_signature(tiny_config("phase.min_readout=0.4")) != base
    assert probe_signature(tiny_config("sample.steps=3")) == base  # sampling is not probing
