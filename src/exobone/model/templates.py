"""Rate-law templates: one per atlas mechanism kind, in an explicit registry.

The exosome layer (:mod:`exobone.model.exosomes`) *resolves* a mechanism into a
:class:`Binding`: the signal that drives it (an exosome pool, a regulator level, a
preconditioning flag) with its healthy baseline, and the sinks it acts on (a core process, the
secretion of an exosome pool, the cargo content of a pool). A template turns a binding into
numbers: the mechanism's own parameters and one dimensionless factor per sink. Templates are pure
functions (no builder, no atlas), so each form can be tested on its own.

The common form
---------------
Every template with a rate effect uses the same saturating (Emax) response, normalised to the
healthy baseline so that compiling a mechanism never moves the healthy steady state the core
was calibrated to::

    H(S)     = 1 + Emax * S / (S + EC50)
    increase:  f = H(S) / H(S0)
    decrease:  f = H(S0) / H(S)

``S`` is the signal, ``S0`` its baseline (``0`` for exogenous exosomes, so ``f = H(S)`` or
``1/H(S)``). ``f`` is bounded: between ``1/(1 + Emax)`` and ``1 + Emax``; a decrease never
drives a rate negative and an increase saturates, as a receptor-mediated or miRNA-target
response does (the hyperbolic Emax model of pharmacodynamics; Holford & Sheiner 1981). The atlas
gives the direction of each effect but no magnitudes, so ``Emax`` and ``EC50`` are
``Assumed`` with wide bounds and are named after the mechanism id (``mech_1036_emax``) so that a
sensitivity analysis can aggregate by mechanism.

Combining the mechanisms of one source on one process
----------------------------------------------------
Several atlas claims often say the same thing of one source (a general "MSC exosomes promote
osteogenesis" and three specific miRNAs of BMSC exosomes): as separate Emax factors they would
multiply, so a dose could raise a rate by ``(1 + Emax)^n`` without limit in ``n``. Exosome
transfers therefore do not get a factor each. Each contributes a signed *drive* (a
:class:`Drive`) to the group of its source family (:data:`~exobone.model.exosomes.sources.
SOURCE_PARENTS`: every MSC source is ``msc``) and process::

    D = sum_i  s_i * w_i * (S_i - S0_i) / EC50_i        (s_i = +1 increase, -1 decrease)
    f = (1 + Emax_g*max(D, 0)/(1 + |D|)) / (1 + Emax_g*max(-D, 0)/(1 + |D|))

That is, one Emax response to the summed, EC50-scaled signals of the group: concentration
addition (Loewe additivity) of agonists that share one maximal effect, the standard null model
for agents acting on the same response. ``f`` is 1 in health (``D = 0``), rises to at most
``1 + Emax_g`` for a net stimulating drive and falls to no less than ``1/(1 + Emax_g)`` for a net
inhibiting one, whatever the doses or how many claims the atlas holds; opposite signs net out;
the two branches join smoothly at ``D = 0`` (slope ``Emax_g`` on both sides). Each mechanism keeps
its weight ``mech_<id>_weight`` (1) and ``mech_<id>_ec50``; the shared ceiling is
``exo_emax__<group>__<process>`` (:func:`shared_emax_parameter`), one per source family and
process (assumed; the split between processes is not measured).

Endogenous and administered exosomes get one such response each
-----------------------------------------------------------------
A family's signal has two parts: its endogenous pools (the animal's own cells) and its dose
pools (exosomes administered from cultured donor cells). Each part drives its own bounded
response, and the two multiply::

    f = f(D_endo; Emax_g) * f(D_dose; s_g*Emax_g)

The endogenous response reads only departures from health (``S - S0``): the data the healthy
and OVX cores were calibrated to come from animals that secrete their own exosomes, so what
those exosomes do at their usual level is already in the calibrated rates, and the assumed ceiling ``Emax_g`` only
shapes how their changes (fewer BMSCs after OVX, a Rab27a knockdown) act. A dose is a separate
cargo pool (vesicles of another preparation, amount and cargo per vesicle, delivered at once to
the site) whose maximal effect is what treated-versus-control experiments measure: its ceiling
is ``s_g*Emax_g``, where ``s_g = exo_dose_emax_scale__<group>`` (:func:`dose_emax_scale_parameter`)
is what the Kirkham 2022 meta-analysis fits for the MSC family. Fitting ``s_g`` thus cannot move
an untreated animal (no dose pool, no dose response); the product stays bounded
(``(1 + Emax_g)(1 + s_g*Emax_g)`` at most).

Regulations, release controls and cargo profiles keep one factor per mechanism: their signal is
a distinct regulator each, not one dose seen through several claims.

Adding a kind: write one function ``(binding) -> Compiled`` with a numpydoc docstring and
References, decorate it with ``@register_template("<kind>")``, and add a test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from exobone.atlas.records import Direction, Mechanism
from exobone.errors import DuplicateRegistrationError, unknown_name
from exobone.model.parameters import Assumed, Parameter

__all__ = [
    "DEFAULT_EMAX",
    "DEFAULT_SHARED_EMAX",
    "TEMPLATES",
    "Binding",
    "Compiled",
    "Drive",
    "RateTemplate",
    "Signal",
    "Sink",
    "combined_factor",
    "dose_emax_scale_parameter",
    "drive_term",
    "emax_factor",
    "get_template",
    "mechanism_prefix",
    "register_template",
    "require_template",
    "shared_emax_parameter",
]

SinkKind = Literal["process", "secretion", "cargo"]

#: why magnitudes are assumed (recorded on every mechanism parameter)
MAGNITUDE_NOT_MEASURED = "direction from the atlas; magnitude not measured in the seeds"
#: default Emax of a mechanism with a factor of its own (regulations, release controls, cargo
#: profiles, transfers onto secretion): at saturation it changes its rate by at most +50% (or
#: to 1/1.5). Exosome transfers onto processes share one ceiling per source family instead.
DEFAULT_EMAX = 0.5
#: default ceiling of one source family on one process (:func:`shared_emax_parameter`)
DEFAULT_SHARED_EMAX = 0.5
#: why the shared ceiling has its value
SHARED_EMAX_REASON = (
    "no magnitude in the seeds: at saturation one exosome source raises a process rate by at "
    "most 50 % (or lowers it to 1/1.5), the per-claim default before claims were combined; "
    "to be fitted per source and process with `exobone calibrate` where data exist")


@dataclass(frozen=True)
class Signal:
    """The input that drives a mechanism, as the layer resolved it.

    Attributes
    ----------
    expr
        Expression of the current level (e.g. ``exo_osteoclast * cargo_osteoclast_miR_214``).
    baseline
        Expression of the level in the healthy reference; ``"0"`` when the signal is absent
        in health (exogenous exosomes, a drug, a preconditioning flag).
    unit
        Unit of the signal (``"ug"`` of exosome protein, ``"1"`` for relative levels).
    ec50
        Default EC50 in the signal's unit, and ``ec50_bounds`` its plausible range.
    description
        What the signal is, in words.
    """

    expr: str
    baseline: str = "0"
    unit: str = "1"
    ec50: float = 1.0
    ec50_bounds: tuple[float, float] = (0.1, 10.0)
    description: str = ""
    group: str = ""
    """Source family of an exosome signal (``msc``, ``osteoclast``): the mechanism's process
    effects join that family's combined response (empty: one factor per mechanism)."""
    dose_expr: str = ""
    """Administered part of an exosome signal (the source's dose pools; 0 until dosed, absent
    in health): it drives the family's separate dosed response (module docstring). ``expr`` is
    then the endogenous part only."""

    @property
    def total(self) -> str:
        """Endogenous plus administered level (what a factor of its own responds to)."""
        return f"{self.expr} + {self.dose_expr}" if self.dose_expr else self.expr


