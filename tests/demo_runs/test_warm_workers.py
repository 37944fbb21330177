"""Warm worker children: the worker's parent process initialises torch and prepares the demos' data before it forks,
each run still gets a fresh child (whose memory goes back when it exits), a spare child waits for the next run, and
the next child is forked as soon as a run ends, before the next task arrives."""

import itertools
import os
import subprocess
import sys
import time
from multiprocessing.connection import wait
from pathlib import Path

import billiard
import numpy as np
import pytest
import torch
from django.conf import settings

from demos.models import DemoRun
from demos.trainings import cnn_vs_mlp
from tests.processes import wait_for
from workers.pool import PromptlyReplacingAsynPool
from workers.warmup import warm_up_torch

QUICK = {"steps": 20, "depth": 4, "width": 8}


def proc(pid: int, name: str) -> str | None:
    """A file of /proc/<pid>, or None once the process is gone (it can go between listing and reading)."""
    try:
        return Path(f"/proc/{pid}/{name}").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None


def children(pid: int) -> set[int]:
    return {int(child) for child in (proc(pid, f"task/{pid}/children") or "").split()}


def maps_torch(pid: int) -> bool:
    return "libtorch_cpu" in (proc(pid, "maps") or "")


def released(pid: int) -> bool:
    """The process has exited: gone, or a zombie (which holds no memory) not yet reaped by its parent."""
    status = proc(pid, "status")
    return status is None or "\nState:\tZ" in status


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_each_run_gets_a_fresh_child_forked_from_a_warm_parent(api, start_worker):
    # beat's maintenance tasks (each also in a fresh child) first fall due in an hour: only the demo runs use children
    worker = start_worker(DEMO_MAINTENANCE_SECONDS="3600")
    parent = worker.process.pid
    assert maps_torch(parent), "the worker's parent should import torch before it forks"
    # beat and the pool's two children (one for the run, one to spare) inherit torch instead of importing it
    wait_for(lambda: len(now := children(parent)) == 3 and all(map(maps_torch, now)), 60, what="the pool")
    cached = list((Path(settings.DATA_DIR) / "demo-data").glob("mnist1d-*.npz"))
    assert cached, "the worker should prepare the MNIST-1D data before it starts"
    processes, seen = [], children(parent)
    for _ in range(2):
        response = api.post(
            "/api/demo-runs/", {"demo": "activation-gradients", "params": QUICK, "fresh": True}, format="json"
        )
        run_id = response.json()["id"]
        wait_for(lambda run_id=run_id: DemoRun.objects.get(pk=run_id).status == "succeeded", 120, what="the run")
        processes.append(int(DemoRun.objects.get(pk=run_id).worker.rsplit(" ", 1)[1]))
        wait_for(lambda: released(processes[-1]), 60, what="the child that ran it to exit, returning its memory")
        # nothing else is queued: its replacement is forked now, not when the next run arrives
        replacements = lambda seen=seen: {p for p in children(parent) - seen - set(processes) if maps_torch(p)}  # noqa: E731
        seen |= wait_for(replacements, 60, what="a fresh child, forked from the warm parent, before the next run")
    assert len(set(processes)) == 2 and parent not in processes


@pytest.mark.django_db(transaction=True)
@pytest.mark.services
def test_the_spare_child_runs_nothing_while_another_run_is_running(api, start_worker):
    start_worker(DEMO_MAINTENANCE_SECONDS="3600")
    run_ids = [
        api.post(
            "/api/demo-runs/", {"demo": "activation-gradients", "params": QUICK, "fresh": True}, format="json"
        ).json()["id"]
        for _ in range(3)
    ]
    finished = lambda: all(DemoRun.objects.get(pk=run_id).status == "succeeded" for run_id in run_ids)  # noqa: E731
    wait_for(finished, 180, what="the runs")
    runs = sorted(DemoRun.objects.filter(pk__in=run_ids), key=lambda run: run.started_at)
    assert all(earlier.finished_at <= later.started_at for earlier, later in itertools.pairwise(runs)), [
        (run.started_at, run.finished_at) for run in runs
    ]
    assert len({run.worker for run in runs}) == 3, "each run in a fresh child"


