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


@pytest.mark.parametrize(
    "override, message",
    [
        ("efficiency.sizes=[12,8]", "efficiency.sizes: .*must be increasing"),
        ("efficiency.sizes=[2,8]", "efficiency.sizes: .*canvas sides of at least 4"),
        ("efficiency.sizes=[]", "efficiency.sizes: .*canvas sides of at least 4"),
        ('efficiency.sizes={"bumps": [], "bumps+stripes": []}', "efficiency.sizes: .*at least 4"),
        ('efficiency.sizes={"stripes": [8]}', "efficiency.sizes: .*keys must be among"),
    ],
)
def test_bad_efficiency_sizes_name_the_field(override, message):
    with pytest.raises(ConfigError, match=message):
        tiny_config("experiment=efficiency", override)


def test_efficiency_sizes_per_dataset_name_only_their_members():
    """A mapping trains each dataset on its own canvases and leaves a dataset it omits out."""
    from bumpdiff.experiments.efficiency import settings

    cfg = tiny_config("experiment=efficiency", "efficiency.fractions=[0.5,1.0]",
                      'efficiency.sizes={"bumps+stripes": [8, 20]}')  # fmt: skip
    assert {(d, n) for d, n, _ in settings(cfg)} == {("bumps+stripes", 8), ("bumps+stripes", 20)}
    # --set merges a mapping into the config's: [] is how a shard leaves a dataset out
    shard = tiny_config("experiment=efficiency", 'efficiency.sizes={"bumps": [8]}',
                        'efficiency.sizes={"bumps": [], "bumps+stripes": [20]}')  # fmt: skip
    assert {(d, n) for d, n, _ in settings(shard)} == {("bumps+stripes", 20)}
    both = tiny_config("experiment=efficiency", "efficiency.sizes=[8]")
    assert both.efficiency.sizes_of("bumps") == both.efficiency.sizes_of("bumps+stripes") == [8]
