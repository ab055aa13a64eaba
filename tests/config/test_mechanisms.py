import pytest

from bumpdiff.config import ConfigError
from tests.conftest import tiny_config


@pytest.mark.parametrize(
    "override, message",
    [
        ("mechanisms.patch_sizes=[4]", "mechanisms.patch_sizes: must be increasing odd"),
        ("mechanisms.patch_sizes=[5,3]", "mechanisms.patch_sizes: must be increasing odd"),
        ("mechanisms.patch_sizes=[]", "mechanisms.patch_sizes"),
        ("mechanisms.fit_t=[50,10]", "mechanisms.fit_t: must be increasing"),
        ("mechanisms.fit_t=[-1]", "mechanisms.fit_t: must be increasing timesteps"),
        ("mechanisms.bandwidth=-1", "mechanisms.bandwidth"),
        ("mechanisms.tolerance=0", "mechanisms.tolerance"),
        ("eval.off_lattice=-1", "eval.off_lattice"),
    ],
)
def test_bad_mechanisms_settings_name_the_field(override, message):
    with pytest.raises(ConfigError, match=message):
        tiny_config(override)


def test_the_defaults_are_valid():
    m = tiny_config().mechanisms
    assert m.patch_sizes == sorted(m.patch_sizes) and all(p % 2 for p in m.patch_sizes)
    assert m.bandwidth == 0 and m.targets is None