@dataclass(frozen=True)
class Sink:
    """What a mechanism scales.

    Attributes
    ----------
    kind
        ``"process"`` (a core process, via its modifier ``m_<name>``), ``"secretion"`` (the
        secretion of exosome pool ``name``) or ``"cargo"`` (the cargo-content assignment
        ``name`` of a pool).
    name
        Process name, pool state name, or cargo assignment name.
    direction
        Sign of the effect on this sink.
    """

    kind: SinkKind
    name: str
    direction: Direction


@dataclass(frozen=True)
class Binding:
    """A mechanism with its resolved signal and sinks (built by the exosome layer)."""

    mechanism: Mechanism
    signal: Signal | None
    sinks: tuple[Sink, ...] = ()


@dataclass(frozen=True)
class Drive:
    """One mechanism's signed share of its source family's combined drive on a process.

    Attributes
    ----------
    sink
        The process (and the mechanism's sign on it).
    group
        Source family (``msc``): mechanisms of one family on one process share one response.
    term
        Signed expression ``±w*(S - S0)/EC50`` of the endogenous signal (0 in health).
    dose_term
        Signed expression ``±w*S_dose/EC50`` of the administered signal (empty without one).
    """

    sink: Sink
    group: str
    term: str
    dose_term: str = ""


@dataclass(frozen=True)
class Compiled:
    """What a template produced for one mechanism.

    Attributes
    ----------
    mechanism
        Mechanism id.
    parameters
        Parameters the mechanism owns (named ``mech_<digits>_<what>``).
    factors
        ``(sink, expression)`` pairs: multiply the sink by the expression.
    drives
        Shares of combined responses (exosome transfers on processes; module docstring).
    note
        For templates without a rate effect: why (empty otherwise).
    """

    mechanism: str
    parameters: tuple[Parameter, ...] = ()
    factors: tuple[tuple[Sink, str], ...] = ()
    note: str = ""
    drives: tuple[Drive, ...] = ()

    @property
    def has_effect(self) -> bool:
        """True when the template contributed at least one factor or drive."""
        return bool(self.factors or self.drives)


