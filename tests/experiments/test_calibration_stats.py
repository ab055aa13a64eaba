"""The calibration's statistics: which labels count as wrong, and the summary's tables."""

import math

from conftest import tiny_config

from bumpdiff.experiments.calibration_stats import KEYS, summary_md, wrong


def _row(kind, share, phase, floor=0.8, draws=16):
    metrics = dict.fromkeys(KEYS, math.nan) | {"reliability": 0.9, "reliable_dims": 3,
                                                "condition_share": share}  # fmt: skip
    return {"floor": floor, "kind": kind, "share": share, "draws": draws, "seed": 0,
            "phase": phase, **metrics}  # fmt: skip


def test_a_confident_wrong_label_is_caught_and_the_allowed_ones_are_not():
    rows = [
        _row("permuted", 0.3, "C"),  # a disordered manifold called ordered: wrong
        _row("sheet", 0.3, "B"),  # an ordered sheet called disordered: wrong
        _row("noise", 0.0, "C"),  # noise called ordered: wrong
        _row("sheet", 0.01, "A"),  # a weak signal under the floor: allowed
        _row("sheet", 0.3, "undetermined"),  # never wrong
        _row("relay", 0.3, "C"),  # a relay is ordered: allowed
        _row("relay", 0.3, "B"),  # never B: wrong
    ]
    assert [(r["kind"], r["phase"]) for r in wrong(rows)] == [
        ("permuted", "C"), ("sheet", "B"), ("noise", "C"), ("relay", "B"),
    ]  # fmt: skip


def test_the_summary_counts_each_kinds_phases_per_floor_and_draws():
    cfg = tiny_config("calibration.floors=[0.8]", "calibration.draws=[16]")
    rows = [_row("sheet", 0.3, "C"), _row("sheet", 0.5, "C"), _row("permuted", 0.3, "C")]
    untrained = [{"seed": 0, "what": "layer", "draws": 2, "phase": "A", "readout_at_condition": 0.0,
                  **dict.fromkeys(KEYS, 0.5)}]  # fmt: skip
    text = summary_md(rows, untrained, cfg)
    assert "| sheet | 16 | C:2 | - | - |" in text
    assert "| permuted | 16 | C:1 | - | C@0.3 |" in text
    assert "| 0 | layer | A |" in text
