import pytest

from bumpdiff.config import ConfigError
from tests.conftest import tiny_config


@pytest.mark.parametrize(
    "override, message",
    [
        ("percolation.fractions=[0.5,0.2]", "percolation.fractions: must be increasing"),
        ("percolation.fractions=[0,0.5]", "percolation.fractions: must be increasing"),
        ("percolation.sigmas=[-1]", "percolation.sigmas: must all be > 0"),
        ("percolation.thresholds=[0]", "percolation.thresholds: must all be > 0"),
        ("percolation.normalisation=area", "percolation.normalisation"),
    ],
)
def test_bad_percolation_settings_name_the_field(override, message):
    with pytest.raises(ConfigError, match=message):
        tiny_config(override)


def test_the_defaults_are_valid_and_sorted():
    p = tiny_config().percolation
    assert p.fractions == sorted(p.fractions) and p.fractions[-1] <= 1
