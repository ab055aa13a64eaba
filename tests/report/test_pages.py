"""Pages are rendered from templates: escaped, self-contained, figures drawn from the run."""

import numpy as np

from bumpdiff.analysis.pipeline import analyse_pending
from bumpdiff.experiments.phases import phase_table
from bumpdiff.report import pages
from bumpdiff.training.loop import train


def test_a_page_escapes_text_and_embeds_its_figures(tmp_path, tiny):
    run = train(tiny, tmp_path / "run", progress=False)
    analyse_pending(run, tiny)
    entries = phase_table(run)
    analysis = {
        "summary": [],
        "verdict": "a <script>alert(1)</script> verdict",
        "intro": "intro & more",
        "snapshots": [("s", np.zeros((4, 2)), np.zeros((4, 3)))],
        "gallery": [("row", np.zeros((1, 8, 8)), np.zeros((1, 2)), np.zeros((1, 0, 2)))],
    }
    pages.phases_page(run, tiny, entries, analysis)
    html = run.report_path.read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html and "intro &amp; more" in html
    assert html.count('src="data:image/png;base64,') == 7
    assert "<td>train.lr</td><td>0.001</td>" in html  # the Method table, from the config
    for name in ("outcomes", "loss", "order", "controls", "umap", "gallery"):
        assert run.figure_path(name).is_file()


def test_cells_format_numbers_and_missing_values():
    assert pages._cell(0.123456) == "0.123" and pages._cell(float("nan")) == "–"
    assert pages._cell(None) == "–" and pages._cell(7) == "7"


def test_a_page_says_where_it_came_from_and_lists_its_sections(tmp_path, tiny):
    import hashlib

    run = train(tiny, tmp_path / "run", progress=False)
    analyse_pending(run, tiny)
    from bumpdiff.experiments import report_run

    report_run(run)
    html = run.report_path.read_text()
    digest = hashlib.sha256(run.config_path.read_bytes()).hexdigest()[:16]
    assert '<h2 id="s0">' in html and '<ul class="toc"><li><a href="#s0">' in html
    assert digest in html and "Provenance" in html and "training time" in html
