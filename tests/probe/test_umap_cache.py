"""umap-learn's compiled functions cached on disk: switched on for the functions a probe's fit
compiles, on only the serial one of two dispatchers of one Python function, and a fresh process
loads the cache (no compilation) and embeds exactly as the process that compiled it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from numba.core.caching import NullCache

from bumpdiff.probe import umap_cache

# a fresh process fits the probe's UMAP and reports its embedding and numba's cache counters
FIT = """
import json, numpy as np
from bumpdiff.probe.metrics import umap_embed
from bumpdiff.probe.umap_cache import _dispatchers
x = np.random.default_rng(3).normal(size=(40, 6))
e = umap_embed(x)
lazy = [d for d in _dispatchers() if d._can_compile]  # not compiled eagerly at import
hits = sum(sum(d.stats.cache_hits.values()) for d in lazy)
misses = sum(sum(d.stats.cache_misses.values()) for d in lazy)
print(json.dumps({"embedding": e.tolist(), "hits": hits, "misses": misses}))
"""


def test_caching_is_on_for_the_fit_and_on_one_of_two_variants():
    umap_cache.reducer(3, 15, 0.1, 0)
    import umap.layouts
    import umap.umap_

    for fn in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths):
        assert not isinstance(fn._cache, NullCache), fn
    # one Python function behind a serial and a parallel dispatcher: numba's index would mix
    # them, so only the serial one (a seeded fit's) is cached
    serial = umap.layouts._nb_optimize_layout_euclidean_single_epoch
    parallel = umap.layouts._nb_optimize_layout_euclidean_single_epoch_parallel
    assert serial.py_func is parallel.py_func
    assert not isinstance(serial._cache, NullCache)
    assert isinstance(parallel._cache, NullCache)


def _fit_in_fresh_process() -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", FIT], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_fresh_process_loads_the_cache_and_embeds_alike():
    """This process fits first (compiling and writing the cache where it is missing, loading it
    where an earlier process wrote it); a fresh process then compiles nothing and embeds alike.
    One fresh process, not two in an empty cache folder: compiling umap from nothing costs the
    suite about 40 s, and the cache this process uses is the one every probe uses."""
    from bumpdiff.probe.metrics import umap_embed

    x = np.random.default_rng(3).normal(size=(40, 6))
    here = umap_embed(x)
    cached = [d for d in umap_cache._dispatchers() if not isinstance(d._cache, NullCache)]
    assert cached and all(Path(d._cache._cache_path).is_dir() for d in cached)
    assert any(any(Path(d._cache._cache_path).glob("*.nbi")) for d in cached), "no cache index"
    fresh = _fit_in_fresh_process()
    assert fresh["hits"] > 0 and fresh["misses"] == 0  # nothing compiled again
    assert fresh["embedding"] == here.tolist()


# a fresh process on one thread starts numba's pool, by umap_cache.reducer or (the control) by
# numba alone, and reports torch's threads and those of every OpenMP runtime loaded
THREADS = """
import json, sys, numba, torch
from threadpoolctl import threadpool_info
from bumpdiff.devices import set_threads
from bumpdiff.probe.umap_cache import reducer
set_threads(1)
if sys.argv[1] == "reducer":
    reducer(3, 15, 0.1, 0)
else:
    numba.set_num_threads(1)
omp = [p for p in threadpool_info() if p["internal_api"] == "openmp"]
torch_omp = [p["num_threads"] for p in omp if "torch" in p["filepath"]]
print(json.dumps({"torch": torch.get_num_threads(), "torch_openmp": torch_omp,
                  "openmp": [p["num_threads"] for p in omp]}))
"""


def _threads_after(start: str) -> dict:
    env = {**os.environ, "NUMBA_NUM_THREADS": "2"}  # a pool of two, even on one core
    env.pop("OMP_NUM_THREADS", None)
    out = subprocess.run(
        [sys.executable, "-c", THREADS, start], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_starting_umaps_threads_leaves_torch_and_openmp_on_the_process_threads():
    """Starting numba's pool sets the OpenMP runtime torch computes with (oneDNN's convolutions
    ask it for their threads) to numba's pool size: the control, torch's runtime on 2 threads
    after set_threads(1). After ``reducer`` every runtime is back on the one thread."""
    control = _threads_after("numba")
    assert control["torch_openmp"] == [2]
    after = _threads_after("reducer")
    assert after["torch"] == 1 and after["torch_openmp"] == [1] and set(after["openmp"]) == {1}