RateTemplate = Callable[[Binding], Compiled]

TEMPLATES: dict[str, RateTemplate] = {}


def register_template(kind: str) -> Callable[[RateTemplate], RateTemplate]:
    """Register ``fn`` as the template of mechanism ``kind`` (decorator).

    Raises
    ------
    DuplicateRegistrationError
        If a template for ``kind`` is already registered.
    """
    def add(fn: RateTemplate) -> RateTemplate:
        if kind in TEMPLATES:
            owner = TEMPLATES[kind].__module__
            raise DuplicateRegistrationError(f"template {kind!r} is already registered by {owner}")
        TEMPLATES[kind] = fn
        return fn
    return add


def get_template(kind: str) -> RateTemplate | None:
    """Return the template of mechanism ``kind``, or None."""
    return TEMPLATES.get(kind)


def require_template(kind: str) -> RateTemplate:
    """Return the template of mechanism ``kind``; raise UnknownNameError with a suggestion."""
    found = TEMPLATES.get(kind)
    if found is None:
        raise unknown_name("mechanism kind (template)", kind, TEMPLATES)
    return found


# --------------------------------------------------------------------- helpers
def mechanism_prefix(mechanism_id: str) -> str:
    """Return the parameter-name prefix of a mechanism: ``MECH:1036`` -> ``mech_1036``."""
    return "mech_" + mechanism_id.split(":", 1)[-1]


def _wrap(expr: str) -> str:
    return expr if expr.replace("_", "").isalnum() else f"({expr})"


def emax_factor(signal: str, baseline: str, emax: str, ec50: str, direction: Direction) -> str:
    """Return the normalised saturating factor for ``direction`` (see the module docstring).

    Parameters
    ----------
    signal, baseline
        Expressions of the current and healthy signal level.
    emax, ec50
        Names (or expressions) of the maximal relative effect and the half-effect level.
    direction
        ``increase`` or ``decrease``.

    Raises
    ------
    ValueError
        For a direction without a sign (``mixed``, ``none``).

    Examples
    --------
    >>> emax_factor("E", "0", "a", "k", Direction.INCREASE)
    '(1 + a*E/(E + k))'
    >>> emax_factor("E", "E0", "a", "k", Direction.DECREASE)
    '(1 + a*E0/(E0 + k))/(1 + a*E/(E + k))'
    """
    s, s0 = _wrap(signal), _wrap(baseline)
    h = f"(1 + {emax}*{s}/({s} + {ec50}))"
    h0 = None if baseline.strip() in ("0", "0.0") else f"(1 + {emax}*{s0}/({s0} + {ec50}))"
    if direction is Direction.INCREASE:
        return h if h0 is None else f"{h}/{h0}"
    if direction is Direction.DECREASE:
        return f"1/{h}" if h0 is None else f"{h0}/{h}"
    raise ValueError(f"direction {direction.value!r} has no sign; only increase/decrease "
                     f"mechanisms have a rate effect")


