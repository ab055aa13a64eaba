"""Reading configs: presets round-trip, dotted overrides, one-line errors for bad files."""

from pathlib import Path

import pytest
import yaml

from bumpdiff.config import ConfigError, build_config, load_config, parse_overrides


def test_public_override_keys(tmp_path):
    keys = [
        "seed=3",
        "data.size=16",
        "data.sigma=1.5",
        "data.dx=0.5",
        "data.dy=2",
        "model.channels=[32,64]",
        "model.attention_levels=[1]",
        "train.steps=7",
        "train.batch_size=4",
        "train.lr=1e-3",
        "train.device=cpu",
    ]
    cfg = build_config({}, keys)
    assert (cfg.seed, cfg.data.size, cfg.data.sigma, cfg.data.dx, cfg.data.dy) == (
        3,
        16,
        1.5,
        0.5,
        2,
    )
    assert cfg.model.channels == [32, 64] and cfg.train.steps == 7 and cfg.train.lr == 1e-3
    assert cfg.train.batch_size == 4 and cfg.train.device == "cpu"


def test_presets_load_and_round_trip(tmp_path):
    for path in sorted(Path("configs").glob("*.yaml")):
        cfg = load_config(path)
        dumped = tmp_path / "c.yaml"
        dumped.write_text(yaml.safe_dump(cfg.model_dump(mode="json")))
        assert load_config(dumped) == cfg


def test_bad_override_syntax_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="set: expected"):
        parse_overrides(["train.lr"])
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("train: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)


def test_presets_evaluate_with_the_sampler_the_committed_study_chose():
    """Every preset on the quick canvas (the model the sampler study validated on) evaluates with
    the rule's choice in results/samplers/coupled-pooled.json; the paper-size presets keep the
    papers' DDPM-1000."""
    import json

    choice = json.loads(Path("results/samplers/coupled-pooled.json").read_text())["choice"]
    chosen = (choice["chosen"]["sampler"], choice["chosen"]["steps"])
    for path in sorted(Path("configs").glob("*.yaml")):
        cfg = load_config(path)
        used = (cfg.sample.sampler, cfg.sample.steps or cfg.diffusion.timesteps)
        expected = chosen if cfg.data.size == 12 else ("ddpm", cfg.diffusion.timesteps)
        assert used == expected, path.name
