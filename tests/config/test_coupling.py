"""The imbalanced study's section: the settings that contradict each other are refused with one
line naming the field."""

import pytest
from conftest import tiny_config

from bumpdiff.config import ConfigError


def test_the_references_stage_needs_references():
    with pytest.raises(ConfigError, match="imbalanced.*references"):
        tiny_config("imbalanced.stage=references", "imbalanced.references=false")


def test_reading_references_and_training_them_at_once_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="factorized_from .* set references: false"):
        tiny_config(f"imbalanced.factorized_from={tmp_path / 'references.json'}")
    cfg = tiny_config("imbalanced.references=false",
                      f"imbalanced.factorized_from={tmp_path / 'references.json'}")  # fmt: skip
    assert cfg.imbalanced.factorized_from.endswith("references.json")
