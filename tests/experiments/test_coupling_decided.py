"""A design's decisive 2D runs read their factorized prediction from the references another
study trained (``imbalanced.factorized_from``): synthetic learners with known paces give the
right verdict through the file, and a file of other data or other variants is refused."""

import json

import numpy as np
import pytest
from conftest import tiny_config

from bumpdiff.config import ConfigError
from bumpdiff.experiments.imbalanced import factorized_from, reference_rows, summarise_variants
from tests.experiments.test_imbalanced import READ, _pace, learner

VARIANT = "imbalanced.variants=[[1.0,2.0]]"


def _write_references(path, cfg) -> None:
    """references.json as a references stage writes it: x alone at 4× y alone's pace."""
    rows = reference_rows(cfg, learner(_pace, lambda n: 100.0))
    path.write_text(json.dumps({
        "data": cfg.data.model_dump(mode="json"), "eval_tolerance": cfg.eval.tolerance,
        "eval_tolerance_x": cfg.eval.tolerance_x, "measure": cfg.imbalanced.measure,
        "rows": rows}))  # fmt: skip


@pytest.fixture()
def references(tmp_path):
    path = tmp_path / "references.json"
    _write_references(path, tiny_config(VARIANT, READ, "imbalanced.seeds=[0,1,2]",
                                        "imbalanced.stage=references"))  # fmt: skip
    return path


def _decisive(path, *more):
    return tiny_config(VARIANT, READ, "imbalanced.seeds=[3,4,5]", "imbalanced.references=false",
                       f"imbalanced.factorized_from={path}", *more)  # fmt: skip


@pytest.mark.parametrize(
    ("x_mid", "verdict"),
    [(lambda n: 400.0, "factorized"), (lambda n: 100.0, "coupled")],
    ids=["2D at the 1D paces", "2D together"],
)
def test_the_references_file_gives_the_factorized_prediction(references, x_mid, verdict):
    cfg = _decisive(references)
    read = factorized_from(cfg)
    assert np.allclose(read[(1.0, 2.0)], 4.0, rtol=0.05)  # the file's three seeds, x 4× y
    summary = summarise_variants(cfg, learner(x_mid, lambda n: 100.0), [1.0, 1.05, 0.95], read)
    (row,) = summary.variants
    assert row.verdict == verdict and row.seeds == [3, 4, 5]
    assert f"**{verdict}**" in summary.verdict
    # the tolerances it was read with travel in the file: a design's power analysis checks them
    assert (summary.eval_tolerance, summary.eval_tolerance_x) == (cfg.eval.tolerance, None)


def test_references_of_other_data_are_refused_naming_what_differs(references):
    with pytest.raises(ConfigError, match="factorized_from: .* another data than this study"):
        factorized_from(_decisive(references, "data.sigma=0.7"))
    with pytest.raises(ConfigError, match="another eval_tolerance_x"):
        factorized_from(_decisive(references, "eval.tolerance_x=0.25"))


def test_a_variant_the_file_lacks_and_a_missing_file_are_refused(references, tmp_path):
    cfg = tiny_config("imbalanced.variants=[[2.0,2.0]]", READ, "imbalanced.references=false",
                      f"imbalanced.factorized_from={references}")  # fmt: skip
    with pytest.raises(ConfigError, match=r"no references for \(dx, dy\) = \(2.0, 2.0\)"):
        factorized_from(cfg)
    with pytest.raises(ConfigError, match="no readable references.json"):
        factorized_from(_decisive(tmp_path / "none.json"))


def test_a_variant_whose_axis_needs_no_condition_is_not_decided(references):
    """The learners follow the factorized prediction exactly, but in a design where y's values
    are all within the tolerance of one place (three values 1 px apart read to 1 px), y's step
    measures no conditional learning: undetermined, and the sentence says why."""
    cfg = tiny_config("imbalanced.variants=[[1.0,1.0]]", "imbalanced.seeds=[0,1,2]",
                      "data.y_range=[3,5]", "eval.tolerance_x=0.5")  # fmt: skip
    summary = summarise_variants(cfg, learner(_pace, lambda n: 100.0), coupled_from=[1.0, 1.1, 0.9])
    (row,) = summary.variants
    assert row.blind_y == 1.0 and row.blind_x < 0.5 and row.verdict == "undetermined"
    assert "a generator blind to y's condition is right on y in 100% of images" in summary.verdict
