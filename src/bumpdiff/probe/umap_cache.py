"""umap-learn with its compiled functions kept on disk: ``reducer`` builds the seeded UMAP the
probe fits (metrics.umap_embed), ``warm`` is the fit ``make install`` runs once.

Why: umap-learn compiles its numba functions (the fuzzy simplicial set, the layout's epochs; some
with ``parallel=True``) on the first fit in every process and, unlike pynndescent, does not ask
numba to cache them. On the quick probe that first fit is almost all numba's compiler (cProfile; the
fit itself is short), paid again by every process that probes: both processes of an overlapped demo,
every sweep member, every test worker. numba's own on-disk cache (``Dispatcher.enable_caching``,
what ``@njit(cache=True)`` switches on) is enabled here on umap's module-level functions before the
first fit, so a process loads what an earlier one compiled (next to umap's sources, or under
``NUMBA_CACHE_DIR``) instead. numba checks each cached entry against the source file and the CPU and
recompiles when they differ; the embedding is the same either way (tested: a fresh process that
loads the cache embeds exactly as the one that compiled it).

Where one Python function stands behind two dispatchers (umap's layout epoch, compiled once with
``parallel=True`` and once without), only the serial one is cached, the one a seeded fit runs:
numba's cache index does not tell such variants apart, so a second cached one could load the
first one's code.
"""

from __future__ import annotations

import sys

from bumpdiff.devices import set_threads

_ENABLED: list[bool] = []


def _dispatchers() -> list:
    """umap's module-level numba dispatchers, each once."""
    from numba.core.registry import CPUDispatcher

    found = {}
    for name, module in list(sys.modules.items()):
        if name == "umap" or name.startswith("umap."):
            for obj in vars(module).values():
                if isinstance(obj, CPUDispatcher):
                    found[id(obj)] = obj
    return list(found.values())


def _cacheable(dispatchers: list) -> list:
    """The dispatchers that may be cached: those without a cache yet, and of several that wrap
    one Python function only the serial one (``parallel`` off; a seeded fit runs serially)."""
    from numba.core.caching import NullCache

    by_function: dict[int, list] = {}
    for d in dispatchers:
        by_function.setdefault(id(d.py_func), []).append(d)
    chosen = []
    for group in by_function.values():
        serial = [d for d in group if not d.targetoptions.get("parallel")]
        pick = group if len(group) == 1 else serial if len(serial) == 1 else []
        chosen += [d for d in pick if isinstance(d._cache, NullCache)]
    return chosen


def enable_disk_cache() -> int:
    """numba's on-disk cache on umap's cacheable dispatchers (``_cacheable``); returns how many
    were switched on."""
    todo = _cacheable(_dispatchers())
    for d in todo:
        d.enable_caching()
    return len(todo)


def reducer(n_components: int, n_neighbors: int, min_dist: float, seed: int):
    """A seeded ``umap.UMAP`` (single-threaded, repeatable; spectral start), umap's compiled
    functions cached on disk (module docstring)."""
    import numba
    import torch
    import umap

    if not _ENABLED:
        enable_disk_cache()
        _ENABLED.append(True)
    # umap's parallel functions on this process's threads (model.set_threads), not every core
    threads = torch.get_num_threads()
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
    # Starting numba's pool (its OpenMP layer) sets the OpenMP runtime torch computes with to
    # every core: the networks run after the first fit (the placement probe, and any network
    # until the threads are set again) took a second thread, on the training's core in an
    # overlapped demo. Put this process's count back.
    set_threads(threads)
    return umap.UMAP(
        n_components=n_components,
        n_neighbors=n_neighbors,
        min_dist=min_dist,
        random_state=seed,
        init="spectral",
    )


def warm() -> float:
    """Fit one small UMAP as the probe does (metrics.umap_embed's defaults), so the compiled
    functions are on disk before the first probe; returns the seconds it took (about one when
    the cache is already warm, mostly importing umap)."""
    import time
    import warnings

    import numpy as np

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reducer(3, 15, 0.1, 0).fit_transform(np.random.default_rng(0).normal(size=(64, 8)))
    return time.perf_counter() - start
