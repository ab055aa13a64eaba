"""The training-step profile sorts operators into kinds (bench_profile.py)."""

from bumpdiff.bench_profile import kind_of


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
    assert {name: kind_of(name) for name in expected} == expected
