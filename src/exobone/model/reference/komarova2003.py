"""Komarova et al. 2003: osteoclast-osteoblast power-law model of one remodeling site, by hand.

Equations (Komarova et al. 2003, as encoded in BioModels BIOMD0000000148)::

    d(osteoclasts)/dt = alpha1 * osteoclasts^g11 * osteoblasts^g21 - beta1 * osteoclasts
    d(osteoblasts)/dt = alpha2 * osteoclasts^g12 * osteoblasts^g22 - beta2 * osteoblasts
    d(bone_mass)/dt   = k2 * max(osteoblasts - osteoblasts_ss, 0)
                        - k1 * max(osteoclasts - osteoclasts_ss, 0)

with the steady states ``osteoclasts_ss``, ``osteoblasts_ss`` and ``gamma`` as in the SBML
assignment rules (which correct a typo in the paper's ``x2_bar``, per the file's notes).
BIOMD0000000148 switches resorption/formation with four events on flags; its start event never
fires (the trigger is already true at t=0), so here the switch is written as the equivalent
``piecewise`` used by BIOMD0000000279 (Komarova 2005) and BIOMD0000000401/402 (Ayati 2010).

Regimes
-------
``single_cycle``
    Every value from BIOMD0000000148: ``g11 = 0.5``, ``k1 = 0.24``, ``k2 = 0.0017``, start at
    11 osteoclasts / 212 osteoblasts / bone mass 100 (an osteoclast excess over the steady state
    ~1.06 / ~212.13): one damped remodeling cycle, the paper's "single remodeling cycle in
    response to an external stimulus".
``oscillating``
    The paper's "series of internally regulated cycles". BIOMD0000000148 holds only the
    single-cycle set, so this regime takes ``g11 = 1.1``, ``k1 = 0.0748``, ``k2 = 0.0006395`` and
    the start 15 osteoclasts / 316 osteoblasts from BIOMD0000000402 (Ayati et al. 2010), whose
    tumour-free limit is exactly this system (all other values equal BIOMD0000000148's). For these
    equations the trace of the Jacobian at the steady state is ``beta1*(g11 - 1) + beta2*(g22 - 1)``,
    which is zero at ``g11 = 1.1``: the linearisation is a centre, so cycles neither decay nor grow
    (``g11 < 1.1``: damped; ``g11 > 1.1``: growing, the unstable Paget-like regime).

Parameter bounds are assumed plausible ranges for sampling (a decade around each rate,
sign-preserving ranges for the exponents), not values from the paper.
"""

from __future__ import annotations

from exobone.errors import unknown_name
from exobone.model.parameters import Parameter, Reference
from exobone.model.spec import Assignment, ModelSpec, State, Term

_TITLE = ("Mathematical model predicts a critical role for osteoclast autocrine regulation in "
          "the control of bone remodeling")


def _komarova(note: str) -> Reference:
    return Reference("Komarova", 2003, title=_TITLE, journal="Bone", volume="33",
                     pages="206-215", pmid="14499354", note=note)


def _ayati(note: str) -> Reference:
    return Reference("Ayati", 2010,
                     title=("A mathematical model of bone remodeling dynamics for normal bone "
                            "cell populations and myeloma bone disease"),
                     journal="Biology Direct", volume="5", pages="28", pmid="20406449", note=note)


KOMAROVA_2003 = _komarova("model equations; SBML encoding BIOMD0000000148")

#: exobone name -> SBML id in BIOMD0000000148 (states and assignments)
SBML_IDS: dict[str, str] = {
    "osteoclasts": "x1",
    "osteoblasts": "x2",
    "bone_mass": "z",
    "gamma": "gamma",
    "osteoclasts_ss": "x1_bar",
    "osteoblasts_ss": "x2_bar",
}

REGIMES: tuple[str, ...] = ("single_cycle", "oscillating")

_BOUND_NOTE = "bounds assumed (sampling range), value from the source"


def _p(name: str, value: float, unit: str, bounds: tuple[float, float], description: str,
       source: Reference) -> Parameter:
    return Parameter(name, value, unit=unit, bounds=bounds, source=source,
                     description=f"{description} ({_BOUND_NOTE})")


