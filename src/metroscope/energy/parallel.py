"""Run many independent simulations: in process, on local processes, or on a Dask cluster.

One function, :func:`run_jobs`, maps a picklable function over items and returns the results
in input order, with a rich progress bar. The backend comes from a registry
(:data:`BACKENDS`): ``dask`` when ``DASK_SCHEDULER_ADDRESS`` is set (or a
``dask.distributed.Client`` is passed), ``processes`` (a ``ProcessPoolExecutor``) when more
than one worker is asked for, ``serial`` otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["BACKENDS", "choose_backend", "run_jobs"]

T = TypeVar("T")
R = TypeVar("R")
Tick = Callable[[], None]


def _progress(description: str, total: int, show: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not show,
        transient=False,
    )


def _serial(
    fn: Callable[[T], R], items: Sequence[T], workers: int, tick: Tick, client: Any
) -> list[R]:
    out = []
    for item in items:
        out.append(fn(item))
        tick()
    return out


def _processes(
    fn: Callable[[T], R], items: Sequence[T], workers: int, tick: Tick, client: Any
) -> list[R]:
    results: list[Any] = [None] * len(items)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(fn, item): i for i, item in enumerate(items)}
        for fut in as_completed(futures):
            results[futures[fut]] = fut.result()
            tick()
    return results


def _dask(
    fn: Callable[[T], R], items: Sequence[T], workers: int, tick: Tick, client: Any
) -> list[R]:
    from dask.distributed import Client
    from dask.distributed import as_completed as dask_as_completed

    own = client is None
    if own:
        address = os.environ.get("DASK_SCHEDULER_ADDRESS", "")
        if not address:
            raise RuntimeError("dask backend: set DASK_SCHEDULER_ADDRESS or pass a client")
        client = Client(address)
    try:
        futures = client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for fut in dask_as_completed(futures):
            results[index[fut.key]] = fut.result()
            tick()
        return results
    finally:
        if own:
            client.close()


BACKENDS: dict[str, Callable[..., list[Any]]] = {
    "serial": _serial,
    "processes": _processes,
    "dask": _dask,
}
"""Backend name → runner ``(fn, items, workers, tick, client) -> results``."""


def choose_backend(workers: int, client: Any = None) -> str:
    """``dask`` with a client or ``DASK_SCHEDULER_ADDRESS``; else ``processes`` or ``serial``."""
    if client is not None or os.environ.get("DASK_SCHEDULER_ADDRESS"):
        return "dask"
    return "processes" if workers > 1 else "serial"


def run_jobs(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int = 1,
    backend: str | None = None,
    client: Any = None,
    description: str = "simulating",
    show_progress: bool = True,
) -> list[R]:
    """Apply ``fn`` to every item, in parallel when asked; results keep the input order.

    Parameters
    ----------
    fn : callable
        A module-level (picklable) function of one item.
    items : sequence
        Its inputs (picklable).
    workers : int
        Local worker processes (ignored by the ``dask`` backend, whose cluster decides).
    backend : str, optional
        ``serial``, ``processes`` or ``dask``; chosen by :func:`choose_backend` by default.
    client : dask.distributed.Client, optional
        An existing Dask client (e.g. on a ``LocalCluster``).
    description : str
        Label of the progress bar.
    show_progress : bool
        Draw the rich progress bar (on the terminal's stderr).
    """
    if workers < 1:
        raise ValueError(f"--workers: must be >= 1, got {workers}")
    name = backend or choose_backend(workers, client)
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; accepted: {', '.join(BACKENDS)}")
    with _progress(description, len(items), show_progress) as bar:
        task = bar.add_task(f"{description} [{name}]", total=len(items))
        return BACKENDS[name](fn, items, workers, lambda: bar.advance(task), client)
