"""Where a process computes: the device and its CPU threads."""

import pytest
import torch

from bumpdiff.config import ConfigError
from bumpdiff.devices import free_cores, resolve_device, resolve_threads


def test_a_device_name_resolves_and_a_missing_cuda_is_refused_naming_the_field():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="train.device"):
            resolve_device("cuda")


def test_threads_given_are_kept_and_zero_means_the_free_cores_decided_once():
    assert resolve_threads(3) == 3
    auto = resolve_threads(0)
    assert auto >= 1
    assert resolve_threads(0) == auto  # looked at once per process
    assert 1 <= free_cores(samples=2)


def test_set_threads_limits_the_blas_and_openmp_pools_too():
    """numpy's and scipy's BLAS and scikit-learn's OpenMP would otherwise use every core."""
    import scipy.linalg  # noqa: F401  (loads scipy's BLAS)
    import sklearn.utils  # noqa: F401
    from threadpoolctl import threadpool_info

    from bumpdiff.devices import set_threads

    before = torch.get_num_threads()
    try:
        set_threads(1)
        assert threadpool_info() and {p["num_threads"] for p in threadpool_info()} == {1}
    finally:
        set_threads(before)