def komarova2003(regime: str = "single_cycle") -> ModelSpec:
    """Return the Komarova 2003 bone remodeling model in one of its regimes.

    Parameters
    ----------
    regime
        ``"single_cycle"`` (BIOMD0000000148 values) or ``"oscillating"`` (``g11 = 1.1`` and the
        resorption/formation constants and start of BIOMD0000000402); see the module docstring.

    Returns
    -------
    ModelSpec
        States ``osteoclasts``, ``osteoblasts`` (cells) and ``bone_mass`` (% of initial).

    Raises
    ------
    UnknownNameError
        For an unknown regime.

    References
    ----------
    Komarova SV, Smith RJ, Dixon SJ, Sims SM, Wahl LM. Bone 2003;33(2):206-215. PMID 14499354.
    Ayati BP, Edwards CM, Webb GF, Wikswo JP. Biol Direct 2010;5:28. PMID 20406449.

    Examples
    --------
    >>> m = komarova2003("oscillating")
    >>> m.require_parameter("g11").value
    1.1
    """
    if regime not in REGIMES:
        raise unknown_name("Komarova 2003 regime", regime, REGIMES)
    b148 = _komarova("value as encoded in BIOMD0000000148")
    if regime == "single_cycle":
        g11_src = k_src = b148
        g11, k1, k2, oc0, ob0 = 0.5, 0.24, 0.0017, 11.0, 212.0
    else:
        g11_src = _ayati("g11 = 1.1 in BIOMD0000000402 (oscillating bone model of Ayati 2010, "
                         "tumour-free limit = Komarova 2003)")
        k_src = _ayati("resorption/formation constant in BIOMD0000000402")
        g11, k1, k2, oc0, ob0 = 1.1, 0.0748, 0.0006395, 15.0, 316.0

    params = [
        _p("alpha1", 3.0, "1/day (power-law rate)", (0.3, 30.0),
           "osteoclast production rate", b148),
        _p("alpha2", 4.0, "1/day (power-law rate)", (0.4, 40.0),
           "osteoblast production rate", b148),
        _p("beta1", 0.2, "1/day", (0.02, 2.0), "osteoclast removal rate", b148),
        _p("beta2", 0.02, "1/day", (0.002, 0.2), "osteoblast removal rate", b148),
        _p("g11", g11, "1", (0.0, 2.0),
           "osteoclast autocrine effectiveness (exponent of osteoclasts in their own production)",
           g11_src),
        _p("g21", -0.5, "1", (-2.0, 0.0),
           "osteoblast-derived paracrine effect on osteoclast production (exponent)", b148),
        _p("g12", 1.0, "1", (0.0, 2.0),
           "osteoclast-derived paracrine effect on osteoblast production (exponent)", b148),
        _p("g22", 0.0, "1", (-1.0, 1.0),
           "osteoblast autocrine effectiveness (exponent)", b148),
        _p("k1", k1, "%/(cell*day)", (k1 / 10, k1 * 10),
           "bone resorbed per osteoclast above steady state per day", k_src),
        _p("k2", k2, "%/(cell*day)", (k2 / 10, k2 * 10),
           "bone formed per osteoblast above steady state per day", k_src),
    ]
    states = [
        State("osteoclasts", oc0, unit="cells", description="active osteoclasts at the site"),
        State("osteoblasts", ob0, unit="cells", description="active osteoblasts at the site"),
        State("bone_mass", 100.0, unit="%", description="bone mass, percent of initial"),
    ]
    assignments = [
        Assignment("gamma", "g12*g21 - (1 - g11)*(1 - g22)", unit="1",
                   description="determinant-like combination of the exponents",
                   citations=(KOMAROVA_2003,)),
        Assignment("osteoclasts_ss",
                   "(beta1/alpha1)^((1 - g22)/gamma) * (beta2/alpha2)^(g21/gamma)",
                   unit="cells", description="non-trivial steady state of osteoclasts",
                   citations=(KOMAROVA_2003,)),
        Assignment("osteoblasts_ss",
                   "(beta1/alpha1)^(g12/gamma) * (beta2/alpha2)^((1 - g11)/gamma)",
                   unit="cells", description="non-trivial steady state of osteoblasts "
                   "(typo of the paper corrected as in BIOMD0000000148)",
                   citations=(KOMAROVA_2003,)),
        Assignment("resorbing_osteoclasts",
                   "piecewise(osteoclasts - osteoclasts_ss, osteoclasts > osteoclasts_ss, 0)",
                   unit="cells", description="osteoclasts above steady state (y1)",
                   citations=(KOMAROVA_2003,)),
        Assignment("forming_osteoblasts",
                   "piecewise(osteoblasts - osteoblasts_ss, osteoblasts > osteoblasts_ss, 0)",
                   unit="cells", description="osteoblasts above steady state (y2)",
                   citations=(KOMAROVA_2003,)),
    ]
    terms = [
        Term("osteoclast_production", "alpha1 * osteoclasts^g11 * osteoblasts^g21",
             {"osteoclasts": 1}, mechanisms=("GO:0045672", "BIOMD0000000148:R1"),
             description="osteoclast formation with autocrine (g11) and osteoblast paracrine "
                         "(g21) regulation", citations=(KOMAROVA_2003,)),
        Term("osteoclast_removal", "beta1 * osteoclasts", {"osteoclasts": -1},
             mechanisms=("GO:0045671", "BIOMD0000000148:R2"),
             description="osteoclast removal", citations=(KOMAROVA_2003,)),
        Term("osteoblast_production", "alpha2 * osteoclasts^g12 * osteoblasts^g22",
             {"osteoblasts": 1}, mechanisms=("GO:0045669", "BIOMD0000000148:R3"),
             description="osteoblast formation with osteoclast paracrine (g12) and autocrine "
                         "(g22) regulation", citations=(KOMAROVA_2003,)),
        Term("osteoblast_removal", "beta2 * osteoblasts", {"osteoblasts": -1},
             mechanisms=("GO:0045668", "BIOMD0000000148:R4"),
             description="osteoblast removal", citations=(KOMAROVA_2003,)),
        Term("bone_resorption", "k1 * resorbing_osteoclasts", {"bone_mass": -1},
             mechanisms=("GO:0045453", "BIOMD0000000148:R5"),
             description="resorption by osteoclasts in excess of steady state",
             citations=(KOMAROVA_2003,)),
        Term("bone_formation", "k2 * forming_osteoblasts", {"bone_mass": 1},
             mechanisms=("GO:0001503", "BIOMD0000000148:R6"),
             description="formation by osteoblasts in excess of steady state",
             citations=(KOMAROVA_2003,)),
    ]
    return ModelSpec(
        f"komarova2003_{regime}",
        states=states,
        parameters=params,
        assignments=assignments,
        terms=terms,
        metadata={
            "reference_model": "komarova2003",
            "regime": regime,
            "sbml": "BIOMD0000000148",
            "sbml_ids": SBML_IDS,
            "time_unit": "day",
            "initial_values_from": ("BIOMD0000000148" if regime == "single_cycle"
                                    else "BIOMD0000000402"),
        },
    )