def drive_term(signal: str, baseline: str, weight: str, ec50: str,
               direction: Direction) -> str:
    """Return one mechanism's signed drive ``±w*(S - S0)/EC50`` (module docstring).

    Raises
    ------
    ValueError
        For a direction without a sign.

    Examples
    --------
    >>> drive_term("E", "0", "w", "k", Direction.INCREASE)
    'w*E/k'
    >>> drive_term("E", "E0", "w", "k", Direction.DECREASE)
    '-w*(E - E0)/k'
    """
    if direction not in (Direction.INCREASE, Direction.DECREASE):
        raise ValueError(f"direction {direction.value!r} has no sign; only increase/decrease "
                         f"mechanisms have a rate effect")
    s = _wrap(signal)
    delta = s if baseline.strip() in ("0", "0.0") else f"({signal} - {baseline})"
    sign = "" if direction is Direction.INCREASE else "-"
    return f"{sign}{weight}*{delta}/{ec50}"


def combined_factor(drive: str, emax: str) -> str:
    """Return the bounded response ``f(D)`` to a combined drive (module docstring).

    ``f`` is 1 at ``D = 0``, at most ``1 + emax`` and at least ``1/(1 + emax)``.

    Examples
    --------
    >>> combined_factor("D", "a")
    '(1 + a*max(D, 0)/(1 + abs(D)))/(1 + a*max(-D, 0)/(1 + abs(D)))'
    """
    d = _wrap(drive)
    return (f"(1 + {emax}*max({d}, 0)/(1 + abs({d})))"
            f"/(1 + {emax}*max(-{d}, 0)/(1 + abs({d})))")


def shared_emax_parameter(group: str, process: str, mechanisms: tuple[str, ...] = (),
                          value: float = DEFAULT_SHARED_EMAX) -> Parameter:
    """Return the ceiling ``exo_emax__<group>__<process>`` of one source family on a process."""
    ids = ", ".join(mechanisms)
    return Parameter(f"exo_emax__{group}__{process}", value, unit="1", bounds=(0.05, 5.0),
                     source=Assumed(SHARED_EMAX_REASON),
                     description=f"maximal relative change of {process} by {group} exosomes, "
                                 f"all their mechanisms together" + (f" ({ids})" if ids else ""))


#: why the scale of the dosed ceilings has its default value
DOSE_EMAX_SCALE_REASON = (
    "1 = a dose acts with the assumed ceilings; one number per source family, because the only "
    "published magnitude (Kirkham 2022, data/calibration/exosome-magnitudes.yaml) is one effect "
    "size of administered MSC-type exosomes and can identify one number, not one per process")


def dose_emax_scale_parameter(group: str) -> Parameter:
    """Return ``exo_dose_emax_scale__<group>``: the factor on every ceiling of a family's
    dosed response.

    The ceiling of administered exosomes of the family on a process is
    ``exo_dose_emax_scale__<group>*exo_emax__<group>__<process>``; the endogenous response
    keeps ``exo_emax__<group>__<process>`` (module docstring). A calibration to a
    treated-versus-control effect moves this scale (all processes together).
    """
    return Parameter(f"exo_dose_emax_scale__{group}", 1.0, unit="1", bounds=(0.1, 20.0),
                     source=Assumed(DOSE_EMAX_SCALE_REASON),
                     description=f"scale of every ceiling of administered {group} exosomes "
                                 f"(times exo_emax__{group}__<process>)")


def _emax_parameters(prefix: str, mech: Mechanism, signal: Signal,
                     emax: float = DEFAULT_EMAX) -> tuple[Parameter, Parameter]:
    evidence = "; ".join(dict.fromkeys(e.citation.short() for e in mech.evidence))
    what = f"{mech.id} ({mech.kind.value}: {mech.source} -> {mech.target} {mech.effect})"
    p_emax = Parameter(f"{prefix}_emax", emax, unit="1", bounds=(0.1, 5.0),
                       source=Assumed(MAGNITUDE_NOT_MEASURED),
                       description=f"maximal relative effect of {what}; evidence: {evidence}")
    p_ec50 = Parameter(f"{prefix}_ec50", signal.ec50, unit=signal.unit,
                       bounds=signal.ec50_bounds, source=Assumed(MAGNITUDE_NOT_MEASURED),
                       description=f"signal level giving half the maximal effect of {what} "
                                   f"(signal: {signal.description or signal.expr})")
    return p_emax, p_ec50


