import json

from bumpdiff.experiments import run_experiment
from bumpdiff.experiments.efficiency import comparison, scaling, sentences
from tests.conftest import tiny_config


def test_tiny_efficiency_run_counts_images_and_fits(tmp_path):
    cfg = tiny_config("experiment=efficiency", "model.conditioning=concat", "data.dx=1",
                      "data.dy=1", "efficiency.sizes=[6,8]",
                      "efficiency.fractions=[0.5,1.0]")  # fmt: skip
    lines = run_experiment(cfg, tmp_path / "e", False, lambda _: None, progress=False)
    data = json.loads((tmp_path / "e" / "efficiency.json").read_text())
    images = {(r["dataset"], r["size"], r["fraction"]): r["images"][0] for r in data["members"]}
    # N = 6, margin 1: x, y in 1..4 (16 points); half kept = 8; stripes add 4 + 4
    assert images[("bumps", 6, 0.5)] == 8 and images[("bumps+stripes", 6, 0.5)] == 16
    assert images[("bumps", 8, 1.0)] == 36
    assert set(data["scaling"]) == {"bumps", "bumps+stripes"}
    assert any("cheaper to learn" in line for line in lines)


def _rows(dataset, needed_at):
    """Synthetic learners: accuracy 0.9 from ``needed_at[N]`` images on, else 0.1."""
    rows = []
    for n, need in needed_at.items():
        for images in (need / 2, need * 2):
            rows.append({"dataset": dataset, "size": n, "fraction": images, "images": [images],
                         "accuracy": [0.9 if images >= need else 0.1],
                         "evaluated": [128]})  # fmt: skip
    return rows


def test_a_learner_needing_linear_data_beats_a_quadratic_one():
    rows = _rows("bumps", {8: 64, 16: 256, 32: 1024}) + _rows("bumps+stripes",
                                                             {8: 16, 16: 32, 32: 64})  # fmt: skip
    scale = scaling(rows, 0.6)
    assert abs(scale["bumps"]["fit"]["exponent"] - 2) < 1e-9
    assert abs(scale["bumps+stripes"]["fit"]["exponent"] - 1) < 1e-9
    verdict = sentences(rows, scale, 0.6, comparison(scale))[-1]
    assert "**yes**" in verdict and "the exponents differ" in verdict
    assert 0 < scale["bumps"]["bootstrap"]["se"] < 0.2  # the images' binomial noise only
    flipped = scaling([{**r, "dataset": "bumps+stripes" if r["dataset"] == "bumps" else "bumps"}
                       for r in rows], 0.6)  # fmt: skip
    assert "**no**" in sentences(rows, flipped, 0.6, comparison(flipped))[-1]


def test_a_same_exponent_says_whether_it_rules_out_a_unit_difference():
    """Both learners quadratic: "no", and the sentence says whether a difference of one is ruled
    out — yes with sharp synthetic learners, no when their errors are large."""
    need = {8: 64, 16: 256, 32: 1024}
    rows = _rows("bumps", need) + _rows("bumps+stripes", need)
    scale = scaling(rows, 0.6)
    verdict = sentences(rows, scale, 0.6, comparison(scale))[-1]
    assert "**no**" in verdict and "from the one measured: ruled out (by 3)" in verdict
    wide = {d: {**s, "bootstrap": {**s["bootstrap"], "se": 0.5}} for d, s in scale.items()}
    assert "not ruled out (by 3)" in sentences(rows, wide, 0.6, comparison(wide))[-1]


def test_equal_fraction_answers_each_way():
    from bumpdiff.experiments.efficiency import equal_fraction

    def rows(with_, without):
        return [{"dataset": d, "size": 8, "fraction": f, "accuracy": acc}
                for d, accs in (("bumps+stripes", with_), ("bumps", without))
                for f, acc in zip((0.25, 0.5), accs)]  # fmt: skip

    assert "**yes**" in equal_fraction(rows([[0.9, 0.8], [0.9, 1.0]], [[0.5, 0.6], [0.9, 1.0]]))
    assert "**no**" in equal_fraction(rows([[0.2, 0.3], [0.4, 0.5]], [[0.5, 0.6], [0.9, 1.0]]))
    assert "**mixed**" in equal_fraction(rows([[0.9, 0.8], [0.1, 0.2]], [[0.5, 0.6], [0.9, 1.0]]))


def test_a_shard_of_one_dataset_on_one_canvas_reports_what_it_holds(tmp_path):
    """The stripes' extra canvas run on its own (a per-dataset ``sizes``): only its members are
    trained, and the summary says the other dataset and the comparison are absent, not empty."""
    cfg = tiny_config("experiment=efficiency", "model.conditioning=concat", "data.dx=1",
                      "data.dy=1", 'efficiency.sizes={"bumps+stripes": [6]}',
                      "efficiency.fractions=[0.5,1.0]")  # fmt: skip
    lines = run_experiment(cfg, tmp_path / "e", False, lambda _: None, progress=False)
    data = json.loads((tmp_path / "e" / "efficiency.json").read_text())
    assert {(r["dataset"], r["size"]) for r in data["members"]} == {("bumps+stripes", 6)}
    assert "**n/a** (no (N, λ) trained with both datasets)" in data["sentences"][0]
    assert "bumps: no canvas trained." in lines and "undetermined" in data["sentences"][-1]


def test_a_canvas_above_the_target_everywhere_is_named_and_left_out_of_the_fit():
    """Stripes already above 60 % at every size trained on the smallest canvas (as at N = 8):
    that canvas is a bound, the exponent comes from the other three and the sentence says over
    which; the bumps' exponent, over all of its canvases, says none."""
    above = [{"dataset": "bumps+stripes", "size": 8, "fraction": images, "images": [images],
              "accuracy": [0.9], "evaluated": [128]} for images in (8, 32)]  # fmt: skip
    rows = (_rows("bumps", {8: 64, 16: 256, 32: 1024}) + above
            + _rows("bumps+stripes", {16: 32, 32: 64, 64: 128}))  # fmt: skip
    scale = scaling(rows, 0.6)
    lines = sentences(rows, scale, 0.6, comparison(scale))
    stripes = next(line for line in lines if line.startswith("bumps+stripes"))
    assert "N = 8: ≤ 8" in stripes and "exponent of N over N = 16, 32, 64: **1.00 ±" in stripes
    bumps = next(line for line in lines if line.startswith("bumps:"))
    assert "exponent of N: **2.00 ±" in bumps and "**yes**" in lines[-1]
