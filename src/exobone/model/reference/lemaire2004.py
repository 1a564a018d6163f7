"""Lemaire et al. 2004: RANK/RANKL/OPG and PTH control of osteoblasts and osteoclasts, by hand.

Three cell populations in pM: responding (immature) osteoblasts ``R``, active osteoblasts ``B``
and active osteoclasts ``C``. As encoded in BioModels BIOMD0000000278 (names there in brackets)::

    dR/dt = D_R * pi_C - D_B * R / pi_C
    dB/dt = D_B * R / pi_C - k_B * B
    dC/dt = D_C * pi_L - D_A * pi_C * C

    pi_C = (C + f0*C_s) / (C + C_s)                        TGF-beta activation       [Phi_C]
    pi_P = (P_bar + P_0) / (P_bar + P_s)                   PTH receptor occupancy    [Phi_P]
    pi_L = k3/k4 * K_L_P * pi_P * B
           / (1 + k3*K/k4 + k1/(k2*kO) * (I_O + K_O_P * R / pi_P)) * (1 + I_L/r_L)
                                                           RANK-RANKL occupancy      [Phi_L]
    D_B = f0 * d_B,  P_bar = I_P / k_P,  P_0 = S_P / k_P,  P_s = k6 / k5

Scenarios
---------
``steady_state``
    No infusion; the initial values of BIOMD0000000278 are the steady state.
``pth_infusion``
    Continuous PTH infusion ``I_P = 1000 pM/day`` from day 20 to day 80.
``opg_infusion``
    Continuous OPG infusion ``I_O = 2e5 pM/day`` from day 20 to day 80.

The infusion parameters exist in BIOMD0000000278 (``I_P``, ``I_O``, ``I_L``, all zero) but the
file does not carry the scenario values: its notes say each panel of the paper's Fig. 2 needs
changes "made to the core model" and point to curation files not in ``shared/``. The rates and the
day 20-80 window above are those of the public reimplementation cmodiz/Bone-Models
(``load_cases/lemaire_load_cases.py``, load cases 3 and 6); they are recorded as
:class:`~exobone.model.parameters.Assumed` until checked against the paper. Infusions are
scheduled events that switch ``I_P``/``I_O`` on and off, so the same compiled model serves every
scenario and window.

Units follow from the equations (cells and ligands in pM, time in days). Parameter bounds are
assumed sampling ranges (a decade around each value), not values from the paper.
"""

from __future__ import annotations

from exobone.errors import unknown_name
from exobone.model.parameters import Assumed, Parameter, Reference
from exobone.model.spec import Assignment, Event, ModelSpec, State, Term

LEMAIRE_2004 = Reference(
    "Lemaire", 2004,
    title="Modeling the interactions between osteoblast and osteoclast activities in bone "
          "remodeling",
    journal="J Theor Biol", volume="229", pages="293-309", pmid="15234198",
    note="model equations; SBML encoding BIOMD0000000278",
)

#: exobone name -> SBML id in BIOMD0000000278 (states and assignments)
SBML_IDS: dict[str, str] = {
    "responding_osteoblasts": "R",
    "active_osteoblasts": "B",
    "active_osteoclasts": "C",
    "D_B": "D_B",
    "tgf_beta_activation": "Phi_C",
    "pth_infused": "Pbar",
    "pth_endogenous": "P_O",
    "pth_saturation": "P_S",
    "pth_occupancy": "Phi_P",
    "rank_occupancy": "Phi_L",
}

SCENARIOS: tuple[str, ...] = ("steady_state", "pth_infusion", "opg_infusion")

_SBML = Reference("Lemaire", 2004, journal="J Theor Biol", volume="229", pages="293-309",
                  pmid="15234198", note="value as encoded in BIOMD0000000278")
_INFUSION = Assumed(
    "scenario value of cmodiz/Bone-Models load_cases/lemaire_load_cases.py (reimplementation of "
    "Lemaire 2004 Fig. 2); not in BIOMD0000000278 and not yet checked against the paper")


def _p(name: str, value: float, unit: str, description: str,
       bounds: tuple[float, float] | None = None) -> Parameter:
    if bounds is None:
        bounds = (value / 10, value * 10) if value > 0 else (0.0, 1.0)
    return Parameter(name, value, unit=unit, bounds=bounds, source=_SBML,
                     description=description)


