"""The training-step profile sorts operators into kinds, and the frozen-network comparison times
one side frozen and one eager on the same images (bench_profile.py)."""

from bumpdiff.bench.profile import operator_kind


def test_operators_are_sorted_into_the_kinds_a_reader_expects():
    expected = {
        "aten::mkldnn_convolution": "convolution",
        "aten::convolution_backward": "convolution",
        "aten::addmm": "matmul",
        "aten::_scaled_dot_product_flash_attention_for_cpu": "matmul",
        "aten::native_group_norm_backward": "normalisation",
        "aten::_foreach_addcdiv_": "optimizer",
        "aten::silu_backward": "elementwise",
        "aten::randint": "data",
        "aten::empty_strided": "other",
    }
    assert {name: operator_kind(name) for name in expected} == expected


def test_the_frozen_comparison_freezes_one_side_only_and_compares_the_images(freezes):
    import torch

    from bumpdiff.bench.profile import frozen_sampling
    from tests.conftest import tiny_config

    freezes.on(True)  # the tiny grid would not repay a trace
    row = frozen_sampling(tiny_config("sample.sampler=ddpm"), torch.device("cpu"), 4, 2)
    assert freezes.made == 2  # one sampling call per repeat on the frozen side, none on the eager
    assert row["identical"] is True and row["images"] == 9 and row["sampler"] == "ddpm-4"
    assert row["frozen"] is True
    assert row["frozen_seconds"] > 0 and row["eager_seconds"] > 0
    freezes.on(False)  # too small to freeze: said
    assert (
        frozen_sampling(tiny_config("sample.sampler=ddpm"), torch.device("cpu"), 4, 1)["frozen"]
        is False
    )
