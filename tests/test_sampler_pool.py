"""results/sampler_pool.py: two studies of disjoint images pooled into one file with the rule's
choice; a bad argument or overlapping seeds exit 2 and write nothing."""

import json

from conftest import script

from bumpdiff.store.records import SamplerRow, SamplerStudy


def _module():
    return script("results/sampler_pool.py")


def _row(ckpt, steps, codes):
    n = len(codes)
    outcomes = ("none", "multiple", "mislocated", "correct")
    fr = {o: codes.count(str(k)) / n for k, o in enumerate(outcomes)}
    return SamplerRow(checkpoint=ckpt, step=0, sampler="ddpm", steps=steps, nfe=steps, images=n,
                      seconds_per_image=1.0, accuracy=fr["correct"], fractions=fr,
                      outcome_codes=codes)  # fmt: skip


def _write(path, switched):
    ref = "2" * 100 + "1" * 100
    rows = [_row("final", 1000, "3" * 200), _row("B", 1000, ref), _row("final", 200, "3" * 200),
            _row("B", 200, "1" * switched + ref[switched:])]  # fmt: skip
    study = SamplerStudy(run="runs/quick", checkpoints={"B": 10, "final": 1000}, rows=rows)
    path.write_text(study.model_dump_json())
    return str(path)


def test_two_studies_pool_into_one_file_with_the_choice(tmp_path, capsys):
    a, b = _write(tmp_path / "a.json", 3), _write(tmp_path / "b.json", 3)
    out = tmp_path / "pooled.json"
    assert _module().main([str(out), f"{a}:777", f"{b}:977"]) == 0
    result = json.loads(out.read_text())
    assert result["pooled_from"] == [{"file": a, "seed": 777}, {"file": b, "seed": 977}]
    assert {r["images"] for r in result["rows"]} == {400}
    chosen = result["choice"]["chosen"]
    assert (chosen["steps"], chosen["evidence"]) == (200, "equivalent")
    assert "DDPM-200" in capsys.readouterr().out


def test_overlapping_seeds_or_a_bad_argument_exit_2_and_write_nothing(tmp_path, capsys):
    a, b = _write(tmp_path / "a.json", 3), _write(tmp_path / "b.json", 3)
    out = tmp_path / "pooled.json"
    assert _module().main([str(out), f"{a}:777", f"{b}:800"]) == 2
    assert "seeds overlap" in capsys.readouterr().err
    assert _module().main([str(out), f"{a}:777", b]) == 2
    assert "expected FILE.json:SEED" in capsys.readouterr().err
    assert _module().main([str(out), f"{a}:777", f"{tmp_path / 'nope.json'}:977"]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err and "nope.json" in err and err.count("\n") == 1
    (tmp_path / "bad.json").write_text("{}")
    assert _module().main([str(out), f"{a}:777", f"{tmp_path / 'bad.json'}:977"]) == 2
    assert "not a samplers.json study" in capsys.readouterr().err
    assert not out.exists()
