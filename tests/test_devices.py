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


AMX = "processor : 0\nflags : fpu sse avx2 avx512f amx_bf16 amx_tile\n"
PLAIN = "processor : 0\nflags : fpu sse avx2\n"


def test_bf16_units_are_read_from_the_cpus_flags():
    from bumpdiff.devices import cpu_bf16_units

    assert cpu_bf16_units(AMX) == ["amx_bf16"]
    assert cpu_bf16_units(PLAIN) == [] and cpu_bf16_units("") == []


def test_cpu_precision_on_is_refused_and_auto_falls_back_in_one_line_without_bf16_units():
    from bumpdiff.devices import resolve_precision
    from tests.conftest import tiny_config

    cpu, said = torch.device("cpu"), []
    with pytest.raises(
        ConfigError, match="train.cpu_precision: 'bf16' needs a CPU with bf16 units"
    ):
        resolve_precision(tiny_config("train.cpu_precision=bf16"), cpu, cpuinfo=PLAIN)
    auto = tiny_config("train.cpu_precision=auto")
    assert resolve_precision(auto, cpu, said.append, PLAIN).train.cpu_precision == "fp32"
    assert said == ["train.cpu_precision: auto → fp32 (no bf16 units on this CPU)"]
    assert resolve_precision(auto, cpu, cpuinfo=AMX).train.cpu_precision == "bf16"
    assert (
        resolve_precision(auto, torch.device("cuda"), cpuinfo=PLAIN).train.cpu_precision == "auto"
    )


def _train(tmp_path, name, *overrides):
    from bumpdiff.store.runfolder import RunFolder
    from bumpdiff.training.loop import train
    from tests.conftest import tiny_config

    cfg = tiny_config("train.steps=4", "train.checkpoints=1", *overrides)
    run = train(cfg, tmp_path / name, progress=False)
    losses = [r.loss for r in RunFolder(run.root).read_metrics("train")]
    return run.read_config().train.cpu_precision, losses


def test_a_run_records_what_auto_resolved_to_and_bf16_changes_the_arithmetic(tmp_path, monkeypatch):
    """Without bf16 units "auto" trains in fp32, bit for bit as "fp32", and config.yaml says
    "fp32"; with them (the flags faked: torch emulates bf16 where the CPU lacks it) the same
    steps run under bf16 autocast and the losses move."""
    import bumpdiff.devices as devices

    monkeypatch.setattr(devices, "cpu_bf16_units", lambda cpuinfo=None: [])
    off, fp32 = _train(tmp_path, "off", "train.cpu_precision=fp32")
    auto, same = _train(tmp_path, "auto", "train.cpu_precision=auto")
    assert (off, auto) == ("fp32", "fp32") and same == fp32
    monkeypatch.setattr(devices, "cpu_bf16_units", lambda cpuinfo=None: ["amx_bf16"])
    on, bf16 = _train(tmp_path, "on", "train.cpu_precision=auto")
    assert on == "bf16" and bf16 != fp32
    assert max(abs(a - b) for a, b in zip(bf16, fp32)) < 0.05 * max(fp32)  # same training


def test_the_cli_refuses_bf16_on_a_cpu_without_units_in_one_line_writing_nothing(
    tmp_path, monkeypatch
):
    import yaml
    from typer.testing import CliRunner

    import bumpdiff.devices as devices
    from bumpdiff.cli import app
    from tests.conftest import TINY

    monkeypatch.setattr(devices, "cpu_bf16_units", lambda cpuinfo=None: [])
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(TINY))
    args = ["train", str(tmp_path / "c.yaml"), "--out", str(tmp_path / "r"), "--device", "cpu",
            "--set", "train.cpu_precision=bf16"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and result.output.strip().count("\n") == 0
    assert "train.cpu_precision: 'bf16' needs a CPU with bf16 units" in result.output
    assert not (tmp_path / "r" / "config.yaml").exists()
