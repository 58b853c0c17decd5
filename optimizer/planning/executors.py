"""Where a portfolio's practices are planned: one interface, :class:`concurrent.futures.Executor`.

* :func:`local_executor` — a process pool on this machine (all cores by default). Workers start
  from a fork server that has already imported the planner, so each costs a fork, not an import;
  each reads a year's CMS catalog once (memoised per process).
* :func:`cluster_executor` — a Dask distributed cluster (``pip install 'mips-optimizer[cluster]'``):
  ``distributed.Client(address).get_executor()`` is an Executor too, so the portfolio runs the same
  code either way. Each worker needs the project installed (the CMS data ships with it) and must see
  the scenario and baseline files at the paths the client names (a shared file system); the reports
  come back to the client, which writes them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from optimizer.errors import MipsError



def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says, else all)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def start_worker() -> None:
    """A local worker's initializer: standard output goes to the null device (the parent's stdout
    carries the summary only; a solver library may print there)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    except OSError:
        pass


@contextmanager
def local_executor(jobs: int | None, tasks: int, worker_module: str) -> Iterator[tuple[Executor, int]]:
    """A process pool of ``jobs`` workers (default: every core), never more than ``tasks``; yields it
    and its number of workers. Workers start from a fork server where the platform has one (Linux,
    macOS), which imports ``worker_module`` (the module of the function the workers run) once, else
    each is spawned."""
    workers = max(1, min(jobs or available_cores(), tasks))
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([worker_module])
    else:
        context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker)
    try:
        yield executor, workers
    except BaseException:
        executor.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        executor.shutdown(wait=True)


@contextmanager
def cluster_executor(address: str) -> Iterator[tuple[Executor, int]]:
    """The Executor of the Dask cluster whose scheduler listens at ``address`` (``tcp://host:8786``);
    yields it and the cluster's worker threads.

    Raises
    ------
    MipsError
        Dask distributed is not installed, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError:
        raise MipsError(
            "--scheduler needs Dask distributed, which is not installed: pip install 'mips-optimizer[cluster]'"
        ) from None
    import dask.config
    from dask.utils import parse_timedelta

    wait = parse_timedelta(dask.config.get("distributed.comm.timeouts.connect"))  # Dask's setting, 30 s by default
    try:
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise MipsError(f"--scheduler {address}: cannot connect to the Dask scheduler ({type(error).__name__}: {error})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=wait)
        except TimeoutError:
            raise MipsError(f"--scheduler {address}: the cluster has no workers (none joined in {wait:g} s)") from None
        threads = sum(client.nthreads().values())
        executor = client.get_executor(pure=False)
        try:
            yield executor, threads
        except BaseException:
            executor.shutdown(wait=False)
            raise
        else:
            executor.shutdown(wait=True)
    finally:
        client.close()