def _saturating(binding: Binding, *, emax: float = DEFAULT_EMAX) -> Compiled:
    mech, signal = binding.mechanism, binding.signal
    if signal is None:
        raise ValueError(f"{mech.id}: a {mech.kind.value} binding needs a signal")
    signed = [s for s in binding.sinks if s.direction in (Direction.INCREASE, Direction.DECREASE)]
    if not signed:
        return Compiled(mech.id, note=f"direction {mech.direction.value!r} has no sign: the "
                                      f"mechanism asserts no directed rate change")
    prefix = mechanism_prefix(mech.id)
    p_emax, p_ec50 = _emax_parameters(prefix, mech, signal, emax)
    combined = [s for s in signed if signal.group and s.kind == "process"]
    own = [s for s in signed if s not in combined]
    params: tuple[Parameter, ...] = (p_emax, p_ec50) if own else (p_ec50,)
    factors = tuple((s, emax_factor(signal.total, signal.baseline, p_emax.name, p_ec50.name,
                                    s.direction)) for s in own)
    drives: tuple[Drive, ...] = ()
    if combined:
        what = f"{mech.id} ({mech.kind.value}: {mech.source} -> {mech.target} {mech.effect})"
        p_weight = Parameter(f"{prefix}_weight", 1.0, unit="1", bounds=(0.0, 5.0),
                             source=Assumed(MAGNITUDE_NOT_MEASURED),
                             description=f"weight of {what} in the combined drive of "
                                         f"{signal.group} exosomes on its process")
        params = (*params, p_weight)
        drives = tuple(Drive(s, signal.group,
                             drive_term(signal.expr, signal.baseline, p_weight.name,
                                        p_ec50.name, s.direction),
                             drive_term(signal.dose_expr, "0", p_weight.name, p_ec50.name,
                                        s.direction) if signal.dose_expr else "")
                       for s in combined)
    return Compiled(mech.id, params, factors, drives=drives)


# --------------------------------------------------------------------- templates
@register_template("exosome_transfer")
def exosome_transfer(binding: Binding) -> Compiled:
    """Exosomes of a source cell change a process of a target cell (saturating in the dose).

    The signal is the exosome level reaching the target, in µg of exosome protein at the
    site: the sum of the source's pools (endogenous secretion and exogenous doses), each
    multiplied by the mean presence of the mechanism's cargo in that pool, so an antagomir,
    mimic or knockout of the cargo scales exactly the mechanisms it carries. On a process the
    mechanism adds its signed drive ``±w*(E - E0)/EC50`` to the one bounded response of its
    source family (module docstring: one Emax per family and process, so claims do not stack);
    ``E0`` is the healthy endogenous level of the source (0 for a source the body does not
    have). On a pool's secretion (exosomes that make their target release more) it keeps its
    own normalised Emax factor.

    Parameters
    ----------
    binding
        Signal: the summed exosome level; sinks: the process mapped from (target, effect) and
        the expression processes of its molecular targets.

    Returns
    -------
    Compiled
        Parameters ``mech_<id>_ec50`` and ``mech_<id>_weight`` with one drive per process
        sink (``mech_<id>_emax`` and a factor per secretion sink).

    References
    ----------
    .. [1] Holford NHG, Sheiner LB. Understanding the dose-effect relationship. Clin
       Pharmacokinet 1981;6:429-453 (the hyperbolic Emax model).
    .. [2] Guo et al. 2018 and Sun et al. 2019 (seeds 001, 004): direction of each transfer.
    """
    return _saturating(binding)


@register_template("regulation")
def regulation(binding: Binding) -> Compiled:
    """A molecule or condition already in the model scales a process of a target cell.

    The signal is the regulator's level: a model input (estrogen, glucocorticoid, myostatin,
    TNF-α as scenarios set them), the Rab27a activity of the target's pool, or the relative level
    of a gene or miRNA in the target cell (``level_<molecule>__<cell>``, 1 in health, which
    knockouts, mimics and antagomirs change). The factor is the normalised saturating form
    with the regulator's healthy level as baseline, so the mechanism acts only when the level
    departs from health.

    Parameters
    ----------
    binding
        Signal: the regulator level with its healthy baseline; sinks: the mapped process(es).

    Returns
    -------
    Compiled
        Parameters ``mech_<id>_emax`` and ``mech_<id>_ec50`` and one factor per sink.

    References
    ----------
    .. [1] Holford NHG, Sheiner LB. Clin Pharmacokinet 1981;6:429-453 (Emax model).
    .. [2] Lemaire V et al. J Theor Biol 2004;229:293-309 (hormone inputs scaling cell
       processes by saturating activator/repressor functions).
    """
    return _saturating(binding)


