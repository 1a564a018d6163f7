"""Assemble the bone model: the core, a scenario, the exosome layer and interventions, in order.

:func:`build_model` is the one entry point; it runs the layers in a fixed order on a
:class:`~exobone.model.builder.ModelBuilder`:

1. the bone core (:func:`exobone.model.core.add_core`),
2. the scenario (:data:`exobone.model.scenarios.SCENARIOS`),
3. the exosome layer compiled from the atlas (:func:`exobone.model.exosomes.add_exosome_layer`),
   given the scenario's atlas contexts and the registered intervention kinds,
4. the scenario's history, if it has one (``pmo``: years since menopause): the model so far
   is run over it and its end state becomes the initial state and the reference (1.0) of the
   BMD and serum-marker outcomes,
5. the scenario's own interventions, then the user's, in the order given,

with the fitted values of the species (:mod:`exobone.model.fitted`) set on the core's
parameters right after step 1, on those of the scenario and the layer before step 4, and on
the interventions' after step 5,

then :meth:`ModelBuilder.build` turns the workspace into an immutable, validated
:class:`~exobone.model.spec.ModelSpec`. :func:`assemble_model` stops before that step and
returns the builder, whose typed exosome layer (``builder.exosome_layer``) readouts need.

Layers never edit the core's terms. Each core process rate is written
``base_rate * m_<process>`` (see :mod:`exobone.model.processes`); a layer changes it by
contributing a dimensionless factor with :meth:`ModelBuilder.add_factor`. ``build()`` writes one
assignment ``m_<process>`` per process (the product of its factors, 1 when none) and orders all
assignments so each comes after the symbols it uses.
"""

from __future__ import annotations

from collections.abc import Sequence

from exobone.atlas.curation import Atlas, atlas_version, default_data_dir
from exobone.model.builder import MODEL_NAME, ModelBuilder
from exobone.model.core import add_core
from exobone.model.exosomes import ExosomeLayer, add_exosome_layer
from exobone.model.fitted import apply_fitted
from exobone.model.parameters import Assumed
from exobone.model.scenarios import require_scenario
from exobone.model.scenarios.interventions import (
    INTERVENTIONS,
    Intervention,
    apply_intervention,
    parse_intervention,
)
from exobone.model.spec import ModelSpec
from exobone.model.species import require_site

__all__ = ["add_scenario_exosome_layer", "assemble_model", "build_model"]


def _atlas_version(atlas: Atlas | None) -> str | None:
    if atlas is not None and atlas.version:
        return atlas.version
    try:
        return atlas_version(default_data_dir())
    except OSError:  # provenance only: an unreadable data folder must not block a build
        return None


def add_scenario_exosome_layer(builder: ModelBuilder, atlas: Atlas | None = None, *,
                               scenario: str, species: str,
                               extra_contexts: Sequence[str] = ()) -> ExosomeLayer:
    """Add the exosome layer for ``scenario``: its atlas contexts, the registered drug kinds.

    Parameters
    ----------
    builder
        The workspace with the model the layer attaches to.
    atlas
        The atlas the layer compiles from (default: the shipped curated data).
    scenario
        A registered scenario name (its contexts select the active cargo profiles).
    species
        Recorded by the layer; sets its healthy reference core.
    extra_contexts
        Atlas contexts active besides the scenario's (the scorecard's in-vitro arms: cells of
        that condition in culture, without its physiology).

    Raises
    ------
    UnknownNameError
        For an unknown scenario.
    """
    scen = require_scenario(scenario)
    return add_exosome_layer(builder, atlas, scenario=scen.name, species=species,
                             contexts=(*scen.contexts, *extra_contexts),
                             drug_kinds=frozenset(INTERVENTIONS))


def _run_history(builder: ModelBuilder, days: float) -> None:
    """Run the model built so far from ``-days`` to 0 and start the run where it ended.

    The end state becomes every state's initial value, and the start references of the
    relative outcomes (``bv_tv_start``, ``cortical_start``, ``resorption_start``,
    ``formation_start``, ``cortical_resorption_start``, ``cortical_formation_start``) take its
    values, so BMD, CTX and P1NP are 1.0 at the run's start.
    """
    from exobone.simulate import SaveAt, simulate  # the simulator imports this module

    traj = simulate(builder.build(), (-days, 0.0), saveat=SaveAt(times=[0.0]))
    for name in traj.state_names:
        builder.set_initial(name, float(traj[name][-1]))
    k_resorption = float(traj["k_resorption"][-1])
    for parameter, value in (("bv_tv_start", traj["bone_volume"][-1]),
                             ("cortical_start", traj["cortical_bone"][-1]),
                             ("resorption_start", traj["resorption_rate"][-1] / k_resorption),
                             ("formation_start", traj["formation_rate"][-1] / k_resorption),
                             ("cortical_resorption_start",
                              traj["cortical_resorption_activity"][-1]),
                             ("cortical_formation_start",
                              traj["cortical_formation_activity"][-1])):
        builder.set_parameter(parameter, float(value), source=Assumed(
            f"value at the end of the scenario's {days / 365:g}-year history (computed at "
            f"build time)"))
    builder.metadata["history_days"] = days


