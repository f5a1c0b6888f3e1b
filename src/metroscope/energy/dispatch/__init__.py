"""Dispatch strategies: functions ``(problem, **options) -> Dispatch`` in one registry.

:data:`STRATEGIES` maps a name to its function. Built-in entries are imported on first use,
so the registry works even when an optional strategy's module is missing;
:func:`register_strategy` adds more (plugins use the same hook as the built-ins).

=============  ===============================================  ==========================
name           what it does                                     module
=============  ===============================================  ==========================
uncontrolled   charge at full power from arrival                :mod:`.rules`
pv_surplus     charge from PV surplus, top up late enough;      :mod:`.rules`
               V2G supplies the building when prices are high
optimal        perfect-foresight LP optimum (HiGHS)             :mod:`.optimal`
mpc            rolling horizon on forecasts                     :mod:`.mpc`
=============  ===============================================  ==========================
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from metroscope.energy.dispatch.problem import Dispatch, Problem

__all__ = ["STRATEGIES", "Strategy", "get_strategy", "register_strategy"]

Strategy = Callable[..., Dispatch]
"""``(problem: Problem, **options) -> Dispatch``."""

_BUILTIN: dict[str, tuple[str, str]] = {
    "uncontrolled": ("metroscope.energy.dispatch.rules", "uncontrolled"),
    "pv_surplus": ("metroscope.energy.dispatch.rules", "pv_surplus"),
    "optimal": ("metroscope.energy.dispatch.optimal", "optimal"),
    "mpc": ("metroscope.energy.dispatch.mpc", "mpc"),
}


class _Registry(Mapping[str, Strategy]):
    """Name → strategy; built-ins resolve lazily, missing modules are skipped."""

    def __init__(self) -> None:
        self._specs: dict[str, tuple[str, str]] = dict(_BUILTIN)
        self._loaded: dict[str, Strategy] = {}

    def register(self, name: str, fn: Strategy) -> None:
        self._loaded[name] = fn
        self._specs.pop(name, None)

    def _resolve(self, name: str) -> Strategy | None:
        if name in self._loaded:
            return self._loaded[name]
        spec = self._specs.get(name)
        if spec is None:
            return None
        try:
            module = importlib.import_module(spec[0])
        except ModuleNotFoundError as err:
            if err.name == spec[0]:
                return None  # not written yet / not installed
            raise
        fn = getattr(module, spec[1], None)
        if fn is not None:
            self._loaded[name] = fn
        return fn

    def __getitem__(self, name: str) -> Strategy:
        fn = self._resolve(name)
        if fn is None:
            raise KeyError(name)
        return fn

    def __iter__(self) -> Iterator[str]:
        names = list(self._loaded) + [n for n in self._specs if n not in self._loaded]
        return iter([n for n in names if self._resolve(n) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)


STRATEGIES: Mapping[str, Strategy] = _Registry()
"""Every available strategy by name (see the module docstring)."""


def register_strategy(name: str, fn: Strategy) -> None:
    """Add or replace a strategy under ``name``."""
    assert isinstance(STRATEGIES, _Registry)
    STRATEGIES.register(name, fn)


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``; a clear error lists the available ones."""
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; available: {', '.join(STRATEGIES)}") from None


def run_strategy(name: str, problem: Problem, **options: Any) -> Dispatch:
    """Dispatch ``problem`` with the strategy ``name``."""
    return get_strategy(name)(problem, **options)
