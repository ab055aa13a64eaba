"""The Method section comes from the config: every setting, its value and its stated source."""

from bumpdiff.config import build_config
from bumpdiff.config.experiments import declared
from bumpdiff.report.method import method_settings


def test_every_setting_of_the_experiment_is_listed_with_the_value_that_ran():
    cfg = build_config({}, ["train.lr=0.00123", "probe.layer=mid"])
    rows = {s.key: s for s in method_settings(cfg)}
    assert rows["train.lr"].value == "0.00123" and rows["probe.layer"].value == "mid"
    for section in declared("phases").method_sections:
        for name in type(getattr(cfg, section)).model_fields:
            assert f"{section}.{name}" in rows
    assert "imbalanced.seeds" not in rows  # a section the phases experiment does not use
    assert "imbalanced.seeds" in {s.key for s in method_settings(cfg, ("imbalanced",))}


def test_sources_follow_the_field_descriptions():
    rows = {s.key: s for s in method_settings(build_config({}))}
    assert rows["data.size"].source == "papers"  # "canvas side N, pixels (paper: 32)"
    assert rows["data.sigma"].source == "ours"  # "(ours; not stated)"
    numbers = [s for s in rows.values() if s.value[:1].isdigit()]
    assert all(s.description for s in numbers), "every number has a description"