@register_template("release_control")
def release_control(binding: Binding) -> Compiled:
    """A gene or condition scales the exosome secretion of a cell (e.g. Rab27a, myostatin).

    Sinks are the secretion of the target cell's exosome pool(s). Rab27a itself is built into
    every pool's secretion as the activity ``rab27a_<cell>`` (1 in health; a knockdown lowers
    it), so a Rab27a record gives the secretion the factor ``rab27a_<cell>`` (linear: secretion
    of multivesicular bodies is proportional to the docking GTPase available; Ostrowski et al.
    2010). Any other regulator uses the normalised saturating form with its healthy baseline.

    Parameters
    ----------
    binding
        Signal: the regulator level (or the Rab27a activity, marked by ``signal.unit ==
        "rab27a"``); sinks: pool secretion.

    Returns
    -------
    Compiled
        One secretion factor per pool (and the Emax parameters for saturating regulators).

    References
    ----------
    .. [1] Ostrowski M et al. Rab27a and Rab27b control different steps of the exosome
       secretion pathway. Nat Cell Biol 2010;12:19-30.
    .. [2] Holford NHG, Sheiner LB. Clin Pharmacokinet 1981;6:429-453 (Emax model).
    """
    mech, signal = binding.mechanism, binding.signal
    if signal is not None and signal.unit == "rab27a":
        signed = [s for s in binding.sinks
                  if s.direction in (Direction.INCREASE, Direction.DECREASE)]
        factors = tuple((s, signal.expr if s.direction is Direction.INCREASE
                         else f"1/{_wrap(signal.expr)}") for s in signed)
        if not factors:
            return Compiled(mech.id, note=f"direction {mech.direction.value!r} has no sign")
        return Compiled(mech.id, (), factors)
    return _saturating(binding)


@register_template("cargo_profile")
def cargo_profile(binding: Binding) -> Compiled:
    """A cell state changes how much of a cargo a cell's exosomes carry.

    Sinks are cargo-content assignments of the target cell's pool(s); the factor multiplies the
    cargo's presence, so the mechanisms that cargo gates (see :func:`exosome_transfer`) get
    stronger or weaker. The signal is the condition: a model input (myostatin), or a flag that
    is 1 for a preconditioned exogenous source (TNF-α-primed adipose MSCs) and 0 otherwise.
    A profile whose condition is not in the model compiles to nothing and is reported.

    Parameters
    ----------
    binding
        Signal: the condition level; sinks: cargo assignments.

    Returns
    -------
    Compiled
        Emax parameters and one cargo factor per sink.

    References
    ----------
    .. [1] Lu et al., Tissue Eng Part A 2017 (as cited in Guo et al. 2018, seed 001): TNF-α
       raises Wnt-3a in adipose MSC exosomes (MECH:1018).
    .. [2] Holford NHG, Sheiner LB. Clin Pharmacokinet 1981;6:429-453 (Emax model).
    """
    return _saturating(binding)


@register_template("uptake")
def uptake(binding: Binding) -> Compiled:
    """Exosomes of a source are taken up by a target cell: no rate effect of its own.

    Uptake is part of every pool's dynamics (a first-order uptake term proportional to the
    target cells present, beside clearance), and its consequences are the transfer mechanisms
    of the same source and target. An uptake record says *that* the vesicles get in (the
    route), not what they change, so compiling it as a factor would count the transfer twice.
    It is reported as "kind without rate effect".

    Parameters
    ----------
    binding
        Ignored except for the mechanism id.

    Returns
    -------
    Compiled
        No parameters, no factors, and the reason in ``note``.

    References
    ----------
    .. [1] Mulcahy LA, Pink RC, Carter DRF. Routes and mechanisms of extracellular vesicle
       uptake. J Extracell Vesicles 2014;3:24641.
    """
    return Compiled(binding.mechanism.id,
                    note="uptake is the route, not an effect: it is in every pool's uptake "
                         "term and its consequences are the transfer mechanisms")
