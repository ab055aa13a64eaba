"""Running a sweep's members: as Ray tasks (locally on this machine's cores, or on an existing
cluster by address) or, without Ray, one after another. Each member is a full run of its
experiment in ``<sweep folder>/<member>/``, resumed where it stopped; ``sweep.json`` in the sweep
folder records every member's status, so running the sweep again skips finished members.

Ray is the field's engine for this and stays optional (``pip install bumpdiff[ray]``): the code
paths are the same function, called in-process or as a remote task.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bumpdiff.config import ConfigError
from bumpdiff.devices import resolve_device, resolve_precision
from bumpdiff.store.lock import claim
from bumpdiff.store.runfolder import RunFolder, atomic_write_text
from bumpdiff.sweep.spec import Member, SweepSpec, member_config, more_members
from bumpdiff.sweep.status import STATUS, read_status, record_status  # noqa: F401 (STATUS re-exported)
from bumpdiff.training.same_training import training_difference
from bumpdiff.training.stops import interrupt_on_stop_signals, stopped_instead


def run_member(base: str, member: Member, root: str, threads: int | None = None) -> dict:
    """Run (or resume) one member to the end; raises what the run raises."""
    from bumpdiff.experiments import run_experiment  # heavy: only where a member runs

    cfg = member_config(Path(base), member)
    if threads is not None:
        cfg = cfg.model_copy(update={"train": cfg.train.model_copy(update={"threads": threads})})
    t0 = time.perf_counter()
    with claim(Path(root) / member.name, f"bumpdiff sweep member {member.name}"):
        lines = run_experiment(cfg, Path(root) / member.name, True, lambda _: None, progress=False)
    return {"status": "done", "seconds": time.perf_counter() - t0, "summary": lines[-1]}


# What a finished member's analysis depends on besides its training: a member analysed with
# other settings (e.g. an earlier evaluation sampler of the base preset) is run again, and the
# resume rule redoes only the analysis made with other settings.
ANALYSIS_SECTIONS = ("sample", "eval", "probe", "phase", "trajectory")


def is_done(root: Path, member: Member, status: dict[str, dict], base: Path | None = None) -> bool:
    """Finished earlier: recorded as done, its report still there and written after its
    config.yaml (a run rewrites the config when it starts and the report when it ends, so a
    re-run stopped in between is not finished, whatever an older sweep.json says) and (given the
    sweep's ``base`` preset) trained and analysed as the member's config now asks. A base asking
    for more ``train.steps`` continues the member's training; any other change of what it trains
    (``training_difference``: the compute settings aside, ``train.cpu_precision`` resolved as
    training resolves it) runs the member again, where the resume rule refuses it in one line
    instead of taking the old model for the new one's."""
    done = status.get(member.name, {}).get("status") == "done"
    run = RunFolder(root / member.name)
    report, config = run.report_path, run.config_path
    if not (done and report.is_file() and config.is_file()):
        return False
    if report.stat().st_mtime_ns < config.stat().st_mtime_ns:
        return False
    if base is None:
        return True
    saved_cfg = run.read_config()
    try:
        now_cfg = member_config(base, member)
        now_cfg = resolve_precision(now_cfg, resolve_device(now_cfg.train.device))
    except ConfigError:  # the member's run says why, as its own error
        return False
    saved, now = saved_cfg.model_dump(mode="json"), now_cfg.model_dump(mode="json")
    same_steps = saved["train"]["steps"] == now["train"]["steps"]
    same_training = training_difference(saved_cfg, now_cfg) is None
    return same_steps and same_training and all(saved[k] == now[k] for k in ANALYSIS_SECTIONS)


def _error(err: BaseException) -> str:
    """The member's own error, on one line (Ray wraps it; its cause is the original)."""
    cause = getattr(err, "cause", None) or err
    return f"{type(cause).__name__}: {cause}".splitlines()[0]


def _line(i: int, n: int, member: Member, entry: dict) -> str:
    failed = f" ({entry['error']})" if entry["status"] == "failed" else ""
    return f"[{i}/{n}] {member.name}: {entry['status']}{failed}"


def run_in_turn(spec: SweepSpec, base: Path, members, root: Path, log, run=run_member) -> None:
    """Without Ray: every pending member in this process, one after another."""
    status = read_status(root)
    for i, member in enumerate(members):
        for attempt in range(1, spec.retries + 2):
            try:
                entry = {**run(str(base), member, str(root)), "attempts": attempt}
                break
            except Exception as err:  # a member's failure is reported, never fatal to the sweep
                if stopped_instead(err):  # unless it is a stop a library turned into an error
                    raise KeyboardInterrupt from None
                entry = {"status": "failed", "error": _error(err), "attempts": attempt,
                         "traceback": traceback.format_exc(limit=5)}  # fmt: skip
        record_status(root, status, member, entry)
        log(_line(i + 1, len(members), member, entry))


WAIT_SECONDS = 1.0  # how often the Ray loop looks up from waiting (a Ctrl-C is seen at once)
STOP_SECONDS = 60.0  # how long a stop waits for running members to save their checkpoints


def _stop(ray, refs, log) -> None:
    """Ctrl-C: cancel the members not yet finished; a running one gets a KeyboardInterrupt, on
    which its training saves where it stopped (as ``bumpdiff train`` does), so the sweep resumes
    from there; waits up to STOP_SECONDS for them."""
    log(f"interrupted: stopping {len(refs)} member(s) not finished (their checkpoints are kept)")
    for ref in refs:
        ray.cancel(ref)
    ray.wait(refs, num_returns=len(refs), timeout=STOP_SECONDS)


def run_on_ray(spec, base: Path, members, root: Path, log, address, workers: int | None) -> None:
    """Every pending member as a Ray task: ``spec.cpus`` cores and ``spec.gpus`` GPUs each, up
    to ``workers`` at once locally (default: as many as the cores hold), retried ``spec.retries``
    times on any error, then reported with it."""
    import ray

    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        cores = None if workers is None else workers * spec.cpus
        ray.init(num_cpus=cores, include_dashboard=False, log_to_driver=False)
    interrupt_on_stop_signals()  # Ray installs its own SIGTERM handler (exit 1): ours again
    try:
        task = ray.remote(num_cpus=spec.cpus, num_gpus=spec.gpus, max_retries=spec.retries,
                          retry_exceptions=True)(run_member)  # fmt: skip
        threads = max(1, int(spec.cpus))
        refs = {task.remote(str(base), m, str(root), threads): m for m in members}
        status, pending, finished = read_status(root), list(refs), 0
        while pending:
            try:  # a Ctrl-C here stops the members cleanly (_stop), not with the driver
                ready, pending = ray.wait(pending, num_returns=1, timeout=WAIT_SECONDS)
            except KeyboardInterrupt:
                _stop(ray, pending, log)
                raise
            if not ready:
                continue
            member = refs[ready[0]]
            try:
                entry = {**ray.get(ready[0]), "attempts": None}
            except Exception as err:  # reported with its error after Ray's retries
                entry = {"status": "failed", "error": _error(err), "attempts": spec.retries + 1}
            finished += 1
            record_status(root, status, member, entry)
            log(_line(finished, len(members), member, entry))
    finally:
        ray.shutdown()


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def run_sweep(
    spec: SweepSpec,
    base: Path,
    members: list[Member],
    root: Path,
    log: Callable[[str], None],
    address: str | None = None,
    workers: int | None = None,
    use_ray: bool | None = None,
) -> dict[str, dict]:
    """Run every member not finished before; returns the status of all of them."""
    root.mkdir(parents=True, exist_ok=True)
    status = read_status(root)
    pending = [m for m in members if not is_done(root, m, status, base)]
    log(f"{len(members) - len(pending)} of {len(members)} members finished before; "
        f"{len(pending)} to run")  # fmt: skip
    for member in pending:  # no longer "done" until this run of it ends, so neither the next
        # sweep nor the aggregate takes a member whose re-run was interrupted for finished
        if status.get(member.name, {}).get("status") == "done":
            record_status(root, status, member, {"status": "pending"})
    installed = ray_available()
    if address and not installed:
        raise ConfigError("address: connecting to a cluster needs Ray: pip install 'bumpdiff[ray]'")
    if pending and installed and use_ray is not False:
        run_on_ray(spec, base, pending, root, log, address, workers)
    elif pending:
        why = "Ray is not installed" if not installed else "Ray not used (--no-ray)"
        log(f"{why}: running the members one after another in this process")
        run_in_turn(spec, base, pending, root, log)
    return read_status(root)


MORE = "more-seeds.json"


def run_more_seeds(spec: SweepSpec, base: Path, root: Path, log,
                   **how) -> dict[str, dict]:  # fmt: skip
    """``spec.more_seeds``: compare every finished group with the baseline
    (``aggregate.moved_settings``), write the decision to more-seeds.json and run the groups that
    move a fraction by more than the threshold with the extra seeds. Returns the status."""
    from bumpdiff.sweep.aggregate import member_rows, moved_settings

    more = spec.more_seeds
    rows = member_rows(root, read_status(root))
    moved = moved_settings(rows, more.baseline, more.threshold) if not rows.empty else {}
    atomic_write_text(root / MORE, json.dumps(moved, indent=1, sort_keys=True) + "\n")
    extra = more_members(spec, {g for g, m in moved.items() if m["more"]})
    for group, m in moved.items():
        if m["more"]:
            log(f"{group} moves {m['outcome']} by {m['move']:.2f} at step {m['step']} (more than "
                f"{more.threshold:g}): seeds {more.seeds} added")  # fmt: skip
    return run_sweep(spec, base, extra, root, log, **how) if extra else read_status(root)
