import pytest

from bumpdiff.config import ConfigError
from bumpdiff.training.same_training import check_resume_config, training_difference
from tests.conftest import tiny_config


def test_the_first_training_field_that_differs_is_named_with_both_values():
    a = tiny_config()
    assert training_difference(a, tiny_config("train.lr=0.5")) == ("train.lr", a.train.lr, 0.5)
    assert training_difference(a, tiny_config("seed=7")) == ("seed", a.seed, 7)
    assert training_difference(a, tiny_config("model.channels=[16,32]"))[0] == "model.channels"
    nested = training_difference(a, tiny_config("data.holdout.width=2.0"))  # not "data.holdout"
    assert nested == ("data.holdout.width", a.data.holdout.width, 2.0)


def test_steps_compute_and_analysis_settings_train_the_same_thing():
    a = tiny_config()
    for same in ("train.steps=99", "train.threads=2", "train.overlap=true", "train.device=cpu",
                 "sample.steps=7", "probe.draws=3"):  # fmt: skip
        assert training_difference(a, tiny_config(same)) is None, same


def test_a_resume_that_would_train_something_else_is_refused_in_one_line():
    with pytest.raises(ConfigError, match=r"^train.lr: differs .*\(train.lr=") as err:
        check_resume_config(tiny_config(), tiny_config("train.lr=0.5"))
    assert "\n" not in str(err.value)
    check_resume_config(tiny_config(), tiny_config("train.steps=99"))
