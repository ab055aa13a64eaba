"""A table of bad inputs: each exits 2 with one line naming the field (or argument), and changes
no file of the run folder it was aimed at."""

import hashlib

import pytest
import yaml
from conftest import TINY
from typer.testing import CliRunner

from bumpdiff.cli import app
from bumpdiff.training.loop import train

runner = CliRunner()


@pytest.fixture(scope="module")
def place(tmp_path_factory):
    """A trained tiny run, its config file, and files a user might point at by mistake."""
    from conftest import tiny_config

    root = tmp_path_factory.mktemp("bad")
    run = train(tiny_config(), root / "run", progress=False)
    cfg = root / "tiny.yaml"
    cfg.write_text(yaml.safe_dump(TINY))
    (root / "empty.yaml").write_text("")
    (root / "binary.yaml").write_bytes(bytes(range(256)) * 4)
    (root / "list.yaml").write_text("- 1\n- 2\n")
    (root / "section.yaml").write_text(yaml.safe_dump({**TINY, "optimiser": {"lr": 1}}))
    (root / "afile").write_text("not a folder")
    bomb = ["experiment: phases", "a: &a [1,1,1,1,1,1,1,1,1,1]"]  # 10^9 items once expanded
    for prev, name in zip("abcdefg", "bcdefgh"):
        bomb.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 10) + "]")
    bomb.append("probe: {placement_more_t: [" + ",".join(["*h"] * 10) + "]}")
    (root / "bomb.yaml").write_text("\n".join(bomb) + "\n")
    return {"root": root, "run": run.root, "cfg": cfg}


def _snapshot(folder):
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


SET = [  # (override, the field the message must name)
    ("train.lr=-1", "train.lr"),
    ("train.lr=0", "train.lr"),
    ("data.sigma=0", "data.sigma"),
    ("data.size=3", "data.size"),
    ("data.dx=0", "data.dx"),
    ("data.dx=1e-7", "data.dx"),
    ("data.x_range=[0,9]", "data.x_range"),
    ("model.channels=[8,12]", "model.channels"),
    ("model.attention_levels=[5]", "model.attention_levels"),
    ("train.device=tpu", "train.device"),
    ("sample.sampler=euler", "sample.sampler"),
    ("sample.steps=0", "sample.steps"),
    ("sample.steps=51", "sample.steps"),
    ("probe.layer=layer9", "probe.layer"),
    ("probe.t=50", "probe.t"),
    ("experiment=phase", "experiment"),
    ("train.steps=0", "train.steps"),
    ("train.batch_size=0", "train.batch_size"),
    ("eval.prominence=1.5", "eval.prominence"),
    ("eval.tolerance=0", "eval.tolerance"),
    ("eval.tolerance_x=-0.1", "eval.tolerance_x"),
    ("eval.off_lattice=-1", "eval.off_lattice"),
    ("mechanisms.patch_sizes=[2]", "mechanisms.patch_sizes"),
    ("samplers.candidates=['ddim:0']", "samplers.candidates"),
    ("imbalanced.seeds=[]", "imbalanced.seeds"),
    ("train.foo=1", "train.foo"),
    ("data.dx=[1", "data.dx"),
    ("train.lr", "set"),
    # booleans are not numbers (YAML reads yes/no/on/off/true as booleans)
    ("train.steps=yes", "train.steps"),
    ("train.lr=true", "train.lr"),
    ("sample.draws=no", "sample.draws"),
    ("data.x_range=[1,on]", "data.x_range"),
    ("probe.placement_more_t=[1,true]", "probe.placement_more_t"),
    # no infinity or NaN in a float field
    ("data.dx=.inf", "data.dx"),
    ("data.dy=.nan", "data.dy"),
    ("train.lr=.inf", "train.lr"),
    # the trajectory probe's fields
    ("trajectory.t=[2000]", "trajectory.t"),
    ("trajectory.t=[5,5]", "trajectory.t"),
    ("trajectory.min_learned=2", "trajectory.min_learned"),
    # markup-like values are echoed verbatim
    ("train.steps=[bold]x", "[bold]x"),
]


