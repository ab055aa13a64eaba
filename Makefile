# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# CPU machines get the CPU build of torch (pinned, so pip never pulls a multi-GB CUDA wheel).
# GPU users: create .venv yourself and install a CUDA torch first (README, "GPU"); `make` keeps it.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
TORCH ?= torch==2.13.0
# The CPU build: from the wheel on disk where there is one (this project's machines), else from
# PyTorch's CPU index (PyPI's Linux torch wheel is the multi-GB CUDA build).
TORCH_LINKS := $(if $(wildcard /opt/wheels/torch-*),--find-links /opt/wheels,--index-url https://download.pytorch.org/whl/cpu)
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench bench-gpu clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q $(TORCH_LINKS) "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/python -c "from bumpdiff.probe.umap_cache import warm; warm()"  # umap's numba code, compiled once
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/bumpdiff run configs/quick.yaml --out runs/quick --resume

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks results
	$(BIN)/ruff format --check src tests benchmarks results

bench: $(STAMP)
	$(BIN)/bumpdiff bench --out benchmarks/cpu-2core.json

# One GPU, sized for a short lease (estimated from FLOPs, not measured): speed of the paper preset
# (its experiment trained for 2,000 steps), then the sampler study on the quick preset's model with
# 512 images per checkpoint; JSON and figures copied beside the benchmarks.
bench-gpu: $(STAMP)
	$(BIN)/bumpdiff bench --config configs/paper.yaml --device cuda --out benchmarks/gpu.json \
	  --set train.steps=2000 --set train.checkpoints=8
	$(BIN)/bumpdiff run configs/samplers.yaml --out runs/samplers-gpu --device cuda --resume \
	  --set 'samplers.candidates=["ddpm:250","ddpm:100","ddpm:50","ddim:50","dpmpp:20","ddpm:100:bf16"]'
	mkdir -p benchmarks/gpu-figures && cp runs/samplers-gpu/samplers.json benchmarks/gpu-samplers.json
	cp runs/samplers-gpu/figures/*.png runs/bench-phases/figures/*.png benchmarks/gpu-figures/

clean:
	rm -rf runs .pytest_cache