def _parameters() -> list[Parameter]:
    return [
        _p("D_R", 7e-4, "pM/day", "differentiation of osteoblast progenitors into responding "
           "osteoblasts (scaled by pi_C)"),
        _p("d_B", 0.7, "1/day", "differentiation rate of responding into active osteoblasts "
           "(times f0 gives D_B)"),
        _p("f0", 0.05, "1", "fixed proportion in the TGF-beta activation function pi_C",
           bounds=(0.005, 0.5)),
        _p("C_s", 5e-3, "pM", "osteoclast level setting the saturation of pi_C"),
        _p("k_B", 0.189, "1/day", "elimination rate of active osteoblasts"),
        _p("D_C", 2.1e-3, "pM/day", "differentiation of osteoclast precursors (scaled by pi_L)"),
        _p("D_A", 0.7, "1/day", "osteoclast apoptosis rate (scaled by pi_C)"),
        _p("K", 10.0, "pM", "fixed RANK concentration"),
        _p("k1", 1e-2, "1/(pM*day)", "OPG-RANKL association rate constant"),
        _p("k2", 10.0, "1/day", "OPG-RANKL dissociation rate constant"),
        _p("k3", 5.8e-4, "1/(pM*day)", "RANK-RANKL association rate constant"),
        _p("k4", 1.7e-2, "1/day", "RANK-RANKL dissociation rate constant"),
        _p("k5", 2e-2, "1/(pM*day)", "PTH-receptor association rate constant"),
        _p("k6", 3.0, "1/day", "PTH-receptor dissociation rate constant"),
        _p("K_L_P", 3e6, "1", "maximum RANKL per active osteoblast (scaled by pi_P)"),
        _p("K_O_P", 2e5, "1/day", "OPG production per responding osteoblast (divided by pi_P)"),
        _p("kO", 0.35, "1/day", "OPG degradation rate"),
        _p("k_P", 86.0, "1/day", "PTH elimination rate"),
        _p("S_P", 250.0, "pM/day", "endogenous PTH production rate"),
        _p("r_L", 1e3, "pM/day", "RANKL production rate against which a RANKL infusion I_L "
           "acts (factor 1 + I_L/r_L)"),
        _p("I_P", 0.0, "pM/day", "PTH infusion rate (switched by scenario events)",
           bounds=(0.0, 1e5)),
        _p("I_O", 0.0, "pM/day", "OPG infusion rate (switched by scenario events)",
           bounds=(0.0, 1e7)),
        _p("I_L", 0.0, "pM/day", "RANKL infusion rate", bounds=(0.0, 1e5)),
    ]


