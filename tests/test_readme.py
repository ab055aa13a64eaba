"""Every table of README.md that reports a measurement is generated from a committed file under
results/ (results/tables.py); this test fails when the README and the file disagree."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _tables():
    spec = importlib.util.spec_from_file_location("tables", ROOT / "results" / "tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_demo_table_is_the_committed_phases_json():
    entries = json.loads((ROOT / "results" / "quick" / "phases.json").read_text())
    table = _tables().phases_table(entries)
    assert table in (ROOT / "README.md").read_text()
