"""The follow-up studies' summaries are typed records: every committed one reads back as its model
and round-trips; a summary of another shape is refused before anything is written."""

import json
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from bumpdiff.store.runfolder import RunFolder
from bumpdiff.store.summaries import SUMMARIES

RESULTS = Path(__file__).parents[2] / "results"
COMMITTED = {name: f"{name}/{name}.json" for name in SUMMARIES} | {
    "calibration": "phase-calibration/calibration.json",
    "probe_draws": "quick/probe-draws.json",
}


@pytest.mark.parametrize("name", sorted(SUMMARIES))
def test_every_committed_summary_reads_as_its_record_and_round_trips(name, tmp_path):
    data = json.loads((RESULTS / COMMITTED[name]).read_text())
    run = RunFolder(tmp_path)
    path = run.write_summary(name, data)
    assert path.name == Path(COMMITTED[name]).name
    assert json.loads(path.read_text()) == data  # nothing renamed, dropped or added
    assert isinstance(run.read_summary(name), SUMMARIES[name])


def test_an_undefined_value_is_null_in_the_file_and_nan_in_memory(tmp_path):
    data = json.loads((RESULTS / "efficiency" / "efficiency.json").read_text())
    data["members"][0]["accuracy"][0] = float("nan")
    run = RunFolder(tmp_path)
    text = run.write_summary("efficiency", data).read_text()
    assert "NaN" not in text and json.loads(text)["members"][0]["accuracy"][0] is None
    assert math.isnan(run.read_summary("efficiency").members[0].accuracy[0])


@pytest.mark.parametrize("change", ["drop", "extra", "type"])
def test_a_summary_of_another_shape_is_refused_and_nothing_written(change, tmp_path):
    data = json.loads((RESULTS / "compose" / "compose.json").read_text())
    if change == "drop":
        del data["answers"]
    elif change == "extra":
        data["verdict"] = "yes"
    else:
        data["sentences"] = "one sentence, not a list"
    run = RunFolder(tmp_path)
    with pytest.raises(ValidationError):
        run.write_summary("compose", data)
    assert not run.summary_path("compose").exists()
    assert run.read_summary("compose") is None
