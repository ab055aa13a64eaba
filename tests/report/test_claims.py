"""The claims ledger is read from the committed results: one row per claim of the two papers,
each verdict the file's own answer (a changed file changes the row)."""

import json
import shutil
from pathlib import Path

from bumpdiff.report.claims import CLAIMS, claims_table

RESULTS = Path(__file__).parents[2] / "results"


def test_one_row_per_claim_each_naming_its_file():
    rows = claims_table(RESULTS).splitlines()[2:]
    assert len(rows) == len(CLAIMS) == 14
    for row, (claim, _, name, _) in zip(rows, CLAIMS):
        assert row.startswith(f"| {claim} |") and f"`results/{name}`" in row
        assert (RESULTS / name).is_file()


def test_a_verdict_follows_its_file(tmp_path):
    shutil.copytree(RESULTS, tmp_path / "results")
    path = tmp_path / "results" / "torus" / "seeds-verdicts.json"
    data = json.loads(path.read_text())
    data[0]["representations"]["means"]["verdict"]["answer"] = "factorized"
    path.write_text(json.dumps(data))
    row = next(r for r in claims_table(tmp_path / "results").splitlines()
               if r.startswith("| Factorized torus"))  # fmt: skip
    assert "**means: factorized;" in row


def test_the_decided_coupling_row_is_the_pooled_verdict(tmp_path):
    shutil.copytree(RESULTS, tmp_path / "results")
    path = tmp_path / "results" / "imbalanced" / "decisive-coarse.json"
    data = json.loads(path.read_text())
    data[0]["pooled"]["verdict"] = "coupled"
    data[0]["text"] = "coarse-2d, dx = 1, dy = 3: …; pooled over 7 seeds: x at 9.99× y's step"
    path.write_text(json.dumps(data))
    row = next(r for r in claims_table(tmp_path / "results").splitlines()
               if r.startswith("| Coupled x/y, decided"))  # fmt: skip
    assert "**dx = 1, dy = 3: coupled**" in row and "pooled over 7 seeds: x at 9.99×" in row


def test_the_efficiency_row_states_each_exponent_with_its_error_or_that_it_has_none(tmp_path):
    """On the pilot's design (two canvases, no exponent with an error) and on seed 0 of the fine
    design pooled whole (both exponents; the summary's own answer as the verdict)."""
    shutil.copytree(RESULTS, tmp_path / "results")
    fine = tmp_path / "results" / "efficiency" / "fine.json"
    shutil.copy(RESULTS / "efficiency" / "efficiency.json", fine)
    old = next(r for r in claims_table(tmp_path / "results").splitlines()
               if r.startswith("| Sample efficiency"))  # fmt: skip
    assert "bumps: no exponent with a standard error" in old and "**undetermined**" in old
    shutil.copy(RESULTS / "efficiency" / "fine-s0-all.json", fine)
    row = next(r for r in claims_table(tmp_path / "results").splitlines()
               if r.startswith("| Sample efficiency"))  # fmt: skip
    d = json.loads(fine.read_text())
    boot = d["scaling"]["bumps+stripes"]["bootstrap"]
    assert row.count("exponent ") == 2 and "1 seed(s): " in row
    said = f"bumps+stripes: exponent {boot['exponent']:.2f} ± {boot['se']:.2f} (N = 12, 16, 20)"
    assert said in row
    assert f"**{d['sentences'][-1].split('**')[1]}**" in row


def test_the_papers_canvas_rows_read_the_32_canvas_sweep_and_follow_it(tmp_path):
    """Its seeds named as the 32 × 32 preset's; a mislocated stage read as the condition is a
    'no' to a learned B, and read as learned it is 'learned'."""
    shutil.copytree(RESULTS, tmp_path / "results")
    path = tmp_path / "results" / "sweeps" / "scale32-seeds" / "verdicts.json"
    data = json.loads(path.read_text())
    n = data[0]["seeds"]

    def row(start: str) -> str:
        return next(r for r in claims_table(tmp_path / "results").splitlines()
                    if r.startswith(f"| {start}, papers' canvas"))  # fmt: skip

    assert f"{n} seeds of the 32 × 32 preset" in row("Phases ↔ behaviour")
    data[0]["trajectory"]["answer"] = "condition"
    path.write_text(json.dumps(data))
    assert "**no: ordered by the condition**" in row("Phase B is learned")
    data[0]["trajectory"]["answer"] = "learned"
    path.write_text(json.dumps(data))
    assert "**learned**" in row("Phase B is learned")
