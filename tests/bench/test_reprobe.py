import json

import pytest

from bumpdiff.bench.reprobe import compare_rows, reprobe_main
from bumpdiff.config import ConfigError
from bumpdiff.store.runfolder import RunFolder


def _last_probed(run) -> int:
    return max(RunFolder(run).latest_by_step("probe"))


def test_a_run_probed_again_on_its_own_machine_reproduces(tiny_run, tmp_path):
    out, step = tmp_path / "reprobe.json", _last_probed(tiny_run)
    assert reprobe_main([str(out), str(tiny_run), str(step)]) == 0
    data = json.loads(out.read_text())
    assert data["reproduced"] and data["steps"][0]["compared"] > 10
    assert data["machine"]["cpu_capability"] and data["command"].endswith(str(step))


def test_a_recorded_row_that_was_written_otherwise_is_caught(tiny_run, tmp_path):
    """The control: the run's recorded probe row changed in one number (as another machine's
    last digits would) is named, with both values."""
    step = _last_probed(tiny_run)
    metrics = tiny_run / "metrics.jsonl"
    lines = metrics.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    at = max(i for i, r in enumerate(rows) if r.get("event") == "probe" and r["step"] == step)
    rows[at]["condition_share"] += 1e-9
    metrics.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "reprobe.json"
    assert reprobe_main([str(out), str(tiny_run), str(step)]) == 0
    data = json.loads(out.read_text())
    assert not data["reproduced"]
    assert list(data["steps"][0]["differ"]) == ["condition_share"]
    assert data["steps"][0]["largest_diff"] == pytest.approx(1e-9, rel=1e-3)
    metrics.write_text("\n".join(lines) + "\n")  # the module's copy as it was


def test_rows_compare_numbers_only_and_leave_timings_out():
    same = compare_rows({"a": 1.0, "b": float("nan"), "x_seconds": 3.0, "phase": "A"},
                        {"a": 1.0, "b": float("nan"), "x_seconds": 9.0, "phase": "A"})  # fmt: skip
    assert same == {"compared": 2, "differ": {}, "largest_diff": 0.0, "same_phase": True}
    other = compare_rows({"a": 1.0, "phase": "A"}, {"a": 1.5, "phase": "B"})
    assert other["differ"]["a"]["diff"] == 0.5 and not other["same_phase"]


def test_a_step_without_a_probe_row_is_named(tiny_run, tmp_path):
    with pytest.raises(ConfigError, match="STEP: 999999 has no probe row"):
        reprobe_main([str(tmp_path / "o.json"), str(tiny_run), "999999"])
    with pytest.raises(ConfigError, match="RUN: .* is not a run folder"):
        reprobe_main([str(tmp_path / "o.json"), str(tmp_path), "0"])
    assert not (tmp_path / "o.json").exists()
