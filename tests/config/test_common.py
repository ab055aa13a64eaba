"""Every section refuses unknown fields (a typo is an error, not a silent default) and cannot be
changed after loading."""

import pydantic
import pytest

from bumpdiff.config import ConfigError, PhaseConfig, build_config
from bumpdiff.config.common import differing_path, value_at


def test_a_misspelt_field_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="min_trustworthines"):
        build_config({"phase": {"min_trustworthines": 0.9}}, [])


def test_a_loaded_section_cannot_be_changed():
    rule = PhaseConfig()
    with pytest.raises(pydantic.ValidationError):
        rule.min_r2 = 0.1


def test_differing_path_names_the_first_nested_field_that_differs():
    assert differing_path({"a": {"b": 1, "c": 2}}, {"a": {"b": 1, "c": 3}}) == "a.c"
    assert differing_path({"a": {"b": 1}}, {"a": {"b": 1, "z": 0}}) == "a.z"  # a key one lacks
    assert differing_path({"a": 1}, {"a": 1}) is None
    assert differing_path(None, {"a": 1}) == "(whole)"
    assert value_at({"a": {"c": 3}}, "a.c") == 3 and value_at({"a": 1}, "a.c") is None
