"""The example notebook runs from top to bottom on a tiny analysed run (nbclient, the kernel of
this interpreter)."""

import os

import pytest
from conftest import tiny_config

from bumpdiff.experiments import run_experiment

nbclient = pytest.importorskip("nbclient", reason="the notebook runner is a dev extra")
nbformat = pytest.importorskip("nbformat")
NOTEBOOK = os.path.join(os.path.dirname(__file__), "..", "examples", "demo.ipynb")


def test_the_example_notebook_runs(tmp_path, monkeypatch):
    run_experiment(tiny_config(), tmp_path / "run", False, lambda _: None, progress=False)
    monkeypatch.setenv("BUMPDIFF_RUN", str(tmp_path / "run"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})  # fmt: skip
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]  # fmt: skip
    assert not errors
    texts = str([c.outputs for c in notebook.cells if c.cell_type == "code"])
    assert "frac_mislocated" in texts  # the phases table was shown
