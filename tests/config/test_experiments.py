"""Every experiment is declared once (config/experiments.py), and everything that names
experiments agrees with the declarations: the config's allowed values, the entry points, the
report's templates, the Method sections, the sweep's seed lists and every preset."""

import typing
from pathlib import Path

import pytest

from bumpdiff.config import Config, load_config
from bumpdiff.config.experiments import DECLARATIONS, EXPERIMENT_NAMES, declared
from bumpdiff.experiments import EXPERIMENTS
from bumpdiff.sweep.spec import SEED_LISTS

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "src" / "bumpdiff" / "report" / "templates"


def test_names_are_unique_and_the_config_allows_exactly_them():
    assert len(set(EXPERIMENT_NAMES)) == len(DECLARATIONS)
    allowed = typing.get_args(Config.model_fields["experiment"].annotation)
    assert allowed == EXPERIMENT_NAMES


def test_every_declared_experiment_has_entry_points_under_its_name():
    assert set(EXPERIMENTS) == set(EXPERIMENT_NAMES)
    assert all(EXPERIMENTS[name].name == name for name in EXPERIMENT_NAMES)


def test_every_report_page_has_a_declaration_and_every_declaration_a_page():
    from bumpdiff.experiments.mechanisms import PAGE  # an analysis's page, not a study's

    pages = {p.name for p in TEMPLATES.glob("*.html.j2") if not p.name.startswith(("_", "base"))}
    assert pages == {d.template for d in DECLARATIONS} | {PAGE}


def test_the_method_sections_and_seed_lists_are_config_sections():
    sections = set(Config.model_fields)
    for d in DECLARATIONS:
        assert set(d.method_sections) <= sections, d.name
        has_seeds = d.name in sections and "seeds" in type(getattr(Config(), d.name)).model_fields
        assert d.own_seeds == has_seeds, d.name
    assert set(SEED_LISTS) == {d.name for d in DECLARATIONS if d.own_seeds}


def test_summaries_are_distinct_json_files():
    summaries = [d.summary for d in DECLARATIONS]
    assert len(set(summaries)) == len(summaries) and all(s.endswith(".json") for s in summaries)


@pytest.mark.parametrize("preset", sorted((ROOT / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_every_preset_runs_a_declared_experiment(preset):
    assert load_config(preset).experiment in EXPERIMENT_NAMES


def test_an_undeclared_name_is_refused():
    with pytest.raises(KeyError):
        declared("no-such-experiment")


def test_the_run_folder_writes_each_summary_where_it_is_declared(tmp_path):
    from bumpdiff.store.runfolder import RunFolder

    run = RunFolder(tmp_path)
    named = {"phases": run.phases_path, "imbalanced": run.coupling_path}
    named["samplers"] = run.samplers_path
    for d in DECLARATIONS:
        assert run.summary_path(d.name).name == d.summary
        if d.name in named:
            assert named[d.name] == run.summary_path(d.name)
