"""Export a compiled ModelSpec as SBML Level 3 Version 2, with units and provenance annotations.

Mapping
-------
=====================  ===========================================================================
exobone                SBML
=====================  ===========================================================================
State                  species in the compartment ``bone`` (size 1, ``hasOnlySubstanceUnits``),
                       ``initialAmount`` or an ``initialAssignment`` when the initial value is
                       an expression
Parameter              parameter (``constant="false"`` when an event assigns it)
Assignment             non-constant parameter with an ``assignmentRule``
Term                   reaction: reactants/products from the stoichiometry, the rate as kinetic
                       law, states read by the rate as modifiers
Event (scheduled)      one event per time, trigger ``time >= t_k`` with ``initialValue="false"``
                       (a dose at the start time fires at once), priority from declaration order
Event (triggered)      event with ``initialValue = not fire_at_start``
Function               expanded in place (exobone's functions are macros)
=====================  ===========================================================================

Each reaction and rule carries an annotation ``<exobone:provenance>`` listing its mechanism ids
and citations, the citations also as MIRIAM ``bqbiol:isDescribedBy`` terms (PubMed/DOI), and its
description as notes. Units come from :mod:`exobone.interop.sbml.units`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import libsbml
import sympy

from exobone.errors import ExportError
from exobone.interop.sbml._math import sympy_to_ast
from exobone.interop.sbml.units import add_unit_definition
from exobone.model.parameters import Reference

if TYPE_CHECKING:
    from exobone.model.spec import ModelSpec

__all__ = ["ANNOTATION_NS", "check_document", "export_sbml", "to_sbml_document",
           "write_sbml"]

#: XML namespace of exobone's provenance annotations
ANNOTATION_NS = "https://github.com/exobone/exobone/sbml-annotation/v1"
COMPARTMENT = "bone"
_TIME_UNITS = {"day": "day", "hour": "hour", "h": "hour", "year": "year"}


def _check(status: int, what: str) -> None:
    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise ExportError(f"libsbml refused {what}: "
                          f"{libsbml.OperationReturnValue_toString(status)}")


def _provenance_xml(mechanisms: Sequence[str], citations: Sequence[Reference]) -> str:
    parts = [f'<exobone:provenance xmlns:exobone="{ANNOTATION_NS}">']
    for mech in mechanisms:
        parts.append(f"<exobone:mechanism id={quoteattr(mech)}/>")
    for c in citations:
        attrs = {"first_author": c.first_author, "year": c.year, "journal": c.journal,
                 "title": c.title, "doi": c.doi, "pmid": c.pmid, "note": c.note or None}
        text = " ".join(f"{k}={quoteattr(str(v))}" for k, v in attrs.items() if v is not None)
        parts.append(f"<exobone:citation {text}/>")
    parts.append("</exobone:provenance>")
    return "".join(parts)


def _annotate(element: libsbml.SBase, metaid: str, *, mechanisms: Sequence[str],
              citations: Sequence[Reference], description: str) -> None:
    _check(element.setMetaId(metaid), f"metaid {metaid!r}")
    if mechanisms or citations:
        _check(element.appendAnnotation(_provenance_xml(mechanisms, citations)),
               f"the annotation of {metaid!r}")
    for c in citations:
        uri = (f"https://identifiers.org/pubmed:{c.pmid}" if c.pmid else
               f"https://identifiers.org/doi:{c.doi}" if c.doi else None)
        if uri is None:
            continue
        cv = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
        cv.setBiologicalQualifierType(libsbml.BQB_IS_DESCRIBED_BY)
        cv.addResource(uri)
        _check(element.addCVTerm(cv), f"a CV term on {metaid!r}")
    if description:
        _check(element.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>'
                                f"{escape(description)}</p></body>"), f"notes of {metaid!r}")


def _unit(model: libsbml.Model, text: str) -> str:
    return add_unit_definition(model, text or "1")


def to_sbml_document(spec: ModelSpec) -> libsbml.SBMLDocument:
    """Build the SBML L3V2 document of ``spec`` (see the module docstring for the mapping).

    Raises
    ------
    ModelError
        If ``spec`` does not validate.
    ExportError
        If libsbml refuses a component or an expression.
    """
    parsed = spec.parsed  # validates
    doc = libsbml.SBMLDocument(3, 2)
    model = doc.createModel()
    model_id = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in spec.name)
    model.setId(model_id if model_id[:1].isalpha() else f"m_{model_id}")
    model.setName(spec.name)
    time_unit = str(spec.metadata.get("time_unit", "day"))
    model.setTimeUnits(_unit(model, _TIME_UNITS.get(time_unit, time_unit)))
    meta = {k: spec.metadata[k] for k in ("scenario", "species", "interventions",
                                          "atlas_version") if k in spec.metadata}
    notes = "; ".join(f"{k}: {v}" for k, v in meta.items())
    model.setNotes(f'<body xmlns="http://www.w3.org/1999/xhtml"><p>Exported by exobone from '
                   f'model {escape(spec.name)} (content hash {spec.hash()[:16]}). '
                   f'{escape(notes)}</p></body>')

    comp = model.createCompartment()
    comp.setId(COMPARTMENT)
    comp.setConstant(True)
    comp.setSize(1.0)
    comp.setSpatialDimensions(3)
    comp.setUnits("dimensionless")

    for s in spec.states:
        sp = model.createSpecies()
        _check(sp.setId(s.name), f"species id {s.name!r}")
        sp.setCompartment(COMPARTMENT)
        sp.setHasOnlySubstanceUnits(True)
        sp.setBoundaryCondition(False)
        sp.setConstant(False)
        sp.setSubstanceUnits(_unit(model, s.unit))
        if s.description:
            sp.setName(s.description)
        if isinstance(s.initial, str):
            sp.setInitialAmount(0.0)
            ia = model.createInitialAssignment()
            ia.setSymbol(s.name)
            ia.setMath(sympy_to_ast(parsed.initial_exprs[s.name],
                                    where=f"initial value of {s.name!r}"))
        else:
            sp.setInitialAmount(float(s.initial))

    event_targets = {t for e in spec.events for t in e.assignments}
    for p in spec.parameters:
        par = model.createParameter()
        _check(par.setId(p.name), f"parameter id {p.name!r}")
        par.setValue(p.value)
        par.setConstant(p.name not in event_targets)
        par.setUnits(_unit(model, p.unit))
        if p.description:
            par.setName(p.description)
        source = p.source
        if isinstance(source, Reference):
            _annotate(par, f"meta_p_{p.name}", mechanisms=(), citations=(source,),
                      description="")

    for a in spec.assignments:
        par = model.createParameter()
        _check(par.setId(a.name), f"parameter id {a.name!r}")
        par.setConstant(False)
        par.setUnits(_unit(model, a.unit))
        rule = model.createAssignmentRule()
        rule.setVariable(a.name)
        rule.setMath(sympy_to_ast(parsed.assignment_exprs[a.name],
                                  where=f"assignment {a.name!r}"))
        _annotate(rule, f"meta_rule_{a.name}", mechanisms=a.mechanisms, citations=a.citations,
                  description=a.description)

    state_set = set(spec.state_names)
    for term in spec.terms:
        rxn = model.createReaction()
        _check(rxn.setId(f"term_{term.name}" if term.name in state_set
                         or model.getElementBySId(term.name) is not None else term.name),
               f"reaction id {term.name!r}")
        rxn.setName(term.name)
        rxn.setReversible(False)
        for target, coef in term.stoichiometry.items():
            ref = rxn.createReactant() if coef < 0 else rxn.createProduct()
            ref.setSpecies(target)
            ref.setStoichiometry(abs(coef))
            ref.setConstant(True)
        rate = parsed.term_rates[term.name]
        readers = sorted(str(sym) for sym in rate.free_symbols
                         if str(sym) in state_set and str(sym) not in term.stoichiometry)
        for name in readers:
            mod = rxn.createModifier()
            mod.setSpecies(name)
        law = rxn.createKineticLaw()
        law.setMath(sympy_to_ast(rate, where=f"term {term.name!r}"))
        _annotate(rxn, f"meta_term_{term.name}", mechanisms=term.mechanisms,
                  citations=term.citations, description=term.description)

    n_events = sum(max(len(e.at_times), 1) for e in spec.events)
    priority = n_events
    for event in spec.events:
        instances: list[tuple[str, sympy.Basic, bool]] = []
        if event.scheduled:
            for k, when in enumerate(event.at_times):
                trigger = sympy.Ge(sympy.Symbol("time", real=True), sympy.Float(when))
                instances.append((f"{event.name}_{k}", trigger, False))
        else:
            instances.append((event.name, parsed.event_triggers[event.name],
                              not event.fire_at_start))
        for sid, trigger, initial_value in instances:
            ev = model.createEvent()
            _check(ev.setId(sid if model.getElementBySId(sid) is None else f"event_{sid}"),
                   f"event id {sid!r}")
            ev.setUseValuesFromTriggerTime(True)
            trig = ev.createTrigger()
            trig.setInitialValue(initial_value)
            trig.setPersistent(True)
            trig.setMath(sympy_to_ast(trigger, where=f"event {sid!r}"))
            prio = ev.createPriority()
            prio.setMath(libsbml.parseL3Formula(str(priority)))
            priority -= 1
            for target in event.assignments:
                ea = ev.createEventAssignment()
                ea.setVariable(target)
                ea.setMath(sympy_to_ast(parsed.event_assignments[event.name][target],
                                        where=f"event {sid!r} -> {target!r}"))
            _annotate(ev, f"meta_event_{ev.getId()}", mechanisms=event.mechanisms,
                      citations=(), description=event.description)
    return doc


def check_document(doc: libsbml.SBMLDocument) -> list[str]:
    """Run all of libsbml's consistency checks; return the messages of errors and fatals.

    Warnings (e.g. unit-consistency notes on kinetic laws of mixed units) are not returned.
    """
    doc.checkConsistency()
    errors = []
    for i in range(doc.getNumErrors()):
        err = doc.getError(i)
        if err.getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
            errors.append(f"line {err.getLine()}: {err.getMessage().strip()}")
    return errors


def export_sbml(spec: ModelSpec) -> str:
    """Return ``spec`` as an SBML L3V2 string that passes libsbml's consistency checks.

    Raises
    ------
    ExportError
        If libsbml reports a consistency error (listing them).

    Examples
    --------
    >>> from exobone.model.reference import linear_decay
    >>> text = export_sbml(linear_decay(0.3))
    >>> 'level="3"' in text and 'version="2"' in text
    True
    """
    doc = to_sbml_document(spec)
    errors = check_document(doc)
    if errors:
        raise ExportError(f"the SBML export of {spec.name!r} has {len(errors)} consistency "
                          f"error(s): " + " | ".join(errors[:5]))
    return str(libsbml.writeSBMLToString(doc))


def write_sbml(spec: ModelSpec, path: str | Path) -> Path:
    """Write ``spec`` as SBML L3V2 to ``path``; return the path.

    Raises
    ------
    ExportError
        As :func:`export_sbml`.
    """
    target = Path(path)
    target.write_text(export_sbml(spec), encoding="utf-8")
    return target