def assemble_model(scenario: str = "healthy", interventions: Sequence[str | Intervention] = (),
                   *, species: str | None = None, site: str | None = None,
                   atlas: Atlas | None = None, exosome_layer: bool = True,
                   extra_contexts: Sequence[str] = ()) -> ModelBuilder:
    """Run every layer for a scenario and return the builder (see :func:`build_model`).

    ``extra_contexts`` are atlas contexts the exosome layer treats as active besides the
    scenario's (see :func:`add_scenario_exosome_layer`).

    The builder carries the exosome layer's typed state (``builder.exosome_layer``) next to the
    model; :meth:`ModelBuilder.build` gives the :class:`ModelSpec`.
    """
    scen = require_scenario(scenario)
    species = scen.resolve_species(species)
    parsed = [parse_intervention(i, scen.name) for i in interventions]  # scenario defaults
    for iv in parsed:
        iv.check()

    _, where = require_site(species, site)
    builder = ModelBuilder(MODEL_NAME, metadata={"scenario": scen.name, "species": species,
                                                 "site": where.name})
    builder.origin = "core"
    add_core(builder, species=species, site=where.name)
    fitted = apply_fitted(builder, species)  # fitted core values before the layers read them
    builder.origin = f"scenario:{scen.name}"
    scen.apply(builder, species)

    if exosome_layer:
        builder.origin = "exosome-layer"
        add_scenario_exosome_layer(builder, atlas, scenario=scen.name, species=species,
                                   extra_contexts=extra_contexts)

    fitted += apply_fitted(builder, species)  # the scenario's and the layer's, before history
    history = builder.metadata.pop("history_days", None)
    if history:
        builder.origin = f"scenario:{scen.name}"
        _run_history(builder, float(history))
        # the start state depends on these at build time: a fit must not move them (calibrate)
        builder.metadata["history_parameters"] = tuple(builder.parameter_names)

    for iv in (*scen.interventions_parsed(), *parsed):
        builder.origin = f"intervention:{iv.kind}"
        apply_intervention(builder, iv)
    fitted += apply_fitted(builder, species)  # those of parameters the later layers added
    builder.origin = ""

    builder.metadata.update({
        "scenario": scen.name,
        "species": species,
        "site": where.name,
        "interventions": tuple(str(iv) for iv in parsed),
        "scenario_interventions": tuple(str(iv) for iv in scen.interventions_parsed()),
        "atlas_version": _atlas_version(atlas),
        "exosome_layer_applied": exosome_layer,
        "fitted_parameters": tuple(fitted),
    })
    return builder


def build_model(scenario: str = "healthy", interventions: Sequence[str | Intervention] = (), *,
                species: str | None = None, site: str | None = None, atlas: Atlas | None = None,
                exosome_layer: bool = True) -> ModelSpec:
    """Build the bone model for a scenario with interventions applied in order.

    Parameters
    ----------
    scenario
        A name in :data:`exobone.model.scenarios.SCENARIOS` (``exobone list scenarios``).
    interventions
        :class:`~exobone.model.scenarios.interventions.Intervention` objects or their command
        line form ``KIND:ARG[,key=value...]``.
    species
        ``"rat"``, ``"mouse"`` or ``"human"``; ``None`` takes the scenario's default.
    site
        Skeletal site with data for the species (``proximal_tibia``, ``lumbar_spine``, ...);
        ``None`` takes the species' default (:data:`exobone.model.species.SPECIES_PHYSIOLOGY`).
    atlas
        The atlas the exosome layer compiles from (default: the shipped curated data).
    exosome_layer
        Add the exosome layer (default). ``False`` builds the bone core and the scenario only
        (used to isolate the core in tests).

    Returns
    -------
    ModelSpec
        With metadata ``scenario``, ``species``, ``interventions``, ``atlas_version``,
        ``exosome_layer_applied`` and, with the layer, its JSON report under
        ``exosome_layer_report`` (provenance).

    Raises
    ------
    UnknownNameError
        For an unknown scenario, species or intervention kind (with a did-you-mean), or a
        site without data for the species.
    InvalidInputError
        For an impossible intervention (negative dose, start after stop...).

    Examples
    --------
    >>> spec = build_model("ovx", ["denosumab:dose=10,start=28"], species="rat",
    ...                    exosome_layer=False)
    >>> spec.metadata["scenario"], spec.metadata["species"]
    ('ovx', 'rat')
    """
    return assemble_model(scenario, interventions, species=species, site=site, atlas=atlas,
                          exosome_layer=exosome_layer).build()
