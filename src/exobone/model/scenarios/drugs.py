"""Standard bone drugs for comparison with exosome therapies: denosumab, bisphosphonate, PTH.

Each drug is a small pharmacokinetic/pharmacodynamic module added through the builder: a drug
amount with first-order elimination, dosing events, and factors on core processes. The pathways
are the textbook ones (anti-RANKL antibody, bone-bound osteoclast inhibitor, intermittent PTH as
an osteoblast-anabolic signal); every number is an explicit assumption, because no dose-response
data for these drugs were read into exobone.

Note: denosumab binds human RANKL, not rodent RANKL; in a rat or mouse scenario read it as a
RANKL-neutralising agent (e.g. a rodent anti-RANKL antibody or OPG-Fc) with the same kinetics.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from exobone.errors import InvalidInputError
from exobone.model.parameters import Assumed
from exobone.model.scenarios.interventions import (
    DEFAULT_HORIZON_DAYS,
    Intervention,
    register_intervention,
    unique_name,
)

if TYPE_CHECKING:
    from exobone.model.builder import ModelBuilder

_PK = "typical order of magnitude for the drug class; chosen, not fitted to data"
_PD = "potency/efficacy chosen so that a standard dose has a clear, saturable effect; not fitted"


def _dose_events(builder: ModelBuilder, iv: Intervention, state: str, dose_param: str,
                 default_every: float | None) -> None:
    schedule = iv.schedule(default_every=default_every)
    times = schedule.dose_times(DEFAULT_HORIZON_DAYS)
    builder.add_event(unique_name(builder, f"{state}_dose"),
                      {state: f"{state} + {dose_param}"}, at_times=times,
                      description=f"{iv}: dose of {state}",
                      mechanisms=(f"intervention:{iv.kind}",))


def _drug_state(builder: ModelBuilder, state: str, unit: str, half_life: float,
                description: str) -> None:
    """Add the drug amount and its elimination once (repeated interventions share it)."""
    if builder.get_state(state) is not None:
        return
    k = f"k_{state}_elimination"
    builder.add_parameter(k, math.log(2) / half_life, unit="1/day",
                          bounds=(math.log(2) / (half_life * 10), math.log(2) / (half_life / 10)),
                          source=Assumed(f"half-life {half_life:g} days; {_PK}"),
                          description=f"elimination rate of {state}")
    builder.add_state(state, 0.0, unit=unit, description=description)
    builder.add_term(f"{state}_elimination", f"{k}*{state}", {state: -1},
                     mechanisms=(f"drug:{state}",), description=f"elimination of {state}")


def _dose_parameter(builder: ModelBuilder, iv: Intervention, stem: str, default: float,
                    unit: str) -> str:
    dose = iv.number("dose", default)
    assert dose is not None
    name = unique_name(builder, f"{stem}_dose")
    builder.add_parameter(name, dose, unit=unit, bounds=(0.0, max(100 * default, dose)),
                          source=Assumed(f"dose given by the intervention {iv}"),
                          description=f"{stem} dose per administration")
    return name


def _pd_parameter(builder: ModelBuilder, name: str, value: float, unit: str,
                  description: str) -> None:
    if builder.get_parameter(name) is None:
        builder.add_parameter(name, value, unit=unit, bounds=(value / 100, value * 100),
                              source=Assumed(_PD), description=description)


# ------------------------------------------------------------------------------- denosumab
@register_intervention(
    "denosumab",
    help="anti-RANKL antibody: neutralises RANKL, osteoclastogenesis falls",
    usage="denosumab[,dose=MG_PER_KG,start=DAY,every=DAYS,stop=DAY] (default 10 mg/kg once)",
    options=("dose", "start", "every", "stop"), arg="none",
    sources=("mechanism: antibody binding RANKL (free RANKL = RANKL/(1 + drug/EC50))",
             "assumed: half-life 26 days, EC50 1 mg/kg"),
)
def apply_denosumab(builder: ModelBuilder, iv: Intervention) -> None:
    """Add denosumab kinetics and neutralisation of RANKL."""
    _drug_state(builder, "denosumab", "mg/kg", 26.0, "circulating anti-RANKL antibody")
    dose = _dose_parameter(builder, iv, "denosumab", 10.0, "mg/kg")
    first = builder.get_parameter("denosumab_ec50") is None
    _pd_parameter(builder, "denosumab_ec50", 1.0, "mg/kg",
                  "antibody amount halving free RANKL")
    if first:
        builder.add_factor("rankl_expression", "1/(1 + denosumab/denosumab_ec50)",
                           mechanisms=("drug:denosumab",),
                           description="denosumab neutralises RANKL")
    _dose_events(builder, iv, "denosumab", dose, None)


# -------------------------------------------------------------------------- bisphosphonate
@register_intervention(
    "bisphosphonate",
    help="bone-bound bisphosphonate (e.g. zoledronate): osteoclast activity down, apoptosis up",
    usage="bisphosphonate[,dose=UG_PER_KG,start=DAY,every=DAYS,stop=DAY] "
          "(default 100 ug/kg once)",
    options=("dose", "start", "every", "stop"), arg="none",
    sources=(("mechanism: uptake into bone mineral, inhibition of osteoclast resorption and "
             "induction of osteoclast apoptosis"),
             "assumed: skeletal half-life 180 days, EC50 20 ug/kg, apoptosis up to 3x"),
)
def apply_bisphosphonate(builder: ModelBuilder, iv: Intervention) -> None:
    """Add bone-bound bisphosphonate and its anti-resorptive, pro-apoptotic effects."""
    _drug_state(builder, "bisphosphonate", "ug/kg", 180.0, "bisphosphonate bound to bone")
    dose = _dose_parameter(builder, iv, "bisphosphonate", 100.0, "ug/kg")
    first = builder.get_parameter("bisphosphonate_ec50") is None
    _pd_parameter(builder, "bisphosphonate_ec50", 20.0, "ug/kg",
                  "bone-bound amount giving half the maximal effect")
    _pd_parameter(builder, "bisphosphonate_apoptosis_max", 2.0, "1",
                  "maximal extra osteoclast apoptosis (fold minus 1)")
    if first:
        occ = "bisphosphonate/(bisphosphonate + bisphosphonate_ec50)"
        builder.add_factor("bone_resorption", f"1 - 0.8*{occ}",
                           mechanisms=("drug:bisphosphonate",),
                           description="bisphosphonate inhibits resorption (up to 80%)")
        builder.add_factor("oc_apoptosis", f"1 + bisphosphonate_apoptosis_max*{occ}",
                           mechanisms=("drug:bisphosphonate",),
                           description="bisphosphonate induces osteoclast apoptosis")
    _dose_events(builder, iv, "bisphosphonate", dose, None)


# ------------------------------------------------------------------------ intermittent PTH
def _validate_pth(iv: Intervention) -> None:
    dose = iv.number("dose")
    if dose is not None and dose == 0:
        raise InvalidInputError(f"{iv}: a zero daily dose does nothing; give dose > 0 or drop "
                                f"the intervention")


@register_intervention(
    "pth-intermittent",
    help="daily PTH(1-34) injections: anabolic (osteoblast maturation and survival up)",
    usage="pth-intermittent[,dose=UG_PER_KG_PER_DAY,start=DAY,stop=DAY] "
          "(default 40 ug/kg/day from day 0 on)",
    options=("dose", "start", "stop"), arg="none", validate=_validate_pth,
    sources=(("mechanism: intermittent PTH exposure (hours per day) is anabolic - more "
             "osteoblast maturation, less osteoblast apoptosis - with a small RANKL rise; "
             "continuous PTH is catabolic (core input I_P, Lemaire 2004)"),
             "assumed: daily pulses averaged over the day; EC50 40 ug/kg/day; gains chosen"),
)
def apply_pth_intermittent(builder: ModelBuilder, iv: Intervention) -> None:
    """Switch an averaged daily-injection anabolic signal on during the treatment window."""
    on = unique_name(builder, "pth_intermittent_on")
    builder.add_parameter(on, 0.0, unit="1", bounds=(0.0, 1.0),
                          source=Assumed("switched on and off by the treatment window events"),
                          description=f"1 while {iv} is given")
    dose = _dose_parameter(builder, iv, "pth_intermittent", 40.0, "ug/kg/day")
    _pd_parameter(builder, "pth_intermittent_ec50", 40.0, "ug/kg/day",
                  "daily dose giving half the maximal anabolic effect")
    for name, value, desc in (
            ("pth_anabolic_maturation", 1.5, "maximal extra osteoblast maturation"),
            ("pth_anabolic_survival", 1.0, ("maximal reduction of osteoblast apoptosis "
                                            "(apoptosis / (1 + gain))")),
            ("pth_anabolic_rankl", 0.2, "maximal transient RANKL rise")):
        _pd_parameter(builder, name, value, "1", desc)
    effect = f"{on}*{dose}/({dose} + pth_intermittent_ec50)"
    mech = ("drug:pth-intermittent",)
    builder.add_factor("ob_maturation", f"1 + pth_anabolic_maturation*{effect}",
                       mechanisms=mech, description="intermittent PTH promotes OB maturation")
    builder.add_factor("preob_proliferation", f"1 + pth_anabolic_maturation*{effect}",
                       mechanisms=mech, description="intermittent PTH promotes "
                                                    "pre-osteoblast proliferation")
    builder.add_factor("ob_apoptosis", f"1/(1 + pth_anabolic_survival*{effect})",
                       mechanisms=mech, description="intermittent PTH prevents OB apoptosis")
    builder.add_factor("rankl_expression", f"1 + pth_anabolic_rankl*{effect}",
                       mechanisms=mech, description="intermittent PTH raises RANKL a little")
    schedule = iv.schedule()
    builder.add_event(unique_name(builder, f"{on}_start"), {on: "1"},
                      at_times=(schedule.start,), description=f"{iv}: treatment starts",
                      mechanisms=mech)
    if schedule.stop is not None:
        builder.add_event(unique_name(builder, f"{on}_stop"), {on: "0"},
                          at_times=(schedule.stop,), description=f"{iv}: treatment stops",
                          mechanisms=mech)
