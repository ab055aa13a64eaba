from bumpdiff.report.followup_designs import efficiency_design, percolation_design


def _percolation(se, criticals):
    return {"design": {"seeds": 2, "images": 100, "fractions": [0.1, 0.5], "z": 3.0},
            "widths": [{"sigma": 1.0, "onset_se": se, "criticals": criticals, "slope": 1.5,
                        "seed_sd": 0.1, "tells_thresholds_apart": se is not None and
                        abs(criticals["a"] - criticals["b"]) >= 3 * se}]}  # fmt: skip


def test_the_percolation_lines_say_how_far_apart_the_thresholds_lie_and_what_follows():
    far = percolation_design(_percolation(0.05, {"a": 0.1, "b": 0.3}))
    assert "lie 4.0 standard errors apart" in far and "**decidable**" in far
    near = percolation_design(_percolation(0.05, {"a": 0.1, "b": 0.15}))
    assert "lie 1.0 standard errors apart" in near and "cannot tell them apart" in near
    assert "decidable" not in near
    assert "no power" in percolation_design(_percolation(None, {"a": 0.1, "b": 0.3}))


def test_the_efficiency_lines_put_1_and_2_in_standard_errors():
    design = {"design": {"seeds": 2, "sizes": [8, 16], "target": 0.6, "z": 3.0},
              "datasets": {"bumps": {"exponent_se": 0.25, "tells_1_from_2": True},
                           "wide": {"exponent_se": 0.5, "tells_1_from_2": False},
                           "none": {"exponent_se": None, "tells_1_from_2": None}}}  # fmt: skip
    lines = efficiency_design(design).splitlines()
    assert "1 and 2 lie 4.0 standard errors apart: the design tells them apart" in lines[0]
    assert "lie 2.0 standard errors apart: the design cannot tell them apart" in lines[1]
    assert "the run measures it" in lines[2]


def test_the_efficiency_lines_name_the_canvases_left_out():
    design = {"design": {"seeds": 2, "sizes": [8, 12, 16, 20], "target": 0.6, "z": 3.0,
                         "min_canvases": 3},
              "datasets": {"short": {"canvases": [12, 16], "no_crossing": [8],
                                     "log_needed_sd": 0.1, "exponent_se": None},
                           "wide": {"canvases": [12, 16, 20], "no_crossing": [8],
                                    "exponent_se": 0.1, "tells_1_from_2": True,
                                    "pilot_seeds": 1}}}  # fmt: skip
    short, wide = efficiency_design(design).splitlines()
    assert "N = 8 left out" in short and "fewer than 3 canvases left" in short
    assert "cannot fit an exponent" in short
    assert "N = 8 left out" in wide and "on N = 12, 16, 20 give" in wide
    assert "if seeds add no spread" in wide  # a one-seed pilot's prediction is a lower bound


def test_the_efficiency_lines_take_the_canvas_minimum_from_the_file():
    design = {"design": {"seeds": 2, "sizes": [8, 12], "target": 0.6, "z": 3.0, "min_canvases": 4},
              "datasets": {"few": {"canvases": [8, 12, 16], "no_crossing": [],
                                   "exponent_se": None}}}  # fmt: skip
    assert "fewer than 4 canvases left" in efficiency_design(design)
    design["design"]["min_canvases"] = 2
    assert "canvases left" not in efficiency_design(design)