@pytest.mark.parametrize(("override", "field"), SET, ids=[s for s, _ in SET])
def test_bad_overrides(place, override, field):
    out = place["root"] / "new"
    for command in ("train", "run"):
        res = runner.invoke(app, [command, str(place["cfg"]), "--out", str(out), "--set", override])
        _one_line(res, field)
    assert not out.exists()


CONFIGS = [
    ("empty.yaml", "is empty"),
    ("binary.yaml", "not a text file"),
    ("list.yaml", "mapping of sections"),
    ("section.yaml", "optimiser"),
    ("missing.yaml", "file not found"),
    ("bomb.yaml", "too large or too deeply nested"),
]


@pytest.mark.parametrize(("name", "says"), CONFIGS, ids=[c for c, _ in CONFIGS])
def test_bad_config_files(place, name, says):
    res = runner.invoke(
        app, ["train", str(place["root"] / name), "--out", str(place["root"] / "x")]
    )
    _one_line(res, says)
    assert not (place["root"] / "x").exists()


RUN_ARGS = [  # commands aimed at the trained run: (arguments after RUN, the name in the message)
    (["evaluate", "--step", "4"], "--step"),
    (["evaluate", "--steps", "0"], "--steps"),
    (["evaluate", "--steps", "51"], "--steps"),
    (["evaluate", "--sampler", "euler"], "--sampler"),
    (["evaluate", "-n", "0"], "-n"),
    (["evaluate", "--set", "eval.prominence=0"], "eval.prominence"),
    (["evaluate", "--rescore", "--step", "6"], "samples"),
    (["sample", "--at", "9,3"], "mu_x"),
    (["sample", "--at", "x"], "--at"),
    (["sample", "--at", "3,3", "-n", "0"], "-n"),
    (["sample"], "--at"),
    (["probe", "--step", "99"], "--step"),
    (["probe", "--set", "probe.layer=nope"], "probe.layer"),
    (["report"], "no checkpoint with both"),
    (["dynamics", "--step", "99"], "step"),
    (["dynamics", "--set", "mechanisms.patch_sizes=[9]"], "mechanisms.patch_sizes"),
]


@pytest.mark.parametrize(("args", "name"), RUN_ARGS, ids=[" ".join(a) for a, _ in RUN_ARGS])
def test_bad_arguments_leave_the_run_untouched(place, args, name):
    before = _snapshot(place["run"])
    res = runner.invoke(app, [args[0], str(place["run"]), *args[1:]])
    _one_line(res, name)
    assert _snapshot(place["run"]) == before


PLACES = [  # (arguments: {cfg}, {run} and {root} filled in; what the message says)
    (["train", "{cfg}", "--out", "{run}"], "already holds checkpoints"),
    (["train", "{cfg}", "--out", "{run}", "--resume", "--set", "train.lr=0.5"], "train.lr"),
    (["train", "{cfg}", "--out", "{run}", "--resume", "--set", "train.steps=3"], "train.steps"),
    (["run", "{cfg}", "--out", "{run}"], "already holds a run"),
    (["train", "{cfg}", "--out", "{root}/afile"], "is a file"),
    (["train", "{cfg}", "--out", "{root}/afile/sub"], "Not a directory"),
    (["evaluate", "{root}/nowhere"], "not a bumpdiff run folder"),
    (["report", "{root}/x[/y]"], "x[/y] is not a bumpdiff run folder"),  # markup-like: verbatim
    (["evaluate", "{root}/[link=x]r"], "[link=x]r is not a bumpdiff"),
    (["bench", "--out", "{root}/b.json", "--only", "nope"], "--only"),
    (["bench", "--out", "{root}/b.json", "--sampler", "euler"], "--sampler"),
]
CASES = len(SET) + len(CONFIGS) + len(RUN_ARGS) + len(PLACES)  # README's "What is guarded"


def test_bad_places_and_resumes(place):
    before = _snapshot(place["run"])
    fill = {"cfg": str(place["cfg"]), "run": str(place["run"]), "root": str(place["root"])}
    for args, says in PLACES:
        _one_line(runner.invoke(app, [a.format(**fill) for a in args]), says)
    assert _snapshot(place["run"]) == before


def _one_line(res, says: str) -> None:
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert res.exit_code == 2, res.output
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0], res.output
    assert "Traceback" not in res.output
