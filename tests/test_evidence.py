"""Committed evidence never contradicts what the presets use without saying so: a summary whose
sampler choice is not the presets' evaluation sampler names the file whose choice replaced it."""

import json
from pathlib import Path

import pytest

from bumpdiff.config import load_config

ROOT = Path(__file__).parents[1]
FILES = sorted((ROOT / "results").rglob("*.json")) + sorted((ROOT / "benchmarks").glob("*.json"))


def _chosen(data: dict) -> tuple[str, int] | None:
    """The (sampler, steps) a study's file chose, or None when it holds no sampler choice."""
    for key in ("choice", "sampler_choice"):
        choice = data.get(key) if isinstance(data, dict) else None
        if isinstance(choice, dict) and isinstance(choice.get("chosen"), dict):
            return choice["chosen"]["sampler"], choice["chosen"]["steps"]
    return None


def stale_choices(files: dict[str, dict], current: tuple[str, int]) -> list[str]:
    """Files whose choice differs from ``current`` and do not name, in ``choice_superseded_by``,
    a file of ``files`` whose choice is ``current``."""
    stale = []
    for name, data in files.items():
        chosen = _chosen(data)
        if chosen is None or chosen == current:
            continue
        successor = data.get("choice_superseded_by", {}).get("file")
        if successor not in files or _chosen(files[successor]) != current:
            stale.append(name)
    return stale


def _presets_sampler() -> tuple[str, int]:
    sample = load_config(ROOT / "configs" / "quick.yaml").sample
    return sample.sampler, sample.steps


def test_every_superseded_sampler_choice_names_its_successor():
    files = {str(p.relative_to(ROOT)): json.loads(p.read_text()) for p in FILES}
    assert not stale_choices(files, _presets_sampler())


@pytest.mark.parametrize(
    ("files", "stale"),
    [
        ({"a.json": {"choice": {"chosen": {"sampler": "ddpm", "steps": 1000}}}}, ["a.json"]),
        ({"a.json": {"choice": {"chosen": {"sampler": "ddpm", "steps": 200}}}}, []),
        ({"a.json": {"sampler_choice": {"chosen": {"sampler": "ddpm", "steps": 250}},
                     "choice_superseded_by": {"file": "b.json"}},
          "b.json": {"choice": {"chosen": {"sampler": "ddpm", "steps": 200}}}}, []),
        ({"a.json": {"choice": {"chosen": {"sampler": "ddpm", "steps": 250}},
                     "choice_superseded_by": {"file": "missing.json"}}}, ["a.json"]),
    ],
)  # fmt: skip
def test_the_check_finds_a_stale_choice_and_accepts_a_named_successor(files, stale):
    assert stale_choices(files, ("ddpm", 200)) == stale
