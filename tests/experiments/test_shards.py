import json

import pytest

from bumpdiff.cli import app
from bumpdiff.config import ConfigError
from bumpdiff.experiments import run_experiment
from bumpdiff.experiments.shards import pool
from tests.conftest import tiny_config

PERCOLATION = ("experiment=percolation", "percolation.sigmas=[0.7,1.5]",
               "percolation.fractions=[0.3,1.0]", "percolation.repeats=5",
               "percolation.grid=11")  # fmt: skip
EFFICIENCY = ("experiment=efficiency", "model.conditioning=concat", "data.dx=1", "data.dy=1",
              "efficiency.sizes=[6,8]", "efficiency.fractions=[0.5,1.0]")  # fmt: skip


def _run(tmp_path, name, settings, *parts):
    study = settings[0].split("=")[1]
    cfg = tiny_config(*settings, *(f"{study}.{part}" for part in parts))
    run_experiment(cfg, tmp_path / name, False, lambda _: None, progress=False)
    return cfg, json.loads((tmp_path / name / f"{study}.json").read_text())


@pytest.fixture(scope="module")
def percolation_runs(tmp_path_factory):
    """The tiny percolation design run whole (2 widths, 2 seeds) and in three shards: seed 1;
    seed 0 of the second width; seed 0 of the first (8 members either way)."""
    tmp = tmp_path_factory.mktemp("shards")
    whole_cfg, whole = _run(tmp, "whole", PERCOLATION, "seeds=[0,1]")
    shards = {
        "s1": _run(tmp, "s1", PERCOLATION, "seeds=[1]")[1],
        "wide-s0": _run(tmp, "wide-s0", PERCOLATION, "seeds=[0]", "sigmas=[1.5]")[1],
        "narrow-s0": _run(tmp, "narrow-s0", PERCOLATION, "seeds=[0]", "sigmas=[0.7]")[1],
    }
    return whole_cfg, whole, shards


def test_pooled_shards_equal_the_whole_design_run_at_once(percolation_runs):
    cfg, whole, shards = percolation_runs
    assert [len(s["trained"]) for s in shards.values()] == [4, 2, 2]
    pooled = json.loads(json.dumps(pool(cfg, shards)))  # as written: tuples become lists
    assert [r["seeds"] for r in pooled["trained"]] == [[0, 1]] * 4  # seed 1's shard came first
    assert pooled == whole


def test_a_design_some_member_of_which_no_shard_holds_is_refused(percolation_runs):
    cfg, whole, shards = percolation_runs
    with pytest.raises(
        ConfigError, match=r"no shard holds 2 member\(s\).*e\.g\. \(1\.5, 0\.3, 0\)"
    ):
        pool(cfg, {"s1": shards["s1"], "narrow-s0": shards["narrow-s0"]})
    with pytest.raises(ConfigError, match=r"\(0\.7, 0\.3\) seed 1 is in both s1 and again"):
        pool(cfg, {**shards, "again": shards["s1"]})
    fewer = tiny_config(*PERCOLATION, "percolation.seeds=[0]")
    with pytest.raises(ConfigError, match="the config lacks 4 member"):
        pool(fewer, shards)


def test_a_shard_of_another_design_is_refused_naming_the_field(percolation_runs):
    cfg, whole, shards = percolation_runs
    other = json.loads(json.dumps(shards["s1"]))
    other["design"]["train"]["lr"] = 1.0
    with pytest.raises(ConfigError, match="s1: its design differs .* at train.lr"):
        pool(cfg, {**shards, "s1": other})
    older = {**shards["s1"]}
    del older["design"]
    with pytest.raises(ConfigError, match="s1: records no design"):
        pool(cfg, {**shards, "s1": older})


def test_compute_settings_are_not_part_of_the_design(percolation_runs):
    cfg, whole, shards = percolation_runs
    faster = cfg.model_copy(update={"train": cfg.train.model_copy(update={"threads": 2})})
    assert pool(faster, shards)["trained"] == whole["trained"]


def test_efficiency_shards_pool_to_the_whole_run(tmp_path):
    """The whole efficiency design cut into its two seeds' rows (the runs' independence of each
    other is the percolation tests'): pooled back, its sizes needed, exponents and sentences
    are the whole run's, recomputed from the rows."""
    cfg, whole = _run(tmp_path, "whole", EFFICIENCY, "seeds=[0,1]")

    def seed_only(i):
        rows = [{k: [v[i]] if isinstance(v, list) else v for k, v in r.items()}
                for r in whole["members"]]  # fmt: skip
        return {"design": whole["design"], "members": rows, "scaling": {}, "sentences": []}

    assert json.loads(json.dumps(pool(cfg, {"s1": seed_only(1), "s0": seed_only(0)}))) == whole
    # a design with canvases per dataset: the bumps at N = 6 only, stripes at 6 and 8, in shards
    sizes = 'efficiency.sizes={"bumps": [6], "bumps+stripes": [6, 8]}'
    per_dataset = tiny_config(*EFFICIENCY, sizes, "efficiency.seeds=[0,1]")
    kept = [r for r in whole["members"] if (r["dataset"], r["size"]) != ("bumps", 8)]
    small, extra = ([r for r in kept if (r["size"] == 8) == big] for big in (False, True))
    shards = {name: {"design": whole["design"], "members": rows, "scaling": {}, "sentences": []}
              for name, rows in (("n6", small), ("stripes-n8", extra))}  # fmt: skip
    pooled = pool(per_dataset, shards)
    assert pooled["members"] == kept and set(pooled["scaling"]["bumps"]["canvas"]) == {6}
    with pytest.raises(ConfigError, match=r"the config lacks 4 member.*'bumps', 8"):
        pool(per_dataset, {"s0": seed_only(0), "s1": seed_only(1)})


def test_the_command_writes_the_pooled_file_and_refuses_in_one_line(percolation_runs, tmp_path):
    from typer.testing import CliRunner

    cfg, whole, shards = percolation_runs
    config = tmp_path / "design.yaml"
    config.write_text(json.dumps(cfg.model_dump(mode="json")))
    paths = []
    for name, shard in shards.items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(shard))
    out = tmp_path / "pooled.json"
    args = ["evidence", "pool-shards", str(out), str(config)]
    done = CliRunner().invoke(app, [*args, *map(str, paths)])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text()) == whole
    assert out.with_suffix(".png").read_bytes().startswith(b"\x89PNG")  # the study's figure
    assert "percolation threshold" in done.output
    refused = CliRunner().invoke(app, [*args, str(paths[0])])
    assert refused.exit_code == 2
    assert refused.output.strip().count("\n") == 0 and "no shard holds" in refused.output
    one_seed = CliRunner().invoke(app, [*args, str(paths[0]), "--set", "percolation.seeds=[1]"])
    assert one_seed.exit_code == 0, one_seed.output  # the seed-1 shard alone, as its own design
    assert {tuple(r["seeds"]) for r in json.loads(out.read_text())["trained"]} == {(1,)}
