"""Toy models with closed-form solutions, for testing solvers and events against exact answers."""

from __future__ import annotations

from exobone.model.parameters import Assumed, Parameter
from exobone.model.spec import Assignment, Event, ModelSpec, State, Term

_TEST = Assumed("test model with a closed-form solution; not biology")


def linear_decay(rate: float = 0.3, initial: float = 1.0) -> ModelSpec:
    """Return ``dx/dt = -rate * x``, ``x(0) = initial``; exact solution ``initial*exp(-rate*t)``.

    Examples
    --------
    >>> linear_decay(0.5).parameter_values
    {'k': 0.5}
    """
    return ModelSpec(
        "linear_decay",
        states=[State("x", initial, unit="1", description="decaying quantity")],
        parameters=[Parameter("k", rate, unit="1/day", bounds=(0.0, 1e3), source=_TEST,
                              description="first-order decay rate")],
        assignments=[Assignment("half_life", "log(2)/k", unit="day",
                                description="ln 2 / k")],
        terms=[Term("decay", "k*x", {"x": -1}, mechanisms=("TEST:decay",),
                    description="first-order loss")],
    )


def decay_with_bolus(rate: float = 0.3, dose: float = 2.0,
                     times: tuple[float, ...] = (2.0,)) -> ModelSpec:
    """Return linear decay from ``x(0)=1`` with a bolus ``x += dose`` at each time in ``times``.

    Exact solution: ``exp(-rate*t) + sum(dose*exp(-rate*(t - ti)) for ti <= t)``.
    """
    base = linear_decay(rate)
    dose_param = Parameter("dose", dose, unit="1", bounds=(0.0, 1e6), source=_TEST,
                           description="bolus size")
    return ModelSpec(
        "decay_with_bolus",
        states=base.states,
        parameters=(*base.parameters, dose_param),
        assignments=base.assignments,
        terms=base.terms,
        events=[Event("bolus", {"x": "x + dose"}, at_times=times,
                      description="instantaneous dose")],
    )


def logistic_growth(rate: float = 0.5, capacity: float = 10.0,
                    initial: float = 0.1) -> ModelSpec:
    """Return ``dx/dt = r*x*(1 - x/K)``, ``x(0) = initial``: a nonlinear known answer.

    Exact solution: ``K / (1 + (K/initial - 1) * exp(-r*t))``. Its sigmoid has a fast middle
    and flat ends, so an adaptive solver takes large steps and most save times fall between
    them, which tests a solver's dense output.

    Examples
    --------
    >>> logistic_growth().parameter_values
    {'r': 0.5, 'K': 10.0}
    """
    return ModelSpec(
        "logistic_growth",
        states=[State("x", initial, unit="1", description="growing population")],
        parameters=[
            Parameter("r", rate, unit="1/day", bounds=(0.0, 1e3), source=_TEST,
                      description="intrinsic growth rate"),
            Parameter("K", capacity, unit="1", bounds=(1e-12, 1e12), source=_TEST,
                      description="carrying capacity"),
        ],
        terms=[Term("growth", "r*x*(1 - x/K)", {"x": 1}, mechanisms=("TEST:growth",),
                    description="density-limited growth")],
    )
