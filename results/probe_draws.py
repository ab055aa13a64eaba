"""How many probe draws the phase rule needs: the layer's phase and reliability at chosen
checkpoints of a trained run, with several numbers of draws per condition.

python results/probe_draws.py runs/quick results/quick/probe-draws.json 0 158 251 1000

Writes one row per (checkpoint, draws) with the phase of the layer alone and the reliability
metrics; the run's own config decides everything else (layer, t, seed, thresholds).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch

from bumpdiff.analysis.pipeline import load_checkpoint_model, probe_conditions
from bumpdiff.diffusion.schedule import alphas_cumprod
from bumpdiff.probe import capture_activations, phase_of, probe_inputs
from bumpdiff.store.runfolder import RunFolder

DRAWS = (8, 16, 32, 64)
KEYS = (
    "reliability",
    "reliable_dims",
    "component_reliability_1",
    "component_reliability_2",
    "half_agreement",
    "dimension",
    "trustworthiness",
    "r2_x_pca",
    "r2_y_pca",
    "condition_share",
)


def measure(run: RunFolder, steps: list[int]) -> list[dict]:
    cfg = run.read_config()
    p = cfg.probe
    rows = []
    for step in steps:
        model = load_checkpoint_model(run, cfg, step)
        for draws in DRAWS:
            x, cond = probe_inputs(
                probe_conditions(cfg),
                draws,
                p.input,
                cfg.data.size,
                p.seed,
                p.t,
                alphas_cumprod(cfg.diffusion),
            )
            acts = capture_activations(model, p.layer, x, cond, p.t)
            result = phase_of(acts, cond.numpy(), cfg.phase, p)
            rows.append(
                {"step": step, "draws": draws, "phase": result.phase}
                | {k: result.metrics[k] for k in KEYS}
            )
            print(rows[-1]["step"], draws, result.phase, flush=True)
    return rows


if __name__ == "__main__":
    torch.set_num_threads(1)
    run_dir, out, *steps = sys.argv[1:]
    rows = measure(RunFolder(run_dir), [int(s) for s in steps])
    Path(out).write_text(json.dumps(rows, indent=1) + "\n")
