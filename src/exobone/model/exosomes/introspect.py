"""Questions the exosome layer asks of the model built so far: symbols, dependencies, values.

The layer never edits what the core and the scenario wrote; it reads the builder to decide how
to bind a mechanism (is the regulator a model symbol? does a process already depend on it?) and
to normalise secretion to the healthy amounts of the source cells.
"""

from __future__ import annotations

from collections.abc import Mapping

from exobone.errors import ModelError
from exobone.model import expressions as ex
from exobone.model.builder import ModelBuilder
from exobone.model.core import add_core
from exobone.model.exosomes.sources import ENDOGENOUS_CELLS
from exobone.model.processes import PROCESSES

__all__ = [
    "REGULATOR_SYMBOLS",
    "applies",
    "closure",
    "declared_sources",
    "evaluate",
    "expr_of",
    "healthy_reference",
    "model_symbol",
    "num",
    "values_of",
]

#: atlas regulator keys -> candidate symbols of the core or a scenario (first present wins)
REGULATOR_SYMBOLS: dict[str, tuple[str, ...]] = {
    "estrogen": ("estrogen",),
    "glucocorticoid": ("glucocorticoid", "glucocorticoids"),
    "MSTN": ("myostatin",),
    "TNF": ("tnf_alpha", "tnf"),
    "PTH": ("pth",),
    "wnt_pathway": ("wnt_signal", "wnt"),
}


def model_symbol(builder: ModelBuilder, key: str) -> str | None:
    """Return the model symbol standing for the atlas regulator ``key``, or None."""
    for name in REGULATOR_SYMBOLS.get(key, ()):
        if builder.has_symbol(name) and not name.startswith("m_"):
            return name
    return None


def closure(builder: ModelBuilder, expr: str) -> set[str]:
    """Return every name ``expr`` depends on, following assignments (not modifiers)."""
    seen: set[str] = set()
    todo = [expr]
    while todo:
        for name in ex.names_in(todo.pop()):
            if name in seen:
                continue
            seen.add(name)
            a = builder.get_assignment(name)
            if a is not None:
                todo.append(a.expr)
    return seen


def applies(builder: ModelBuilder, process: str, symbol: str) -> bool:
    """True if the model already makes ``process`` depend on ``symbol``.

    Looks at the factors contributed to the process so far and at the rate laws of the terms
    that carry its modifier (the core's own dependencies, e.g. Wnt in osteogenic commitment).
    """
    if process not in PROCESSES:
        return False
    if any(symbol in closure(builder, f.expr) for f in builder.factors(process)):
        return True
    modifier = PROCESSES[process].modifier
    for name in builder.term_names:
        term = builder.get_term(name)
        if term is not None and modifier in closure(builder, term.rate) \
                and symbol in closure(builder, term.rate):
            return True
    return False


def expr_of(builder: ModelBuilder, name: str) -> str | None:
    """Return the expression of assignment ``name``, or None."""
    a = builder.get_assignment(name)
    return a.expr if a is not None else None


def num(x: float) -> str:
    """Return ``x`` written as an expression literal (exact: ``repr`` of the float)."""
    return repr(float(x))


def declared_sources(builder: ModelBuilder) -> dict[str, str]:
    """Return ``{cell key: amount expression}`` of the source cells present in ``builder``.

    The core and scenarios declare them (``ModelBuilder.add_source``); for a hand-built builder
    without declarations, states named as in :data:`ENDOGENOUS_CELLS` are used.
    """
    declared = builder.sources
    if declared:
        return declared
    for cell, names in ENDOGENOUS_CELLS.items():
        for name in names:
            if builder.get_state(name) is not None:
                declared[cell] = name
                break
    return declared


def values_of(builder: ModelBuilder) -> dict[str, float]:
    """Return the numeric parameter values and initial state values of ``builder``."""
    out: dict[str, float] = {}
    for name in builder.parameter_names:
        p = builder.get_parameter(name)
        if p is not None:
            out[name] = p.value
    pending = []
    for name in builder.state_names:
        s = builder.get_state(name)
        if s is None:
            continue
        if isinstance(s.initial, str):
            pending.append((name, s.initial))
        else:
            out[name] = float(s.initial)
    for name, text in pending:  # initial values given as expressions over parameters
        value = evaluate(builder, out, text)
        if value is not None:
            out[name] = value
    return out


def evaluate(builder: ModelBuilder, values: Mapping[str, float],
             expr: str | None) -> float | None:
    """Evaluate ``expr`` with ``values`` (and the builder's functions).

    None when there is no expression, or it uses a name without a value (an assignment, a
    state of a scenario), or it is not a finite number: the callers then fall back to a
    documented default, so this is a question, not an approximation.
    """
    if expr is None:
        return None
    macros = ex.build_macros([(f.name, f.args, f.body) for f in builder.functions])
    try:
        return ex.evaluate(expr, values, macros=macros)
    except ModelError:
        return None


def healthy_reference(builder: ModelBuilder,
                      species: str) -> tuple[dict[str, float], dict[str, str]]:
    """Return (healthy values, healthy declared sources) from a fresh bone core."""
    ref = ModelBuilder("healthy-reference")
    add_core(ref, species=species)
    if not set(ref.state_names) <= set(builder.state_names):
        # not built on the bone core (a hand-made model): it is its own reference
        return values_of(builder), declared_sources(builder)
    return values_of(ref), declared_sources(ref)
