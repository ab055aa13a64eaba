"""Sweep files: grid expansion, variants, seeds, and bad input stopped before anything runs."""

import pytest
import yaml
from conftest import TINY

from bumpdiff.config import ConfigError
from bumpdiff.sweep.spec import SweepSpec, Variant, expand, load_sweep


def test_a_grid_expands_to_every_combination_for_every_seed():
    grid = {"data.sigma": [0.7, 1.0], "train.lr": [1e-3]}
    spec = SweepSpec(base="x.yaml", seeds=[0, 1], grid=grid)
    members = expand(spec)
    assert len(members) == 2 * 1 * 2
    assert [m.name for m in members] == [
        "base-data.sigma=0.7-train.lr=0.001-s0",
        "base-data.sigma=0.7-train.lr=0.001-s1",
        "base-data.sigma=1.0-train.lr=0.001-s0",
        "base-data.sigma=1.0-train.lr=0.001-s1",
    ]
    assert members[1].overrides == ("data.sigma=0.7", "train.lr=0.001", "seed=1")


def test_variants_are_crossed_with_the_grid_and_lists_become_safe_names():
    spec = SweepSpec(
        base="x.yaml",
        grid={"data.x_range": [[1, 6]]},
        variants=[Variant(name="wide", set=["model.channels=[16,32]"]), Variant(name="plain")],
    )
    names = [m.name for m in expand(spec)]
    assert names == ["wide-data.x_range=1,6-s0", "plain-data.x_range=1,6-s0"]
    assert expand(spec)[0].overrides[0] == "model.channels=[16,32]"


def _write(tmp_path, sweep: dict):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(sweep))
    return path


def test_a_bad_field_of_any_member_stops_the_sweep_at_load(tmp_path):
    path = _write(tmp_path, {"base": "tiny.yaml", "grid": {"data.sigma": [1.0, -1.0]}})
    with pytest.raises(ConfigError, match=r"member base-data.sigma=-1.0-s0: data.sigma"):
        load_sweep(path)


@pytest.mark.parametrize(
    ("sweep", "says"),
    [
        ({"base": "missing.yaml"}, "sweep base: missing.yaml is not a file"),
        ({"base": "tiny.yaml", "seeds": []}, "sweep seeds"),
        ({"base": "tiny.yaml", "retries": -1}, "sweep retries"),
        ({"base": "tiny.yaml", "grids": {}}, "sweep grids"),
    ],
)
def test_bad_sweep_files_get_one_line_naming_the_field(tmp_path, sweep, says):
    with pytest.raises(ConfigError, match=says):
        load_sweep(_write(tmp_path, sweep))


def test_two_members_in_one_folder_are_refused():
    spec = SweepSpec(base="x.yaml", variants=[Variant(name="a"), Variant(name="a")])
    with pytest.raises(ConfigError, match="share a folder"):
        expand(spec)


def test_the_committed_sweep_files_load_with_every_member_valid():
    from pathlib import Path

    files = sorted((Path(__file__).parents[2] / "configs" / "sweeps").glob("*.yaml"))
    assert files
    for path in files:
        _, base, members = load_sweep(path)
        assert base.is_file() and members


def test_more_members_add_the_extra_seeds_to_the_named_groups_only():
    from bumpdiff.sweep.spec import SweepSpec, more_members

    spec = SweepSpec(base="x.yaml", seeds=[0, 1],
                     variants=[{"name": "quick"}, {"name": "lr", "set": ["train.lr=1e-4"]}],
                     more_seeds={"baseline": "quick", "seeds": [2, 3]})  # fmt: skip
    extra = more_members(spec, {"lr"})
    assert [m.name for m in extra] == ["lr-s2", "lr-s3"]
    assert extra[0].overrides == ("train.lr=1e-4", "seed=2")
    assert more_members(spec, set()) == []


@pytest.mark.parametrize("preset", ["imbalanced", "percolation", "compose", "interpolate",
                                    "efficiency"])  # fmt: skip
def test_a_sweep_seed_is_the_seed_list_of_an_experiment_that_has_one(tmp_path, preset):
    """These experiments train their models with their own seed list and ignore ``seed``: two
    sweep seeds must give two different runs, not the same one twice."""
    from pathlib import Path

    from bumpdiff.sweep.spec import member_config

    base = Path(__file__).parents[2] / "configs" / f"{preset}.yaml"
    _, _, members = load_sweep(_write(tmp_path, {"base": str(base), "seeds": [3, 4]}))
    seeds = [getattr(member_config(base, m), preset).seeds for m in members]
    assert seeds == [[3], [4]]