def lemaire2004(scenario: str = "steady_state", *, start: float = 20.0,
                stop: float = 80.0) -> ModelSpec:
    """Return the Lemaire 2004 bone cell model, optionally with a PTH or OPG infusion.

    Parameters
    ----------
    scenario
        ``"steady_state"``, ``"pth_infusion"`` or ``"opg_infusion"`` (see the module docstring).
    start, stop
        Infusion window in days (ignored for ``steady_state``).

    Returns
    -------
    ModelSpec
        States ``responding_osteoblasts``, ``active_osteoblasts``, ``active_osteoclasts`` (pM).

    Raises
    ------
    UnknownNameError
        For an unknown scenario.

    References
    ----------
    Lemaire V, Tobin FL, Greller LD, Cho CR, Suva LJ. J Theor Biol 2004;229(3):293-309.
    PMID 15234198.

    Examples
    --------
    >>> m = lemaire2004("pth_infusion")
    >>> [e.name for e in m.events]
    ['pth_infusion_start', 'pth_infusion_stop']
    """
    if scenario not in SCENARIOS:
        raise unknown_name("Lemaire 2004 scenario", scenario, SCENARIOS)
    cite = (LEMAIRE_2004,)
    states = [
        State("responding_osteoblasts", 7.734e-4, unit="pM",
              description="responding (immature) osteoblasts, R"),
        State("active_osteoblasts", 7.282e-4, unit="pM", description="active osteoblasts, B"),
        State("active_osteoclasts", 9.127e-4, unit="pM", description="active osteoclasts, C"),
    ]
    assignments = [
        Assignment("D_B", "f0 * d_B", unit="1/day",
                   description="effective activation rate of responding osteoblasts",
                   citations=cite),
        Assignment("tgf_beta_activation",
                   "(active_osteoclasts + f0*C_s) / (active_osteoclasts + C_s)", unit="1",
                   description="pi_C: TGF-beta released by resorbing osteoclasts",
                   citations=cite),
        Assignment("pth_infused", "I_P / k_P", unit="pM",
                   description="PTH concentration from infusion", citations=cite),
        Assignment("pth_endogenous", "S_P / k_P", unit="pM",
                   description="PTH concentration from endogenous production", citations=cite),
        Assignment("pth_saturation", "k6 / k5", unit="pM",
                   description="PTH receptor dissociation constant", citations=cite),
        Assignment("pth_occupancy",
                   "(pth_infused + pth_endogenous) / (pth_infused + pth_saturation)", unit="1",
                   description="pi_P: PTH receptor occupancy", citations=cite),
        Assignment("rank_occupancy",
                   "(k3/k4) * K_L_P * pth_occupancy * active_osteoblasts"
                   " / (1 + k3*K/k4 + (k1/(k2*kO)) * (I_O + K_O_P * responding_osteoblasts"
                   " / pth_occupancy)) * (1 + I_L/r_L)",
                   unit="1", description="pi_L: RANK occupancy by RANKL, lowered by OPG",
                   citations=cite),
    ]
    terms = [
        Term("responding_osteoblast_formation", "D_R * tgf_beta_activation",
             {"responding_osteoblasts": 1}, mechanisms=("GO:0001649", "BIOMD0000000278:rateRule:R"),
             description="progenitors commit to responding osteoblasts, promoted by TGF-beta",
             citations=cite),
        Term("osteoblast_activation",
             "D_B * responding_osteoblasts / tgf_beta_activation",
             {"responding_osteoblasts": -1, "active_osteoblasts": 1},
             mechanisms=("GO:0001649", "BIOMD0000000278:rateRule:R",
                         "BIOMD0000000278:rateRule:B"),
             description="responding osteoblasts mature; TGF-beta holds them back",
             citations=cite),
        Term("active_osteoblast_removal", "k_B * active_osteoblasts",
             {"active_osteoblasts": -1}, mechanisms=("BIOMD0000000278:rateRule:B",),
             description="active osteoblasts leave the pool",
             citations=cite),
        Term("osteoclast_formation", "D_C * rank_occupancy", {"active_osteoclasts": 1},
             mechanisms=("GO:0030316", "BIOMD0000000278:rateRule:C"),
             description="osteoclastogenesis driven by RANKL-RANK binding", citations=cite),
        Term("osteoclast_apoptosis", "D_A * tgf_beta_activation * active_osteoclasts",
             {"active_osteoclasts": -1},
             mechanisms=("GO:0006915", "BIOMD0000000278:rateRule:C"),
             description="osteoclast apoptosis, promoted by TGF-beta", citations=cite),
    ]
    params = _parameters()
    events: list[Event] = []
    if scenario != "steady_state":
        drug, target, rate = (("pth", "I_P", 1e3) if scenario == "pth_infusion"
                              else ("opg", "I_O", 2e5))
        params.append(Parameter(f"{drug}_infusion_rate", rate, unit="pM/day",
                                bounds=(0.0, rate * 100), source=_INFUSION,
                                description=f"{drug.upper()} infusion rate while it runs"))
        events = [
            Event(f"{drug}_infusion_start", {target: f"{drug}_infusion_rate"}, at_times=(start,),
                  description=f"continuous {drug.upper()} infusion starts"),
            Event(f"{drug}_infusion_stop", {target: "0"}, at_times=(stop,),
                  description=f"continuous {drug.upper()} infusion stops"),
        ]
    return ModelSpec(
        f"lemaire2004_{scenario}",
        states=states,
        parameters=params,
        assignments=assignments,
        terms=terms,
        events=events,
        metadata={
            "reference_model": "lemaire2004",
            "scenario": scenario,
            "sbml": "BIOMD0000000278",
            "sbml_ids": SBML_IDS,
            "time_unit": "day",
            "infusion_window_days": [start, stop] if scenario != "steady_state" else None,
        },
    )