def close_exit_pipe_then_linger():
    os.closerange(3, 4096)  # among them the write end of the pipe whose closing tells the pool this child exited
    time.sleep(0.5)


def test_a_child_whose_exit_pipe_closed_is_reaped_before_the_pool_replaces_it():
    """The pipe closes a moment before the exiting child can be reaped (here the child stretches that moment). Had
    the pool looked for exited children in between, it would have found none and replaced none."""
    child = billiard.Process(target=close_exit_pipe_then_linger)
    child.start()
    assert wait([child.sentinel], 30), "the child should close its exit pipe"
    pool = object.__new__(PromptlyReplacingAsynPool)  # only the exit handler runs; it needs no running pool
    pool._untrack_child_process = lambda proc, hub: None
    exit_codes_seen_by_the_pool = []
    pool.maintain_pool = lambda: exit_codes_seen_by_the_pool.append(child.exitcode)
    pool._event_process_exit(None, child)
    assert exit_codes_seen_by_the_pool == [0]


def test_the_pool_is_not_blocked_by_an_exit_event_for_a_child_that_is_not_exiting():
    """An exit event for a live child (a stale event for a reused descriptor) must not block the worker's event loop
    until that child exits: the spare child waits for a task, so it never would."""
    child = billiard.Process(target=time.sleep, args=(60,))
    child.start()
    try:
        pool = object.__new__(PromptlyReplacingAsynPool)
        pool._untrack_child_process = lambda proc, hub: None
        pool.maintain_pool = lambda: None
        started = time.monotonic()
        pool._event_process_exit(None, child)
        assert time.monotonic() - started < 5
        assert child.is_alive()
    finally:
        child.terminate()
        child.join()


def test_warm_up_touches_neither_cuda_nor_autograd(monkeypatch):
    """CUDA initialised in the parent, or autograd's device threads started there, would break every forked child."""

    def forbid(module, name):
        def forbidden(*args, **kwargs):
            raise AssertionError(f"{module.__name__}.{name} called before the fork")

        monkeypatch.setattr(module, name, forbidden)  # one function each: torch's compiler registers them by identity

    for name in ("is_available", "device_count", "init", "_lazy_init"):
        forbid(torch.cuda, name)
    forbid(torch.autograd, "backward")
    forbid(torch.autograd, "grad")
    warm_up_torch()
    assert torch.get_num_threads() == 1
    assert not torch.cuda.is_initialized()


CHILD_AFTER_WARM_UP = """
import os, torch
from workers.warmup import warm_up_autograd, warm_up_torch
warm_up_torch()
pid = os.fork()
if pid == 0:
    warm_up_autograd()
    weight = torch.ones(3, requires_grad=True)
    (weight * 2).sum().backward()
    os._exit(0 if weight.grad.tolist() == [2.0, 2.0, 2.0] else 1)
os._exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
"""


def test_a_child_forked_after_the_warm_up_starts_autograd_and_trains():
    """The child's own warm-up (its first backward pass, while it waits for a run) works after the parent's."""
    done = subprocess.run([sys.executable, "-c", CHILD_AFTER_WARM_UP], cwd=settings.BASE_DIR, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()


def test_mnist1d_is_generated_once_and_then_read_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(cnn_vs_mlp, "_DATA", {})
    generated = cnn_vs_mlp.make_mnist1d(200, tmp_path)
    (saved,) = tmp_path.glob("mnist1d-*-200.npz")
    monkeypatch.setattr(cnn_vs_mlp, "_DATA", {})
    monkeypatch.setattr(cnn_vs_mlp, "_generate", lambda *args: pytest.fail("generated again"))
    loaded = cnn_vs_mlp.make_mnist1d(200, tmp_path)
    assert loaded.keys() == generated.keys() == set(cnn_vs_mlp.DATA_KEYS)
    assert all(np.array_equal(loaded[key], generated[key]) for key in loaded)
    assert len(loaded["x"]) == 160 and loaded["x"].shape[1] == cnn_vs_mlp.SIGNAL_LENGTH  # the 80/20 split
    assert saved.stat().st_size > 0
