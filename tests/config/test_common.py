"""Every section refuses unknown fields (a typo is an error, not a silent default) and cannot be
changed after loading."""

import pydantic
import pytest

from bumpdiff.config import ConfigError, PhaseConfig, build_config


def test_a_misspelt_field_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="min_trustworthines"):
        build_config({"phase": {"min_trustworthines": 0.9}}, [])


def test_a_loaded_section_cannot_be_changed():
    rule = PhaseConfig()
    with pytest.raises(pydantic.ValidationError):
        rule.min_r2 = 0.1
